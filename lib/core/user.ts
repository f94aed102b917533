// What a user is to fastify-login: its id, its auth hash, the anonymous user, and what a loader
// may answer. Secrets a user carries are compared in constant time.
import { timingSafeEqual } from 'node:crypto'
import type { AnonymousUserType as AnonymousUser, LoginUser, ResolvedLoginOptions, UserType as User } from '../../types/index.js'
import { FST_LOGIN_INVALID_USER, FST_LOGIN_NOT_A_USER } from './errors.js'
import { AnonymousUserMixin } from './mixins.js'

const sharedAnonymous = Object.freeze(new AnonymousUserMixin())

/** A factory for the anonymous user: one frozen AnonymousUserMixin unless the app gives its own. */
export function anonymousFactory (option: ResolvedLoginOptions['anonymousUser']): () => AnonymousUser {
  if (option === undefined) {
    return () => sharedAnonymous as AnonymousUser
  }
  if (/^class[\s{]/.test(Function.prototype.toString.call(option))) {
    const Anonymous = option as new () => AnonymousUser
    return () => new Anonymous()
  }
  return option as () => AnonymousUser
}

/** The user's id through `idAttribute` as a string, or what is wrong with it (not a non-empty string or a number). */
function readId (idAttribute: string, user: Record<string, unknown>): string | { problem: string } {
  const method = user[idAttribute]
  if (typeof method !== 'function') {
    return { problem: `${idAttribute}() (a method returning its id)` }
  }
  const id: unknown = method.call(user)
  return (typeof id !== 'string' && typeof id !== 'number') || id === ''
    ? { problem: `${idAttribute}() returning a non-empty string` }
    : String(id)
}

/** The user's id through `idAttribute`, as a non-empty string; throws a coded error otherwise. */
export function idOf (options: ResolvedLoginOptions, user: User): string {
  const id = readId(options.idAttribute, user as unknown as Record<string, unknown>)
  if (typeof id !== 'string') {
    throw new FST_LOGIN_INVALID_USER(`it needs ${id.problem}`)
  }
  return id
}

/** The user's getSessionAuthHash(), or null when the user has none. */
export function authHashOf (user: User): string | null {
  const method = (user as LoginUser).getSessionAuthHash
  if (typeof method !== 'function') {
    return null
  }
  const hash: unknown = method.call(user)
  if (typeof hash !== 'string' || hash === '') {
    throw new FST_LOGIN_INVALID_USER('getSessionAuthHash() must return a non-empty string')
  }
  return hash
}

/** Constant-time equality of two strings (false when either is not a string). */
export function sameSecret (a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') {
    return false
  }
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/**
 * The user's current auth hash matches the one the login was made with (or the user has none).
 * `unused`: logins carry no auth hash (`flask` shared: the Flask application's logins have none).
 */
export function authHashMatches (user: User, stored: unknown, unused = false): boolean {
  if (unused) return true
  const current = authHashOf(user)
  return current === null ? stored === undefined || stored === null : sameSecret(current, stored)
}

const FLAGS = ['isActive', 'isAuthenticated', 'isAnonymous'] as const

/**
 * What a user is, decided here for `loginUser`, `sessionCookieFor` and every loader alike: an
 * object whose `idAttribute` method returns a non-empty string (or a number) and whose `isActive`,
 * `isAuthenticated` and `isAnonymous` are booleans (own, inherited or getters). Returns what the
 * value is instead (`a string`, `an object without isActive (a boolean)`), or null for a user.
 */
export function notAUser (options: ResolvedLoginOptions, value: unknown): string | null {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || Array.isArray(value)) {
    return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`
  }
  const candidate = value as Record<string, unknown>
  const id = readId(options.idAttribute, candidate)
  // every request's loader answer passes here: a user costs no array, only a refusal builds its message
  if (typeof id === 'string' && hasFlags(candidate)) {
    return null
  }
  const missing = FLAGS.filter((flag) => typeof candidate[flag] !== 'boolean').map((flag) => `${flag} (a boolean)`)
  if (typeof id !== 'string') {
    missing.unshift(id.problem)
  }
  return `an object without ${missing.join(', ')}`
}

function hasFlags (candidate: Record<string, unknown>): boolean {
  return typeof candidate.isActive === 'boolean' && typeof candidate.isAuthenticated === 'boolean' &&
    typeof candidate.isAnonymous === 'boolean'
}

/** The user given to `loginUser` or `sessionCookieFor`: FST_LOGIN_INVALID_USER naming what is missing. */
export function checkUser (options: ResolvedLoginOptions, value: unknown): void {
  const problem = notAUser(options, value)
  if (problem !== null) {
    throw new FST_LOGIN_INVALID_USER(`it is ${problem}: a user needs ${options.idAttribute}() and the booleans isActive, isAuthenticated, isAnonymous (UserMixin has them)`)
  }
}

/**
 * A loader's answer as a user, or null for null/undefined. Anything else that is not a user (a
 * string, `true`, `0`, `{}`, a plain database row) is the application's mistake: a coded error
 * (a 500, logged), never a silent login.
 */
export function asUser (options: ResolvedLoginOptions, loader: string, value: unknown): User | null {
  if (value === null || value === undefined) {
    return null
  }
  const problem = notAUser(options, value)
  if (problem !== null) {
    throw new FST_LOGIN_NOT_A_USER(loader, problem)
  }
  return value as User
}
