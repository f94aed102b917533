import { timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { UserType as User } from '../types/index.js'
import { authHashOf, nowSeconds, type LoginContext } from './context.js'
import { AUTH_HASH, CSRF, ENDED, FRESH, IDENTIFIER, LOGIN_AT, LOGIN_KEYS, SEEN_AT, USER_ID } from './session-keys.js'
import { sessionIdentifier } from './session-protection.js'
import { writableState } from './request-state.js'
import { freshValue } from './fresh-window.js'

/** Constant-time equality of two strings (false when either is not a string). */
export function sameSecret (a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') {
    return false
  }
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** The user's current auth hash matches the one the login was made with (or the user has none). */
export function authHashMatches (user: User, stored: unknown): boolean {
  const current = authHashOf(user)
  return current === null ? stored === undefined || stored === null : sameSecret(current, stored)
}

/** The application's keys in the session: everything but the login and the CSRF secret. */
export function applicationKeys (ctx: LoginContext, request: FastifyRequest): string[] {
  return ctx.engine.keys(request).filter((key) => key !== CSRF && !LOGIN_KEYS.includes(key))
}

/** Writes a login into the (already rotated) session. */
export function writeLogin (ctx: LoginContext, request: FastifyRequest, user: User, id: string, fresh: boolean): void {
  const { engine, options } = ctx
  engine.set(request, USER_ID, id)
  engine.set(request, FRESH, freshValue(fresh))
  engine.set(request, IDENTIFIER, sessionIdentifier(request))
  const hash = authHashOf(user)
  if (hash !== null) {
    engine.set(request, AUTH_HASH, hash)
  }
  const now = nowSeconds()
  if (options.absoluteTimeout !== null) {
    engine.set(request, LOGIN_AT, now)
  }
  if (options.idleTimeout !== null) {
    engine.set(request, SEEN_AT, now)
  }
  writableState(request).loginChanged = true
}

/**
 * Removes the login from the session, keeping the application's keys. A login that ends without
 * a logout (timeout, revoked, user gone) leaves a marker: the next login starts a clean session.
 */
export function removeLogin (ctx: LoginContext, request: FastifyRequest, ended = false): void {
  for (const key of LOGIN_KEYS) {
    ctx.engine.remove(request, key)
  }
  if (ended) {
    ctx.engine.set(request, ENDED, true)
  }
  writableState(request).loginChanged = true
}

/**
 * The session keys a new login of `user` keeps: the application's keys when the session was
 * anonymous or held this same user with the same auth hash; nothing when it held someone else,
 * or a login that ended without a logout (Django's login(): flush, else cycle the key).
 */
export function keysKeptByLogin (ctx: LoginContext, request: FastifyRequest, id: string, user: User): string[] {
  const { engine } = ctx
  if (engine.get(request, ENDED) !== undefined) {
    return []
  }
  const previous = engine.get(request, USER_ID)
  if (previous !== undefined && (previous !== id || !authHashMatches(user, engine.get(request, AUTH_HASH)))) {
    return []
  }
  return applicationKeys(ctx, request)
}
