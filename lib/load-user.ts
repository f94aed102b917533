import type { EventEmitter } from 'node:events'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { LoginEvents, UserType as User } from '../types/index.js'
import { idOf, nowSeconds, type LoginContext } from './context.js'
import { IDLE_STATE, kLoginState, LoginState, writableState, type RequestWithState } from './request-state.js'
import { AUTH_HASH, FRESH, IDENTIFIER, LOGIN_AT, NEXT, SEEN_AT, USER_ID } from './session-keys.js'
import { sessionIdentifier } from './session-protection.js'
import { authHashMatches, keysKeptByLogin, removeLogin, writeLogin } from './session-login.js'
import type { RememberPayload } from './remember-cookie.js'

type Event = { [K in keyof LoginEvents]: [K, ...LoginEvents[K]] }[keyof LoginEvents]
type Loaded = User | null | undefined

/** Result of the session step when it found no user: try the next loaders, or stop (strong protection). */
const NEXT_LOADER = null
const STOP = false

function debug (request: FastifyRequest, message: string): void {
  request.log.debug(`fastify-login: ${message}`)
}

function isThenable (value: unknown): value is PromiseLike<Loaded> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}

/**
 * The onRequest hook: loads `request.currentUser` once, in Flask-Login's order
 * (session → remember cookie → requestLoader → headerLoader), then fires the events.
 * A request without a session login, a remember cookie or a request/header loader does no work.
 */
