// The only writer of the login's session keys (login/keys.ts): a new login, its confirmation,
// its end, and what session protection and the idle clock change. Every rotation of the session
// happens here too, so "rotate, then write the login" has one definition.
import type { FastifyRequest } from 'fastify'
import type { ResolvedLoginOptions, UserType as User } from '../../types/index.js'
import { FST_LOGIN_STORE_UNAVAILABLE } from '../core/errors.js'
import { stateOf, writableState } from '../core/state.js'
import { authHashMatches, authHashOf } from '../core/user.js'
import type { SessionEngine } from '../session/engine.js'
import type { TrackedSessions } from '../tracked/sessions.js'
import { freshValue } from './fresh.js'
import { AUTH_HASH, CSRF, ENDED, FRESH, IDENTIFIER, LOGIN_AT, LOGIN_KEYS, LOGOUTS, NEXT, nowSeconds, SEEN_AT, SID, USER_ID } from './keys.js'
import type { LogoutCount } from './logout-count.js'
import type { Identifiers } from './protection.js'

/** What the login room works with: the registration's options, session engine, tracked sessions and identifiers. */
export interface LoginParts {
  readonly options: ResolvedLoginOptions
  readonly engine: SessionEngine
  /** Tracked sessions (`sessions` option), or null when off. */
  readonly tracked: TrackedSessions | null
  readonly identifiers: Identifiers
  /** The browser's logout count without `sessions` (login/logout-count.ts); else null. */
  readonly logouts: LogoutCount | null
}

/** Session auth hashes are not kept with `flask` (mode 'shared'): Flask-Login's logins carry none. */
export function hashesUnused (options: ResolvedLoginOptions): boolean {
  return options.flask?.mode === 'shared'
}

/** How long a rotation may wait for the engine's store without `sessions` (s): sessions.timeout's default. */
const ROTATION_TIMEOUT = 2

/**
 * The session rotates (keeping `keep`) within sessions.timeout: an engine whose store does not
 * answer (@fastify/session's regenerate) fails closed with the coded 503, it never holds the
 * request (SEC-29). Its other errors pass as they are.
 */
async function rotateSession (parts: LoginParts, request: FastifyRequest, keep: readonly string[]): Promise<void> {
  const ms = (parts.options.sessions?.timeout ?? ROTATION_TIMEOUT) * 1000
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new FST_LOGIN_STORE_UNAVAILABLE(`no answer from the session engine's store within ${ms} ms`)), ms)
  })
  try {
    await Promise.race([parts.engine.rotate(request, keep), late])
  } finally {
    clearTimeout(timer)
  }
}

/** The application's keys in the session: everything but the login and the CSRF secret. */
export function applicationKeys (parts: LoginParts, request: FastifyRequest): string[] {
  return parts.engine.keys(request).filter((key) => key !== CSRF && !LOGIN_KEYS.includes(key))
}

/**
 * The session keys a new login of `user` keeps: the application's keys when the session was
 * anonymous or held this same user with the same auth hash; nothing when it held someone else,
 * or a login that ended without a logout (Django's login(): flush, else cycle the key).
 */
export function keysKeptByLogin (parts: LoginParts, request: FastifyRequest, id: string, user: User): string[] {
  const { engine } = parts
  if (engine.get(request, ENDED) !== undefined) {
    return []
  }
  const previous = engine.get(request, USER_ID)
  if (previous !== undefined && (previous !== id || !authHashMatches(user, engine.get(request, AUTH_HASH), hashesUnused(parts.options)))) {
    return []
  }
  return applicationKeys(parts, request)
}

/**
 * The keys and values of a new login of `user`, made for the client with `identifier`, in the
 * tracked session `sid` (with `sessions`).
 */
export function loginEntries (options: ResolvedLoginOptions, user: User, id: string, fresh: boolean, identifier: string, sid: string | null): Record<string, unknown> {
  const entries: Record<string, unknown> = { [USER_ID]: id, [FRESH]: freshValue(fresh), [IDENTIFIER]: identifier }
  const hash = hashesUnused(options) ? null : authHashOf(user)
  if (hash !== null) entries[AUTH_HASH] = hash
  const now = nowSeconds()
  if (options.absoluteTimeout !== null) entries[LOGIN_AT] = now
  if (options.idleTimeout !== null) entries[SEEN_AT] = now
  if (sid !== null) entries[SID] = sid
  return entries
}

/**
 * @fastify/csrf-protection in its cookie mode keeps the CSRF secret in the `_csrf` cookie, not in
 * the session: it goes whenever the session's would. Dropped from the request, so a token made
 * later in this request gets a new secret; the response deletes the cookie unless it sets one.
 */
