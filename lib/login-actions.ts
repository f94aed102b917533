import type { FastifyRequest } from 'fastify'
import type { LoginUserOptions, UserType as User } from '../types/index.js'
import { authHashOf, idOf, type LoginContext } from './context.js'
import { FST_LOGIN_INVALID_DURATION, FST_LOGIN_INVALID_USER, FST_LOGIN_NO_SESSION } from './errors.js'
import { isDuration } from './options.js'
import { stateOf, writableState } from './request-state.js'
import { CSRF, FRESH, IDENTIFIER, SID } from './session-keys.js'
import { attachTrackedLogin, openTrackedLogin, type TrackedLogin } from './tracked-login.js'
import { freshValue, isFresh } from './fresh-window.js'
import { cookieBelongsTo } from './remember-step.js'
import { applicationKeys, keysKeptByLogin, removeLogin, writeLogin } from './session-login.js'
import { sessionIdentifier } from './session-protection.js'

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

/** request.loginUser, request.logoutUser, request.confirmLogin, request.loginFresh, request.loginRemembered. */
export function createLoginActions (ctx: LoginContext) {
  const { engine, options, remember, manager } = ctx

  async function loginUser (this: FastifyRequest, user: User, loginOptions: LoginUserOptions = {}): Promise<boolean> {
    const { remember: wantsRemember = false, force = false, fresh = true } = loginOptions
    const duration = checkDuration(loginOptions.duration) ?? options.rememberCookie.duration
    if (user === null || typeof user !== 'object') {
      throw new FST_LOGIN_INVALID_USER('loginUser needs a user object')
    }
    if (!force && !(user as { isActive: boolean }).isActive) {
      return false
    }
    const id = idOf(options, user)
    let rememberValue: string | null = null
    let opened: TrackedLogin | null = null
    if (ctx.tracked !== null) {
      if (engine.hasSession?.(this) === false) {
        throw new FST_LOGIN_NO_SESSION() // before the store gets an entry nobody could use
      }
      opened = await openTrackedLogin(ctx, this, user, id, wantsRemember, duration)
      if (opened === null) {
        return false
      }
      rememberValue = opened.rememberValue
    } else if (wantsRemember) {
      const token = typeof user.getAuthToken === 'function' ? user.getAuthToken() : null
      rememberValue = remember.encode({ id, token, hash: authHashOf(user) }, duration)
      if (!remember.fits(rememberValue)) {
        throw new FST_LOGIN_INVALID_USER('its id or auth token is too long for the remember cookie (4096 bytes)')
      }
    }
    const state = writableState(this)
    await engine.rotate(this, keysKeptByLogin(ctx, this, id, user))
    writeLogin(ctx, this, user, id, fresh)
    if (opened !== null) {
      await attachTrackedLogin(ctx, this, opened.sid)
    }

    // the last login of a request decides the remember cookie: a cookie of an earlier login
    // (carried by the request, or set by an earlier loginUser of this one) must not bring it back
    if (rememberValue !== null) {
      state.rememberAction = { op: 'set', value: rememberValue, maxAge: duration }
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
    await ctx.tracked?.end(engine.get(this, SID))
    await engine.rotate(this, applicationKeys(ctx, this))
    removeLogin(ctx, this)
    state.rememberAction = state.cookieSeen ? { op: 'clear' } : null
    state.user = null
    state.remembered = false
    state.stateless = false
    this.currentUser = ctx.anonymous()
    manager.emit('loggedOut', this, user)
    return true
  }

  async function confirmLogin (this: FastifyRequest): Promise<void> {
    const state = writableState(this)
    if (state.user === null || state.stateless) {
      return
    }
    // fresh at once (loginFresh() is true even before the promise settles), then the session
    // rotates: re-authentication is a privilege change too, so a new session keeps the login
    engine.set(this, FRESH, freshValue(true))
    engine.set(this, IDENTIFIER, sessionIdentifier(this))
    state.loginChanged = true
    await engine.rotate(this, engine.keys(this).filter((key) => key !== CSRF))
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

  return { loginUser, logoutUser, confirmLogin, loginFresh, loginRemembered }
}
