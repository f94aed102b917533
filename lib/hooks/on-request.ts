// The request path: `request.currentUser` is loaded once, in onRequest, in Flask-Login's order.
//   1. the session's login        login/from-session.ts
//   2. the remember cookie        remember/restore.ts
//   3. requestLoader              hooks/request-loaders.ts
//   4. headerLoader               hooks/request-loaders.ts
// Each step is tried while the ones before found nobody. A step answers at once when the
// application's loaders do (no promise is created), or with a promise; `chain` continues either
// way. A request that no step would consult (no session login, no remember cookie, no
// requestLoader, no headerLoader header) does no work at all; one that only requestLoader would
// consult, while nobody listens to the events, asks it directly (no per-request state unless it
// finds a user). Then the events fire and @fastify/view's locals get the user.
import type { EventEmitter } from 'node:events'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { LoginManager } from '../../types/index.js'
import { chain, IDLE_STATE, isThenable, kLoginState, LoginState, type Found, type LoginEvent, type Lookup, type MaybePromise, type RequestWithState } from '../core/state.js'
import { asUser } from '../core/user.js'
import { USER_ID } from '../login/keys.js'
import { createSessionStep } from '../login/from-session.js'
import { createRememberStep } from '../remember/restore.js'
import type { LoginContext } from '../context.js'
import { watchDelivery } from './on-send.js'
import { createRequestLoaders } from './request-loaders.js'

/** Events are collected only while somebody listens to one of them. */
function listeningFlag (manager: LoginManager): () => boolean {
  let listening = false
  const emitter = manager as unknown as EventEmitter
  const isLoginEvent = (name: string | symbol): boolean => name !== 'newListener' && name !== 'removeListener'
  emitter.on('newListener', (name: string | symbol) => { listening ||= isLoginEvent(name) })
  emitter.on('removeListener', () => { listening = emitter.eventNames().some(isLoginEvent) })
  return () => listening
}

/**
 * @fastify/view registered before fastify-login gives each reply `locals = {}`: the user is added
 * to it (registered after, it reads the `locals` getter decorators/view-locals.ts adds instead).
 */
function shareWithViews (ctx: LoginContext, request: FastifyRequest, reply: FastifyReply): void {
  if (ctx.options.addContextProcessor && ctx.viewLocals) {
    const locals = (reply as { locals?: Record<string, unknown> | null }).locals
    if (locals) locals.currentUser = request.currentUser
  }
}

/** The request's user as requestLoader alone answered it: no state unless it found one. */
function settleStateless (ctx: LoginContext, request: FastifyRequest, value: unknown): void {
  const user = asUser(ctx.options, 'requestLoader', value)
  if (user === null) {
    (request as RequestWithState)[kLoginState] = IDLE_STATE
    request.currentUser = ctx.anonymous()
    return
  }
  const state = new LoginState()
  state.stateless = true
  state.user = user
  ;(request as RequestWithState)[kLoginState] = state
  request.currentUser = user
}

