import type { FastifyReply, FastifyRequest } from 'fastify'
import type { LoginEvents, User } from '../types/index.js'
import { idOf, nowSeconds, type LoginContext } from './context.js'
import { kLoginState, LoginState, type RequestWithState } from './request-state.js'
import { FRESH, IDENTIFIER, LOGIN_AT, NEXT, SEEN_AT, USER_ID, AUTH_HASH } from './session-keys.js'
import { sessionIdentifier } from './session-protection.js'
import { applicationKeys, authHashMatches, removeLogin, writeLogin } from './session-login.js'
import type { RememberPayload } from './remember-cookie.js'

type Event = { [K in keyof LoginEvents]: [K, ...LoginEvents[K]] }[keyof LoginEvents]

/** Outcome of the session step. */
const enum SessionStep { NoLogin, Loaded, Ended, Refused }

function debug (request: FastifyRequest, message: string): void {
  request.log.debug(`fastify-login: ${message}`)
}

/**
 * The onRequest hook: loads `request.currentUser` once, in Flask-Login's order
 * (session → remember cookie → requestLoader → headerLoader), then fires the events.
 */
export function createUserLoader (ctx: LoginContext) {
  const { options, engine, remember, manager } = ctx
  const consultsRequest = options.requestLoader !== undefined || options.headerLoader !== undefined
  const rememberName = remember.name
  const addLocals = options.addContextProcessor

  async function fromSession (request: FastifyRequest, state: LoginState, id: unknown, events: Event[]): Promise<[SessionStep, User | null]> {
    if (typeof id !== 'string' || id === '') {
      debug(request, 'session login ignored: malformed user id')
      removeLogin(ctx, request)
      return [SessionStep.Ended, null]
    }
    if (options.sessionProtection !== false && sessionIdentifier(request) !== engine.get(request, IDENTIFIER)) {
      events.push(['sessionProtected', request])
      if (options.sessionProtection === 'strong') {
        debug(request, 'session protection (strong): identifier changed, login removed')
        removeLogin(ctx, request)
        engine.remove(request, NEXT)
        if (state.cookieSeen) {
          state.rememberAction = { op: 'clear' }
        }
        return [SessionStep.Refused, null]
      }
      debug(request, 'session protection (basic): identifier changed, login marked not fresh')
      if (engine.get(request, FRESH) !== false) {
        engine.set(request, FRESH, false)
      }
    }
    const now = nowSeconds()
    if (options.absoluteTimeout !== null) {
      const loginAt = engine.get(request, LOGIN_AT)
      if (typeof loginAt !== 'number' || now - loginAt > options.absoluteTimeout) {
        debug(request, 'session login ended: absoluteTimeout reached')
        removeLogin(ctx, request)
        return [SessionStep.Ended, null]
      }
    }
    let seenAt: unknown
    if (options.idleTimeout !== null) {
      seenAt = engine.get(request, SEEN_AT)
      if (typeof seenAt !== 'number' || now - seenAt > options.idleTimeout) {
        debug(request, 'session login ended: idleTimeout reached')
        removeLogin(ctx, request)
        return [SessionStep.Ended, null]
      }
    }
    if (options.userLoader === undefined) {
      return [SessionStep.NoLogin, null]
    }
    const user = await options.userLoader(id, request)
    if (user === null || user === undefined) {
      debug(request, 'session login ended: userLoader found no user')
      removeLogin(ctx, request)
      return [SessionStep.Ended, null]
    }
    if (!authHashMatches(user, engine.get(request, AUTH_HASH))) {
      debug(request, 'session login ended: session auth hash changed')
      removeLogin(ctx, request)
      return [SessionStep.Ended, null]
    }
    // the idle clock: written at most once per tenth of idleTimeout (at least a second apart)
    if (options.idleTimeout !== null && now - (seenAt as number) >= Math.max(1, options.idleTimeout / 10)) {
      engine.set(request, SEEN_AT, now)
    }
    return [SessionStep.Loaded, user]
  }

  async function userFromCookie (request: FastifyRequest, payload: RememberPayload): Promise<User | null> {
    const user = payload.token !== null
      ? await options.tokenLoader?.(payload.token, request)
      : await options.userLoader?.(payload.id as string, request)
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

  async function fromCookie (request: FastifyRequest, state: LoginState, value: string, events: Event[]): Promise<User | null> {
    const payload = remember.decode(value)
    const user = typeof payload === 'string' ? null : await userFromCookie(request, payload)
    if (typeof payload === 'string') {
      debug(request, `remember cookie rejected: ${payload}`)
    }
    if (user === null) {
      state.rememberAction = { op: 'clear' }
      return null
    }
    const claims = payload as RememberPayload
    // a restored login is a new login: rotate the session (fixation) and record the identifier
    await engine.rotate(request, applicationKeys(ctx, request))
    writeLogin(ctx, request, user, idOf(options, user), false)
    state.remembered = true
    if (options.rememberCookie.refreshEachRequest) {
      reissue(state, claims, claims.duration)
    } else if (claims.renew) {
      // signed with an older secret: re-sign with the current one, same server-side lifetime
      reissue(state, claims, claims.duration - (Date.now() / 1000 - claims.issuedAt))
    }
    events.push(['loadedFromCookie', request, user])
    return user
  }

  async function fromRequest (request: FastifyRequest, events: Event[]): Promise<User | null> {
    if (options.requestLoader !== undefined) {
      const user = await options.requestLoader(request)
      if (user !== null && user !== undefined) {
        events.push(['loadedFromRequest', request, user])
        return user
      }
    }
    if (options.headerLoader !== undefined) {
      const value = request.headers[options.authHeaderName]
      if (typeof value === 'string' && value !== '') {
        const user = await options.headerLoader(value, request)
        if (user !== null && user !== undefined) {
          events.push(['loadedFromHeader', request, user])
          return user
        }
      }
    }
    return null
  }

  function reissue (state: LoginState, claims: RememberPayload, duration: number): void {
    state.rememberAction = { op: 'set', value: remember.encode(claims, duration), maxAge: duration }
  }

  /** With refreshEachRequest, a session login re-issues the remember cookie the request carried. */
  function refreshCookie (request: FastifyRequest, state: LoginState, user: User, value: string): void {
    const payload = remember.decode(value)
    if (typeof payload !== 'string' && (payload.token !== null || payload.id === idOf(options, user))) {
      state.remembered = true
      reissue(state, payload, payload.duration)
    }
  }

  return async function loadUser (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const state = new LoginState()
    ;(request as RequestWithState)[kLoginState] = state
    const sessionId = engine.get(request, USER_ID)
    const cookie = request.cookies[rememberName]
    state.cookieSeen = cookie !== undefined
    let user: User | null = null

    if (sessionId !== undefined || state.cookieSeen || consultsRequest) {
      const events: Event[] = [['accessed', request]]
      let step = SessionStep.NoLogin
      if (sessionId !== undefined) {
        state.varies = true
        ;[step, user] = await fromSession(request, state, sessionId, events)
        if (step === SessionStep.Loaded) {
          engine.guardInFlight?.(request)
        }
      }
      if (step === SessionStep.Loaded && cookie !== undefined && options.rememberCookie.refreshEachRequest) {
        refreshCookie(request, state, user as User, cookie)
      }
      if (user === null && step !== SessionStep.Refused && cookie !== undefined) {
        state.varies = true
        user = await fromCookie(request, state, cookie, events)
      }
      if (user === null && step !== SessionStep.Refused && consultsRequest) {
        user = await fromRequest(request, events)
        state.stateless = user !== null
      }
      state.user = user
      request.currentUser = user ?? ctx.anonymous()
      for (const event of events) {
        Reflect.apply(manager.emit, manager, event)
      }
    } else {
      request.currentUser = ctx.anonymous()
    }
    if (addLocals) {
      const locals = (reply as { locals?: Record<string, unknown> | null }).locals
      if (locals) {
        locals.currentUser = request.currentUser
      } else {
        (reply as { locals?: Record<string, unknown> }).locals = { currentUser: request.currentUser }
      }
    }
  }
}
