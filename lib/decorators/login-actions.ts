import type { FastifyRequest } from 'fastify'
import type { LoginManager, LoginUserOptions, UserType as User } from '../../types/index.js'
import { FST_LOGIN_INVALID_DURATION, FST_LOGIN_NO_SESSION, FST_LOGIN_UNAUTHORIZED } from '../core/errors.js'
import { stateOf, writableState } from '../core/state.js'
import { checkUser, idOf } from '../core/user.js'
import { isFresh } from '../login/fresh.js'
import { currentSid, FRESH, SID } from '../login/keys.js'
import { confirmFresh, endLogin, startLogin } from '../login/write.js'
import { isDuration } from '../options/checks.js'
import { claimsFor } from '../remember/cookie.js'
import { cookieBelongsTo } from '../remember/restore.js'
import type { LoginContext } from '../context.js'
import { attachTrackedLogin, openTrackedLogin, type TrackedLogin } from './tracked-login.js'

function described (value: unknown): string {
  return typeof value === 'number' ? String(value) : typeof value
}

/** loginUser's `duration`: it becomes a cookie's lifetime, so at most 400 days. */
function checkDuration (duration: unknown): number | undefined {
  if (duration !== undefined && isDuration(duration) !== null) {
    throw new FST_LOGIN_INVALID_DURATION('duration must be a positive number of seconds, at most 34560000 (400 days)', described(duration))
  }
  return duration as number | undefined
}

/** loginFresh's `within`: any positive number of seconds. */
function checkWindow (within: unknown): number | undefined {
  if (within !== undefined && !(typeof within === 'number' && Number.isFinite(within) && within > 0)) {
    throw new FST_LOGIN_INVALID_DURATION('within must be a positive number of seconds', described(within))
  }
  return within as number | undefined
}

/** request.loginUser, request.logoutUser, request.confirmLogin, request.loginFresh, request.loginRemembered, request.loggedInUser. */
export function createLoginActions (ctx: LoginContext, manager: LoginManager) {
  const { engine, options, remember } = ctx

  /**
   * What a new login brings besides its session keys: with `sessions` its tracked session (null
   * when `maxPerUser` refuses it), and the remember cookie when asked for.
   */
  async function openLogin (request: FastifyRequest, user: User, id: string, wantsRemember: boolean, duration: number): Promise<TrackedLogin | { sid: null, rememberValue: string | null } | null> {
    if (ctx.tracked === null) {
      const logouts = ctx.logouts?.of(request) ?? 0
      return { sid: null, rememberValue: wantsRemember ? remember.issue(claimsFor(user, id, null, logouts), duration) : null }
    }
    if (engine.hasSession?.(request) === false) {
      throw new FST_LOGIN_NO_SESSION() // before the store gets an entry nobody could use
    }
    return openTrackedLogin(ctx, request, user, id, wantsRemember, duration)
  }

  async function loginUser (this: FastifyRequest, user: User, loginOptions: LoginUserOptions = {}): Promise<boolean> {
    const { remember: wantsRemember = false, force = false, fresh = true } = loginOptions
    const duration = checkDuration(loginOptions.duration) ?? options.rememberCookie.duration
    checkUser(options, user)
    if (!force && !(user as { isActive: boolean }).isActive) {
      return false
    }
    const id = idOf(options, user)
    const opened = await openLogin(this, user, id, wantsRemember, duration)
    if (opened === null) {
      return false
    }
    const state = writableState(this)
    try {
      await startLogin(ctx, this, user, id, fresh, opened.sid)
      if (opened.sid !== null) {
        await attachTrackedLogin(ctx, this, opened.sid)
      }
    } catch (error) {
      // a login that failed (a store that did not answer) leaves no tracked session behind
      await Promise.allSettled([ctx.tracked?.end(opened.sid, 'logout')])
      throw error
    }

    // the last login of a request decides the remember cookie: a cookie of an earlier login
    // (carried by the request, or set by an earlier loginUser of this one) must not bring it back
    if (opened.rememberValue !== null) {
      state.rememberAction = { op: 'set', value: opened.rememberValue, maxAge: duration }
    } else {
      state.rememberAction = state.cookieSeen ? { op: 'clear' } : null
    }
    state.user = user
    state.stateless = false
    state.remembered = false
    this.currentUser = user
    manager.emit('loggedIn', this, user)
    return true
  }

  async function logoutUser (this: FastifyRequest): Promise<true> {
    const user = this.currentUser
    const state = writableState(this)
    const sid = currentSid(engine, this)
    // the browser is logged out first: a store that fails (503) cannot leave it logged in, the
    // answer carries the new session and the remember cookie's deletion all the same
    await endLogin(ctx, this)
    state.rememberAction = state.cookieSeen ? { op: 'clear' } : null
    state.user = null
    state.remembered = false
    state.stateless = false
    this.currentUser = ctx.anonymous()
    await ctx.tracked?.end(sid, 'logout')
    manager.emit('loggedOut', this, user)
    return true
  }

  async function confirmLogin (this: FastifyRequest): Promise<void> {
    const state = writableState(this)
    if (state.user === null || state.stateless) {
      return
    }
    await confirmFresh(ctx, this)
    const sid = engine.get(this, SID)
    if (ctx.tracked !== null && typeof sid === 'string') {
      await ctx.tracked.attachEngine(this, sid)
    }
    manager.emit('loginConfirmed', this, state.user)
  }

  function loginFresh (this: FastifyRequest, within?: number): boolean {
    const window = ctx.freshWindow.of(this, checkWindow(within))
    const state = stateOf(this)
    return state.user !== null && !state.stateless && isFresh(engine.get(this, FRESH), window)
  }

  function loginRemembered (this: FastifyRequest): boolean {
    const state = stateOf(this)
    if (state.remembered) {
      return true
    }
    if (!state.cookieSeen || state.rememberAction?.op === 'clear' || state.user === null || state.stateless) {
      return false
    }
    const payload = remember.decode(this.cookies[remember.name] as string)
    state.remembered = typeof payload !== 'string' && cookieBelongsTo(ctx, this, payload, state.user)
    return state.remembered
  }

  /**
   * The logged-in user, typed as the application's user: for handlers behind a guard. A request
   * without one (a route someone forgot to guard) fails with the guards' 401, never a guest.
   */
  function loggedInUser (this: FastifyRequest): User {
    const user = this.currentUser
    if (!user.isAuthenticated) {
      throw new FST_LOGIN_UNAUTHORIZED(options.loginMessage ?? 'Unauthorized')
    }
    return user as User
  }

  return { loginUser, logoutUser, confirmLogin, loginFresh, loginRemembered, loggedInUser }
}
