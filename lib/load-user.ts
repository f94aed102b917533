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
/** What a loader step found: a user, or nobody. */
type Found = User | null
/** What the session step decided: a user, try the next loaders (NEXT_LOADER), or stop (STOP). */
type Step = User | null | false

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
  const { sessionProtection, absoluteTimeout, idleTimeout, userLoader, tokenLoader, requestLoader, headerLoader, authHeaderName } = options

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

  function fromSession (request: FastifyRequest, state: LoginState, id: unknown, events: Event[] | null): Step | Promise<Step> {
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
    const user = userLoader(id, request)
    if (isThenable(user)) {
      return Promise.resolve(user).then((loaded) => sessionUser(request, loaded, now, seenAt))
    }
    return sessionUser(request, user, now, seenAt)
  }

  /** The end of the session step, once userLoader answered. */
  function sessionUser (request: FastifyRequest, user: Loaded, now: number, seenAt: number): Step | Promise<Step> {
    if (user === null || user === undefined) {
      return endSessionLogin(request, 'userLoader found no user')
    }
    if (!authHashMatches(user, engine.get(request, AUTH_HASH))) {
      // revoked (password changed, logged out everywhere): flush the whole session (Django)
      debug(request, 'session login ended: session auth hash changed, session flushed')
      return engine.rotate(request, []).then(() => {
        writableState(request).loginChanged = true
        return NEXT_LOADER
      })
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

  function fromRequest (request: FastifyRequest, events: Event[] | null): Found | Promise<Found> {
    if (requestLoader !== undefined) {
      const user = requestLoader(request)
      if (isThenable(user)) {
        return Promise.resolve(user).then((loaded) => requestUser(request, events, loaded))
      }
      return requestUser(request, events, user)
    }
    return fromHeader(request, events)
  }

  function requestUser (request: FastifyRequest, events: Event[] | null, user: Loaded): Found | Promise<Found> {
    if (user === null || user === undefined) {
      return fromHeader(request, events)
    }
    events?.push(['loadedFromRequest', request, user])
    return user
  }

  function fromHeader (request: FastifyRequest, events: Event[] | null): Found | Promise<Found> {
    const value = headerLoader === undefined ? undefined : request.headers[authHeaderName]
    if (typeof value !== 'string' || value === '') {
      return null
    }
    writableState(request).variesByHeader = true
    const user = (headerLoader as NonNullable<typeof headerLoader>)(value, request)
    if (isThenable(user)) {
      return Promise.resolve(user).then((loaded) => headerUser(request, events, loaded))
    }
    return headerUser(request, events, user)
  }

  function headerUser (request: FastifyRequest, events: Event[] | null, user: Loaded): Found {
    if (user === null || user === undefined) {
      return null
    }
    events?.push(['loadedFromHeader', request, user])
    return user
  }

  /** With refreshEachRequest, a session login re-issues the remember cookie the request carried. */
  function refreshCookie (state: LoginState, user: User, value: string): void {
    const payload = remember.decode(value)
    if (typeof payload !== 'string' && (payload.token !== null || payload.id === idOf(options, user))) {
      state.remembered = true
      reissue(state, payload, payload.duration)
    }
  }

  // Each step below answers synchronously when the application's loaders do, so a request whose
  // loaders are synchronous costs no promise; a loader that returns a promise continues the same
  // steps when it settles.
  function load (request: FastifyRequest, state: LoginState, sessionId: unknown, cookie: string | undefined): void | Promise<void> {
    const events: Event[] | null = listening ? [['accessed', request]] : null
    if (sessionId === undefined) {
      return afterSession(request, state, cookie, events, NEXT_LOADER)
    }
    state.varies = true
    const step = fromSession(request, state, sessionId, events)
    return step instanceof Promise
      ? step.then((settled) => afterSession(request, state, cookie, events, settled))
      : afterSession(request, state, cookie, events, step)
  }

  function afterSession (request: FastifyRequest, state: LoginState, cookie: string | undefined, events: Event[] | null, step: Step): void | Promise<void> {
    if (cookie === undefined) {
      return afterCookie(request, state, events, step)
    }
    if (step === NEXT_LOADER) {
      state.varies = true
      return fromCookie(request, state, cookie, events).then((user) => afterCookie(request, state, events, user))
    }
    if (step !== STOP && options.rememberCookie.refreshEachRequest) {
      refreshCookie(state, step, cookie)
    }
    return afterCookie(request, state, events, step)
  }

  function afterCookie (request: FastifyRequest, state: LoginState, events: Event[] | null, step: Step): void | Promise<void> {
    if (step !== NEXT_LOADER || !consultsRequest) {
      return finish(request, state, events, step)
    }
    const found = fromRequest(request, events)
    if (found instanceof Promise) {
      return found.then((user) => {
        state.stateless = user !== null
        finish(request, state, events, user)
      })
    }
    state.stateless = found !== null
    return finish(request, state, events, found)
  }

  function finish (request: FastifyRequest, state: LoginState, events: Event[] | null, step: Step): void {
    state.user = step === STOP ? null : step
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
    let pending: void | Promise<void>
    try {
      pending = load(request, state, sessionId, cookie)
    } catch (error) {
      // a synchronous loader that throws: a 500, as a rejected promise would give
      done(error as Error)
      return
    }
    if (pending instanceof Promise) {
      pending.then(() => {
        if (viewLocals) setLocals(request, reply)
        done()
      }, done)
      return
    }
    if (viewLocals) setLocals(request, reply)
    done()
  }
}
