import type { FastifyRequest } from 'fastify'
import { stateOf } from '../core/state.js'
import type { SessionEngine } from '../session/engine.js'

/** Session keys written by fastify-login (Flask-Login's names where Flask-Login has one). */
export const USER_ID = '_user_id'
export const FRESH = '_fresh'
export const IDENTIFIER = '_id'
export const AUTH_HASH = '_auth_hash'
export const LOGIN_AT = '_login_at'
export const SEEN_AT = '_seen_at'
export const NEXT = 'next'
/** Set when a login ended without a logout (timeout, revoked, user gone): the next login flushes the session. */
export const ENDED = '_login_ended'
/** With `sessions`: the id of the tracked session this login belongs to. */
export const SID = '_sid'
/** On a session that lives in its cookie: the browser's logouts before this login (login/logout-count.ts); absent: 0. */
export const LOGOUTS = '_logouts'
/** @fastify/csrf-protection's secret: always dropped when a login changes. */
export const CSRF = '_csrf'
/** Flask-Login's: the remember cookie's pending operation and a login's remember duration (`flask` option). */
export const REMEMBER = '_remember'
export const REMEMBER_SECONDS = '_remember_seconds'

/** The keys that make up a login; removed together on logout and by strong protection. */
export const LOGIN_KEYS: readonly string[] = [USER_ID, FRESH, IDENTIFIER, AUTH_HASH, LOGIN_AT, SEEN_AT, SID, LOGOUTS, ENDED, REMEMBER, REMEMBER_SECONDS]

/** The session's times (`_login_at`, `_seen_at`, `_fresh`) are whole seconds since the epoch. */
export function nowSeconds (): number {
  return Math.floor(Date.now() / 1000)
}

/**
 * The tracked session the request's login belongs to: the one its session names, or the one a
 * remember-cookie restore logged in for this request only (inside the rotation grace, or on an
 * upgrade, where nothing is written to the session).
 */
export function currentSid (engine: SessionEngine, request: FastifyRequest): string | undefined {
  const sid = engine.get(request, SID)
  return typeof sid === 'string' ? sid : stateOf(request).transientSid ?? undefined
}
