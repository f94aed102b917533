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

/** The user's id through `idAttribute`, as a non-empty string; throws a coded error otherwise. */
export function idOf (options: ResolvedLoginOptions, user: User): string {
  const method = (user as unknown as Record<string, unknown>)[options.idAttribute]
  if (typeof method !== 'function') {
    throw new FST_LOGIN_INVALID_USER(`it has no ${options.idAttribute}() method`)
  }
  const id: unknown = method.call(user)
  if ((typeof id !== 'string' && typeof id !== 'number') || id === '') {
    throw new FST_LOGIN_INVALID_USER(`${options.idAttribute}() must return a non-empty string`)
  }
  return String(id)
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

function describe (value: unknown): string {
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object without the user protocol'
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`
}

/**
 * A loader's answer as a user, or null for null/undefined. Anything else that is not a user (a
 * string, `true`, `0`, `{}`) is the application's mistake: a coded error (a 500, logged), never
 * a silent login.
 */
export function asUser (options: ResolvedLoginOptions, loader: string, value: unknown): User | null {
  if (value === null || value === undefined) {
    return null
  }
  const candidate = value as Record<string, unknown>
  if ((typeof value !== 'object' && typeof value !== 'function') ||
      !('isAuthenticated' in candidate) || !('isActive' in candidate) || !('isAnonymous' in candidate) ||
      typeof candidate[options.idAttribute] !== 'function') {
    throw new FST_LOGIN_NOT_A_USER(loader, describe(value))
  }
  return value as User
}
