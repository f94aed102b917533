import type { FastifyRequest } from 'fastify'
import type { UserType as User } from '../types/index.js'
import { idOf, type LoginContext } from './context.js'
import { debug, loadedUser, type Found, type Run } from './load-run.js'
import type { RememberPayload } from './remember-cookie.js'
import type { LoginState } from './request-state.js'
import { authHashMatches, keysKeptByLogin, sameSecret, writeLogin } from './session-login.js'
import { SID } from './session-keys.js'
import { createTrackedRemember } from './tracked-remember.js'

/**
 * Whether a verified remember cookie would log in this very user: its id (or its auth token) is
 * the user's, and it was issued with the user's current auth hash.
 */
export function cookieBelongsTo (ctx: LoginContext, request: FastifyRequest, payload: RememberPayload, user: User): boolean {
  if (payload.session !== null) {
    return payload.session.id === ctx.engine.get(request, SID)
  }
  const owner = payload.token !== null
    ? typeof user.getAuthToken === 'function' && sameSecret(user.getAuthToken(), payload.token)
    : payload.id === idOf(ctx.options, user)
  return owner && authHashMatches(user, payload.hash ?? undefined)
}

/** The remember-cookie step: restores a login, or re-issues the cookie of a session login. */
export function createRememberStep (ctx: LoginContext) {
  const { engine, options, remember } = ctx
  const { userLoader, tokenLoader } = options
  const restoreTracked = ctx.tracked === null ? null : createTrackedRemember(ctx, ctx.tracked)

  /** Re-issues a verified remember cookie when the response goes out (unless the login ended meanwhile). */
  function reissue (state: LoginState, claims: RememberPayload, duration: number): void {
    state.rememberAction = { op: 'set', value: remember.encode(claims, duration), maxAge: duration, refresh: true }
  }

  async function userFor (run: Run, payload: RememberPayload): Promise<Found> {
    const { request } = run
    const user = payload.token !== null
      ? loadedUser(ctx, 'tokenLoader', await tokenLoader?.(payload.token, request))
      : loadedUser(ctx, 'userLoader', await userLoader?.(payload.id as string, request))
    if (user === null) {
      debug(request, 'remember cookie rejected: no user for it')
      return null
    }
    if (!(user as { isActive: boolean }).isActive) {
      debug(request, 'remember cookie rejected: user is not active')
      return null
    }
    if (!authHashMatches(user, payload.hash ?? undefined)) {
      debug(request, 'remember cookie rejected: session auth hash changed')
      return null
    }
    return user
  }

  /** A login restored from the remember cookie: a new login, not fresh, in a rotated session. */
  async function restore (run: Run, value: string): Promise<Found> {
    const { request, state } = run
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
    if (restoreTracked !== null) {
      const restored = await restoreTracked(run, payload, userFor)
      if (restored === null) state.rememberAction = { op: 'clear' }
      return restored
    }
    const user = await userFor(run, payload)
    if (user === null) {
      state.rememberAction = { op: 'clear' }
      return null
    }
    const id = idOf(options, user)
    await engine.rotate(request, keysKeptByLogin(ctx, request, id, user))
    writeLogin(ctx, request, user, id, false)
    state.remembered = true
    if (options.rememberCookie.refreshEachRequest) {
      reissue(state, payload, payload.duration)
    } else if (payload.renew) {
      // signed with an older secret: re-sign with the current one, same server-side lifetime
      reissue(state, payload, payload.duration - (Date.now() / 1000 - payload.issuedAt))
    }
    run.events?.push(['loadedFromCookie', request, user])
    return user
  }

  /** refreshEachRequest: a session login re-issues the remember cookie, when that cookie is this user's. */
  function refresh (run: Run, user: User, value: string): void {
    const payload = remember.decode(value)
    if (typeof payload !== 'string' && cookieBelongsTo(ctx, run.request, payload, user)) {
      run.state.remembered = true
      reissue(run.state, payload, payload.duration)
      if (run.entry !== null) {
        // the entry lives as long as the re-issued cookie (same token)
        const until = Date.now() + payload.duration * 1000
        const tracked = ctx.tracked as NonNullable<LoginContext['tracked']>
        tracked.change(run.entry.id, { expiresAt: tracked.expiresAt(run.request, run.entry.createdAt, Date.now(), { until }) })
          .catch((error: Error) => run.request.log.warn({ err: error }, 'fastify-login: could not extend the tracked session'))
      }
    }
  }

  return { restore, refresh }
}