function dropCsrfCookie (request: FastifyRequest): void {
  const cookies = (request as { cookies?: Record<string, string | undefined> }).cookies
  if (cookies?.[CSRF] !== undefined) {
    delete cookies[CSRF]
    writableState(request).csrfCookieDropped = true
  }
}

/**
 * A new login: the session rotates (keeping what `keysKeptByLogin` allows), then holds the login
 * of `user`, and with `sessions` the id of its tracked session.
 */
export async function startLogin (parts: LoginParts, request: FastifyRequest, user: User, id: string, fresh: boolean, sid: string | null): Promise<void> {
  const { engine, options, identifiers } = parts
  await rotateSession(parts, request, keysKeptByLogin(parts, request, id, user))
  dropCsrfCookie(request)
  // an engine that keeps every key (Flask's cookie) still holds the end marker and the old login's times
  for (const key of LOGIN_KEYS) engine.remove(request, key)
  for (const [key, value] of Object.entries(loginEntries(options, user, id, fresh, identifiers.ofRequest(request), sid))) {
    engine.set(request, key, value)
  }
  // made after the browser's last logout: an answer in flight during that logout cannot end it
  const logouts = parts.logouts?.of(request) ?? 0
  if (logouts > 0) engine.set(request, LOGOUTS, logouts)
  writableState(request).loginChanged = true
}

/**
 * Removes the login from the session, keeping the application's keys. A login that ends without
 * a logout (timeout, revoked, user gone) leaves a marker: the next login starts a clean session.
 */
export function removeLogin (parts: LoginParts, request: FastifyRequest, ended = false): void {
  for (const key of LOGIN_KEYS) {
    parts.engine.remove(request, key)
  }
  if (ended) {
    parts.engine.set(request, ENDED, true)
  }
  writableState(request).loginChanged = true
}

/**
 * A logout: the session rotates keeping the application's keys, and holds no login. Without
 * `sessions`, the browser's logout count goes past the login's: no answer in flight brings that
 * login (or its remember cookie) back (SEC-27).
 */
export async function endLogin (parts: LoginParts, request: FastifyRequest): Promise<void> {
  const { engine, logouts } = parts
  const hadLogin = engine.get(request, USER_ID) !== undefined || stateOf(request).cookieSeen
  const count = logouts !== null && hadLogin ? logouts.next(request, engine.get(request, LOGOUTS)) : null
  await rotateSession(parts, request, applicationKeys(parts, request))
  dropCsrfCookie(request)
  removeLogin(parts, request)
  if (count !== null) writableState(request).logoutCount = count
}

/** The login's auth hash changed (password changed, logged out everywhere): the whole session goes (Django). */
export async function flushSession (parts: LoginParts, request: FastifyRequest): Promise<void> {
  await rotateSession(parts, request, [])
  writableState(request).loginChanged = true
}

/**
 * A re-authentication: fresh at once (loginFresh() is true before the promise settles), then the
 * session rotates, since re-authenticating is a privilege change too; the CSRF secret is dropped.
 */
export async function confirmFresh (parts: LoginParts, request: FastifyRequest): Promise<void> {
  const { engine } = parts
  engine.set(request, FRESH, freshValue(true))
  engine.set(request, IDENTIFIER, parts.identifiers.ofRequest(request))
  writableState(request).loginChanged = true
  await rotateSession(parts, request, engine.keys(request).filter((key) => key !== CSRF))
  dropCsrfCookie(request)
}

/** Basic session protection: the login is kept, no longer fresh. */
export function markNotFresh (parts: LoginParts, request: FastifyRequest): void {
  if (parts.engine.get(request, FRESH) !== false) {
    parts.engine.set(request, FRESH, false)
  }
}

/** A login issued by 0.1 holds its identifier in the old form: rewritten in the compact one. */
export function rewriteIdentifier (parts: LoginParts, request: FastifyRequest): void {
  parts.engine.set(request, IDENTIFIER, parts.identifiers.ofRequest(request))
}

/** The idle clock (idleTimeout): the last time the login was seen. */
export function recordSeen (parts: LoginParts, request: FastifyRequest, now: number): void {
  parts.engine.set(request, SEEN_AT, now)
}

/** useSessionForNext: where to go after the login. */
export function storeNext (parts: LoginParts, request: FastifyRequest, next: string): void {
  parts.engine.set(request, NEXT, next)
}

/** The `next` the session holds, removed as it is read (undefined when none). */
export function takeNext (parts: LoginParts, request: FastifyRequest): unknown {
  const next = parts.engine.get(request, NEXT)
  if (next !== undefined) {
    parts.engine.remove(request, NEXT)
  }
  return next
}