export function createUserLoader (ctx: LoginContext) {
  const { options, engine, remember, manager } = ctx
  const consultsRequest = options.requestLoader !== undefined || options.headerLoader !== undefined
  const rememberName = remember.name
  const addLocals = options.addContextProcessor
  const { sessionProtection, absoluteTimeout, idleTimeout, userLoader, tokenLoader } = options

  // events are collected only while somebody listens
  let listening = false
  const emitter = manager as unknown as EventEmitter
  const isLoginEvent = (name: string | symbol): boolean => name !== 'newListener' && name !== 'removeListener'
  emitter.on('newListener', (name: string | symbol) => { listening ||= isLoginEvent(name) })
  emitter.on('removeListener', () => { listening = emitter.eventNames().some(isLoginEvent) })

  function endSessionLogin (request: FastifyRequest, reason: string): null {
    debug(request, `session login ended: ${reason}`)
    removeLogin(ctx, request, true)
    return NEXT_LOADER
  }

  async function fromSession (request: FastifyRequest, state: LoginState, id: unknown, events: Event[] | null): Promise<User | null | false> {
    if (typeof id !== 'string' || id === '') {
      return endSessionLogin(request, 'malformed user id')
    }
    if (sessionProtection !== false && sessionIdentifier(request) !== engine.get(request, IDENTIFIER)) {
      events?.push(['sessionProtected', request])
      if (sessionProtection === 'strong') {
        debug(request, 'session protection (strong): identifier changed, login removed')
        removeLogin(ctx, request, true)
        engine.remove(request, NEXT)
        if (state.cookieSeen) {
          state.rememberAction = { op: 'clear' }
        }
        return STOP
      }
      debug(request, 'session protection (basic): identifier changed, login marked not fresh')
      if (engine.get(request, FRESH) !== false) {
        engine.set(request, FRESH, false)
      }
    }
    let now = 0
    if (absoluteTimeout !== null) {
      now = nowSeconds()
      const loginAt = engine.get(request, LOGIN_AT)
      if (typeof loginAt !== 'number' || now - loginAt > absoluteTimeout) {
        return endSessionLogin(request, 'absoluteTimeout reached')
      }
    }
    let seenAt = 0
    if (idleTimeout !== null) {
      now = nowSeconds()
      const seen = engine.get(request, SEEN_AT)
      if (typeof seen !== 'number' || now - seen > idleTimeout) {
        return endSessionLogin(request, 'idleTimeout reached')
      }
      seenAt = seen
    }
    if (userLoader === undefined) {
      return NEXT_LOADER
    }
    let user = userLoader(id, request)
    if (isThenable(user)) {
      user = await user
    }
    if (user === null || user === undefined) {
      return endSessionLogin(request, 'userLoader found no user')
    }
    if (!authHashMatches(user, engine.get(request, AUTH_HASH))) {
      // revoked (password changed, logged out everywhere): flush the whole session (Django)
      debug(request, 'session login ended: session auth hash changed, session flushed')
      await engine.rotate(request, [])
      writableState(request).loginChanged = true
      return NEXT_LOADER
    }
    // the idle clock: written at most once per tenth of idleTimeout (at least a second apart)
    if (idleTimeout !== null && now - seenAt >= Math.max(1, idleTimeout / 10)) {
      engine.set(request, SEEN_AT, now)
    }
    engine.guardInFlight?.(request)
    return user
  }

  async function userFromCookie (request: FastifyRequest, payload: RememberPayload): Promise<User | null> {
    const user = payload.token !== null
      ? await tokenLoader?.(payload.token, request)
      : await userLoader?.(payload.id as string, request)
    if (user === null || user === undefined) {
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

  /** Re-issues a verified remember cookie when the response goes out (unless the login ended meanwhile). */
  function reissue (state: LoginState, claims: RememberPayload, duration: number): void {
    state.rememberAction = { op: 'set', value: remember.encode(claims, duration), maxAge: duration, refresh: true }
  }

  async function fromCookie (request: FastifyRequest, state: LoginState, value: string, events: Event[] | null): Promise<User | null> {
    const payload = remember.decode(value)
    if (typeof payload === 'string') {
      debug(request, `remember cookie rejected: ${payload}`)
      state.rememberAction = { op: 'clear' }
      return null
    }
    const user = await userFromCookie(request, payload)
    if (user === null) {
      state.rememberAction = { op: 'clear' }
      return null
    }
    // a restored login is a new login: rotate the session (fixation) and record the identifier
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
    events?.push(['loadedFromCookie', request, user])
    return user
  }

  async function fromRequest (request: FastifyRequest, events: Event[] | null): Promise<User | null> {
    if (options.requestLoader !== undefined) {
      const user = await options.requestLoader(request)
      if (user !== null && user !== undefined) {
        events?.push(['loadedFromRequest', request, user])
        return user
      }
    }
    if (options.headerLoader !== undefined) {
      const value = request.headers[options.authHeaderName]
      if (typeof value === 'string' && value !== '') {
        const user = await options.headerLoader(value, request)
        if (user !== null && user !== undefined) {
          events?.push(['loadedFromHeader', request, user])
          return user
        }
      }
    }
    return null
  }

  /** With refreshEachRequest, a session login re-issues the remember cookie the request carried. */
  function refreshCookie (state: LoginState, user: User, value: string): void {
    const payload = remember.decode(value)
    if (typeof payload !== 'string' && (payload.token !== null || payload.id === idOf(options, user))) {
      state.remembered = true
      reissue(state, payload, payload.duration)
    }
  }

  async function load (request: FastifyRequest, state: LoginState, sessionId: unknown, cookie: string | undefined): Promise<void> {
    const events: Event[] | null = listening ? [['accessed', request]] : null
    let user: User | null | false = NEXT_LOADER
    if (sessionId !== undefined) {
      state.varies = true
      user = await fromSession(request, state, sessionId, events)
      if (user !== NEXT_LOADER && user !== STOP && cookie !== undefined && options.rememberCookie.refreshEachRequest) {
        refreshCookie(state, user, cookie)
      }
    }
    if (user === NEXT_LOADER && cookie !== undefined) {
      state.varies = true
      user = await fromCookie(request, state, cookie, events)
    }
    if (user === NEXT_LOADER && consultsRequest) {
      user = await fromRequest(request, events)
      state.stateless = user !== null
    }
    state.user = user === STOP ? null : user
    request.currentUser = state.user ?? ctx.anonymous()
    if (events !== null) {
      for (const event of events) {
        Reflect.apply(manager.emit, manager, event)
      }
    }
  }

  // @fastify/view registered before fastify-login gives each reply `locals = {}`: add the user to it
  // (registered after, it reads the `locals` getter fastify-login decorated instead)
  const viewLocals = addLocals && ctx.viewLocals
  function setLocals (request: FastifyRequest, reply: FastifyReply): void {
    const locals = (reply as { locals?: Record<string, unknown> | null }).locals
    if (locals) {
      locals.currentUser = request.currentUser
    }
  }

  return function loadUser (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const sessionId = engine.get(request, USER_ID)
    const cookie = request.cookies[rememberName]
    if (sessionId === undefined && cookie === undefined && !consultsRequest) {
      (request as RequestWithState)[kLoginState] = IDLE_STATE
      request.currentUser = ctx.anonymous()
      if (viewLocals) setLocals(request, reply)
      done()
      return
    }
    const state = new LoginState()
    state.cookieSeen = cookie !== undefined
    ;(request as RequestWithState)[kLoginState] = state
    load(request, state, sessionId, cookie).then(() => {
      if (viewLocals) setLocals(request, reply)
      done()
    }, done)
  }
}