export function createOnRequest (ctx: LoginContext, manager: LoginManager) {
  const { options, engine, remember } = ctx
  const { requestLoader, headerLoader, authHeaderName } = options
  /** Whether headerLoader would be consulted: it is given and the request carries its header. */
  const consultsHeader = (request: FastifyRequest): boolean => {
    const value = headerLoader === undefined ? undefined : request.headers[authHeaderName]
    return typeof value === 'string' && value !== ''
  }
  const consultsRequest = requestLoader !== undefined || headerLoader !== undefined
  const refreshEachRequest = options.rememberCookie.refreshEachRequest
  const rememberName = remember.name
  const listening = listeningFlag(manager)
  const fromSession = createSessionStep(ctx)
  const rememberStep = createRememberStep(ctx)
  const fromRequest = createRequestLoaders(ctx)

  function lookUp (request: FastifyRequest, state: LoginState, userId: unknown): MaybePromise<void> {
    const events: LoginEvent[] | null = listening() ? [['accessed', request]] : null
    const lookup: Lookup = { request, state, events, now: 0, seenAt: 0, userId: '', entry: null, stopped: false }
    if (userId === undefined) {
      return afterSession(lookup, null)
    }
    state.varies = true
    return chain(lookup, fromSession(lookup, userId), afterSession)
  }

  function afterSession (lookup: Lookup, found: Found): MaybePromise<void> {
    const cookie = lookup.request.cookies[rememberName]
    if (cookie !== undefined && !lookup.stopped) {
      if (found === null) {
        lookup.state.varies = true
        return chain(lookup, rememberStep.restore(lookup, cookie), afterRemember)
      }
      if (refreshEachRequest) {
        rememberStep.refresh(lookup, found, cookie)
      }
    }
    return afterRemember(lookup, found)
  }

  function afterRemember (lookup: Lookup, found: Found): MaybePromise<void> {
    if (found !== null || lookup.stopped || !consultsRequest) {
      return finish(lookup, found)
    }
    return chain(lookup, fromRequest(lookup), finishStateless)
  }

  function finishStateless (lookup: Lookup, found: Found): void {
    lookup.state.stateless = found !== null
    finish(lookup, found)
  }

  function finish (lookup: Lookup, found: Found): void {
    const { request, state, events } = lookup
    state.user = found
    request.currentUser = found ?? ctx.anonymous()
    if (events !== null) {
      for (const event of events) {
        Reflect.apply(manager.emit, manager, event)
      }
    }
  }

  function loaded (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const state = (request as RequestWithState)[kLoginState]
    if (state.undoRotation !== null) watchDelivery(request, reply, state)
    shareWithViews(ctx, request, reply)
    done()
  }

  /** Only requestLoader would be consulted and nobody listens: ask it, without a lookup. */
  function statelessOnly (request: FastifyRequest): MaybePromise<void> {
    const value = (requestLoader as NonNullable<typeof requestLoader>)(request)
    if (isThenable(value)) {
      return Promise.resolve(value).then((settled) => settleStateless(ctx, request, settled))
    }
    settleStateless(ctx, request, value)
  }

  /** Nothing to consult: the shared idle state. */
  function idle (request: FastifyRequest): void {
    (request as RequestWithState)[kLoginState] = IDLE_STATE
    request.currentUser = ctx.anonymous()
  }

  /** Continues the request once the user is known (at once, or when `pending` settles). */
  function proceed (pending: MaybePromise<void>, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    if (pending instanceof Promise) {
      pending.then(() => loaded(request, reply, done), done)
      return
    }
    loaded(request, reply, done)
  }

  /** A request without a session login or remember cookie needs no lookup unless headerLoader or a listener wants one. */
  const withoutLookup = (request: FastifyRequest): boolean =>
    !consultsHeader(request) && (requestLoader === undefined || !listening())

  return function onRequest (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const userId = engine.get(request, USER_ID)
    const cookieSeen = request.cookies[rememberName] !== undefined
    let pending: MaybePromise<void>
    if (userId === undefined && !cookieSeen && withoutLookup(request)) {
      try {
        pending = requestLoader === undefined ? idle(request) : statelessOnly(request)
      } catch (error) {
        // a synchronous requestLoader that throws (or answers something that is not a user): a 500
        done(error as Error)
        return
      }
      proceed(pending, request, reply, done)
      return
    }
    const state = new LoginState()
    state.cookieSeen = cookieSeen
    ;(request as RequestWithState)[kLoginState] = state
    try {
      pending = lookUp(request, state, userId)
    } catch (error) {
      // a synchronous loader that throws: a 500, as a rejected promise would give
      done(error as Error)
      return
    }
    proceed(pending, request, reply, done)
  }
}

/**
 * onError (runs before the application's error handler): a request whose user was never loaded,
 * because the session plugin or an earlier hook failed before the onRequest hook ran (or a
 * loader threw), is anonymous there, so `currentUser` is never null and the request methods
 * answer as for a request without credentials. Costs nothing on requests without errors.
 */
export function createOnError (ctx: LoginContext) {
  return function onError (request: FastifyRequest, reply: FastifyReply, _error: Error, done: () => void): void {
    if ((request.currentUser as unknown) === null) {
      request.currentUser = ctx.anonymous()
      const withState = request as RequestWithState
      withState[kLoginState] ??= IDLE_STATE
      shareWithViews(ctx, request, reply)
    }
    done()
  }
}
