// The request path: `request.currentUser` is loaded once, in onRequest, in Flask-Login's order.
//   1. the session's login        login/from-session.ts
//   2. the remember cookie        remember/restore.ts
//   3. requestLoader              hooks/request-loaders.ts
//   4. headerLoader               hooks/request-loaders.ts
// Each step is tried while the ones before found nobody. A step answers at once when the
// application's loaders do (no promise is created), or with a promise; `chain` continues either
// way. A request without a session login, a remember cookie or a request/header loader does no
// work at all. Then the events fire and @fastify/view's locals get the user.
import type { EventEmitter } from 'node:events'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { LoginManager } from '../../types/index.js'
import { chain, IDLE_STATE, kLoginState, LoginState, type Found, type LoginEvent, type Lookup, type MaybePromise, type RequestWithState } from '../core/state.js'
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

export function createOnRequest (ctx: LoginContext, manager: LoginManager) {
  const { options, engine, remember } = ctx
  const consultsRequest = options.requestLoader !== undefined || options.headerLoader !== undefined
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

  return function onRequest (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const userId = engine.get(request, USER_ID)
    const cookieSeen = request.cookies[rememberName] !== undefined
    if (userId === undefined && !cookieSeen && !consultsRequest) {
      (request as RequestWithState)[kLoginState] = IDLE_STATE
      request.currentUser = ctx.anonymous()
      loaded(request, reply, done)
      return
    }
    const state = new LoginState()
    state.cookieSeen = cookieSeen
    ;(request as RequestWithState)[kLoginState] = state
    let pending: MaybePromise<void>
    try {
      pending = lookUp(request, state, userId)
    } catch (error) {
      // a synchronous loader that throws: a 500, as a rejected promise would give
      done(error as Error)
      return
    }
    if (pending instanceof Promise) {
      pending.then(() => loaded(request, reply, done), done)
      return
    }
    loaded(request, reply, done)
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
