import type { EventEmitter } from 'node:events'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { shareWithViews, type LoginContext } from './context.js'
import { chain, type MaybePromise } from './maybe-promise.js'
import { STOP, type LoginEvent, type Run, type Step } from './load-run.js'
import { createRememberStep } from './remember-step.js'
import { createRequestSteps } from './request-steps.js'
import { IDLE_STATE, kLoginState, LoginState, type RequestWithState } from './request-state.js'
import { USER_ID } from './session-keys.js'
import { createSessionStep } from './session-step.js'

/** Events are collected only while somebody listens to one of them. */
function listeningFlag (manager: LoginContext['manager']): () => boolean {
  let listening = false
  const emitter = manager as unknown as EventEmitter
  const isLoginEvent = (name: string | symbol): boolean => name !== 'newListener' && name !== 'removeListener'
  emitter.on('newListener', (name: string | symbol) => { listening ||= isLoginEvent(name) })
  emitter.on('removeListener', () => { listening = emitter.eventNames().some(isLoginEvent) })
  return () => listening
}

/**
 * The onRequest hook: loads `request.currentUser` once, in Flask-Login's order, as a sequence of
 * steps (session → remember cookie → requestLoader → headerLoader), each tried while the previous
 * ones found nobody, then fires the events. A step answers at once when the application's loaders
 * do, so such a request creates no promise; one that waits continues the same steps when it
 * settles. A request without a session login, a remember cookie or a request/header loader does
 * no work at all.
 */
export function createUserLoader (ctx: LoginContext) {
  const { options, engine, remember, manager } = ctx
  const consultsRequest = options.requestLoader !== undefined || options.headerLoader !== undefined
  const refreshEachRequest = options.rememberCookie.refreshEachRequest
  const rememberName = remember.name
  const listening = listeningFlag(manager)
  const sessionStep = createSessionStep(ctx)
  const rememberStep = createRememberStep(ctx)
  const requestSteps = createRequestSteps(ctx)

  function afterSession (run: Run, found: Step): MaybePromise<void> {
    const cookie = run.request.cookies[rememberName]
    if (cookie !== undefined) {
      if (found === null) {
        run.state.varies = true
        return rememberStep.restore(run, cookie).then((user) => afterRemember(run, user))
      }
      if (found !== STOP && refreshEachRequest) {
        rememberStep.refresh(run, found, cookie)
      }
    }
    return afterRemember(run, found)
  }

  function afterRemember (run: Run, found: Step): MaybePromise<void> {
    if (found !== null || !consultsRequest) {
      return finish(run, found)
    }
    return chain(run, requestSteps(run), finishStateless)
  }

  function finishStateless (run: Run, found: Step): void {
    run.state.stateless = found !== null
    finish(run, found)
  }

  function finish (run: Run, found: Step): void {
    const { request, state, events } = run
    state.user = found === STOP ? null : found
    request.currentUser = state.user ?? ctx.anonymous()
    if (events !== null) {
      for (const event of events) {
        Reflect.apply(manager.emit, manager, event)
      }
    }
  }

  function load (request: FastifyRequest, state: LoginState, sessionId: unknown): MaybePromise<void> {
    const events: LoginEvent[] | null = listening() ? [['accessed', request]] : null
    const run: Run = { request, state, events, now: 0, seenAt: 0, id: '', entry: null }
    if (sessionId === undefined) {
      return afterSession(run, null)
    }
    state.varies = true
    return chain(run, sessionStep(run, sessionId), afterSession)
  }

  function loaded (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    shareWithViews(ctx, request, reply)
    done()
  }

  return function loadUser (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const sessionId = engine.get(request, USER_ID)
    const cookieSeen = request.cookies[rememberName] !== undefined
    if (sessionId === undefined && !cookieSeen && !consultsRequest) {
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
      pending = load(request, state, sessionId)
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
