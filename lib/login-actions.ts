import type { FastifyRequest } from 'fastify'
import type { LoginUserOptions, UserType as User } from '../types/index.js'
import { authHashOf, idOf, type LoginContext } from './context.js'
import { FST_LOGIN_INVALID_DURATION, FST_LOGIN_INVALID_USER } from './errors.js'
import { isDuration } from './options.js'
import { stateOf, writableState } from './request-state.js'
import { CSRF, FRESH, IDENTIFIER, USER_ID } from './session-keys.js'
import { applicationKeys, keysKeptByLogin, removeLogin, sameSecret, writeLogin } from './session-login.js'
import { sessionIdentifier } from './session-protection.js'

function checkDuration (duration: unknown): number | undefined {
  if (duration !== undefined && isDuration(duration) !== null) {
    throw new FST_LOGIN_INVALID_DURATION(typeof duration === 'number' ? String(duration) : typeof duration)
  }
  return duration as number | undefined
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
    if (wantsRemember) {
      const token = typeof user.getAuthToken === 'function' ? user.getAuthToken() : null
      rememberValue = remember.encode({ id, token, hash: authHashOf(user) }, duration)
      if (!remember.fits(rememberValue)) {
        throw new FST_LOGIN_INVALID_USER('its id or auth token is too long for the remember cookie (4096 bytes)')
      }
    }
    const state = writableState(this)
    await engine.rotate(this, keysKeptByLogin(ctx, this, id, user))
    writeLogin(ctx, this, user, id, fresh)

    if (rememberValue !== null) {
      state.rememberAction = { op: 'set', value: rememberValue, maxAge: duration }
    } else if (state.cookieSeen) {
      // a remember cookie of an earlier login must not bring that login back later
      state.rememberAction = { op: 'clear' }
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
    engine.set(this, FRESH, true)
    engine.set(this, IDENTIFIER, sessionIdentifier(this))
    state.loginChanged = true
    await engine.rotate(this, engine.keys(this).filter((key) => key !== CSRF))
    manager.emit('loginConfirmed', this, state.user)
  }

  function loginFresh (this: FastifyRequest): boolean {
    const state = stateOf(this)
    return state.user !== null && !state.stateless && engine.get(this, FRESH) === true
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
    state.remembered = typeof payload !== 'string' &&
      (payload.token !== null || sameSecret(payload.id, engine.get(this, USER_ID)))
    return state.remembered
  }

  return { loginUser, logoutUser, confirmLogin, loginFresh, loginRemembered }
}
