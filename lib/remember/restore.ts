// Step 2 of the lookup (hooks/on-request.ts): the remember cookie restores a login, or the
// session login re-issues it (refreshEachRequest).
import type { FastifyRequest } from 'fastify'
import type { StoredSession, UserType as User } from '../../types/index.js'
import { debug } from '../core/log.js'
import type { Found, LoginState, Lookup } from '../core/state.js'
import { asUser, authHashMatches, idOf, sameSecret } from '../core/user.js'
import { SID } from '../login/keys.js'
import { hashesUnused, startLogin } from '../login/write.js'
import { carriesCookies, type RememberParts, type RememberPayload, type UserOfCookie } from './cookie.js'
import { rememberHashOf } from '../tracked/tokens.js'
import { createRotation } from './rotation.js'

/**
 * Whether a verified remember cookie would log in this very user: its id (or its auth token) is
 * the user's, and it was issued with the user's current auth hash.
 */
export function cookieBelongsTo (parts: RememberParts, request: FastifyRequest, payload: RememberPayload, user: User): boolean {
  if (payload.session !== null) {
    return payload.session.id === parts.engine.get(request, SID)
  }
  const owner = payload.token !== null
    ? typeof user.getAuthToken === 'function' && sameSecret(user.getAuthToken(), payload.token)
    : payload.id === idOf(parts.options, user)
  return owner && authHashMatches(user, payload.hash ?? undefined, hashesUnused(parts.options))
}

/** The remember-cookie step: restores a login, or re-issues the cookie of a session login. */
export function createRememberStep (parts: RememberParts) {
  const { engine, options, remember } = parts
  const { userLoader, tokenLoader } = options
  const rotate = parts.tracked === null ? null : createRotation(parts, parts.tracked)

  /** Re-issues a verified remember cookie when the response goes out (unless the login ended meanwhile). */
  function reissue (state: LoginState, claims: RememberPayload, duration: number): void {
    state.rememberAction = { op: 'set', value: remember.issue(claims, duration), maxAge: duration, refresh: true }
  }

  const userOfCookie: UserOfCookie = async (lookup, payload) => {
    const { request } = lookup
    const user = payload.token !== null
      ? asUser(options, 'tokenLoader', await tokenLoader?.(payload.token, request))
      : asUser(options, 'userLoader', await userLoader?.(payload.id as string, request))
    if (user === null) {
      debug(request, 'remember cookie rejected: no user for it')
      return null
    }
    if (!(user as { isActive: boolean }).isActive) {
      debug(request, 'remember cookie rejected: user is not active')
      return null
    }
    if (!authHashMatches(user, payload.hash ?? undefined, hashesUnused(options))) {
      debug(request, 'remember cookie rejected: session auth hash changed')
      return null
    }
    return user
  }

  /** A login restored from the remember cookie: a new login, not fresh, in a rotated session. */
  async function restore (lookup: Lookup, value: string): Promise<Found> {
    const { request, state } = lookup
    if (engine.hasSession?.(request) === false) {
      debug(request, 'remember cookie not used: the request has no session (outside cookie.path?)')
      return null
    }
    const payload = remember.decode(value)
    if (typeof payload === 'string') {
      debug(request, `remember cookie rejected: ${payload}`)
      state.rememberAction = { op: 'clear' }
      return null
    }
    const user = rotate !== null ? await rotate(lookup, payload, userOfCookie) : await restorePlain(lookup, payload)
    if (user === null) {
      state.rememberAction = { op: 'clear' }
      return null
    }
    state.remembered = true
    lookup.events?.push(['loadedFromCookie', request, user])
    return user
  }

  /** Without `sessions`: the cookie names the user (or its auth token). */
  async function restorePlain (lookup: Lookup, payload: RememberPayload): Promise<Found> {
    if (madeBeforeLogout(lookup.request, payload)) {
      debug(lookup.request, 'remember cookie rejected: it was issued before the browser\'s last logout')
      return null
    }
    const user = await userOfCookie(lookup, payload)
    if (user === null || !carriesCookies(lookup.request)) {
      // an upgrade: logged in for this request only, the session is not rewritten (SEC-26)
      return user
    }
    await startLogin(parts, lookup.request, user, idOf(options, user), false, null)
    if (options.rememberCookie.refreshEachRequest) {
      reissue(lookup.state, payload, payload.duration)
    } else if (payload.renew) {
      // signed with an older secret: re-sign with the current one, same server-side lifetime
      reissue(lookup.state, payload, payload.duration - (Date.now() / 1000 - payload.issuedAt))
    }
    return user
  }

  /**
   * refreshEachRequest: a session login re-issues the remember cookie, when that cookie is this
   * user's and, with `sessions`, holds its session's current token (never a previous one).
   */
  function refresh (lookup: Lookup, user: User, value: string): void {
    const payload = remember.decode(value)
    if (typeof payload !== 'string' && madeBeforeLogout(lookup.request, payload)) {
      // brought back by an answer in flight during a logout: the login since is not a remembered one
      lookup.state.rememberAction = { op: 'clear' }
      return
    }
    if (typeof payload !== 'string' && cookieBelongsTo(parts, lookup.request, payload, user) && isCurrent(lookup, payload)) {
      lookup.state.remembered = true
      reissue(lookup.state, payload, payload.duration)
      if (lookup.entry !== null) {
        // the entry lives as long as the re-issued cookie (same token)
        const until = Date.now() + payload.duration * 1000
        const tracked = parts.tracked as NonNullable<RememberParts['tracked']>
        tracked.change(lookup.entry.id, { expiresAt: tracked.expiresAt(lookup.request, lookup.entry.createdAt, Date.now(), { until }) })
          .catch((error: Error) => lookup.request.log.warn({ err: error }, 'fastify-login: could not extend the tracked session'))
      }
    }
  }

  /** SEC-27 without `sessions`: a remember cookie of a login made before the browser's last logout. */
  function madeBeforeLogout (request: FastifyRequest, payload: RememberPayload): boolean {
    return parts.logouts !== null && payload.logouts !== null && payload.logouts < parts.logouts.of(request)
  }

  /** Without `sessions` every cookie of the user is current; with it, only the entry's token. */
  function isCurrent (lookup: Lookup, payload: RememberPayload): boolean {
    const token = payload.session?.token
    return token === undefined || sameSecret((lookup.entry as StoredSession).rememberHash, rememberHashOf(token))
  }

  return { restore, refresh }
}
