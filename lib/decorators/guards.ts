import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { Guard } from '../../types/index.js'
import type { LoginContext } from '../context.js'
import { runFlow, type FlowRunner } from './flows.js'
import { kFlows, kSwitch, type LoginManager } from './manager.js'

const PASS: Promise<void> = Promise.resolve()

/**
 * fastify.loginRequired and fastify.freshLoginRequired: preHandler (or onRequest) guards.
 *
 * Fastify calls a hook with `done`: a request that passes calls it at once (no promise, no
 * microtask on the hot path); a refused one either fails with the flow's 401 (`done(error)`: the
 * application's error handler, or Fastify's default one, answers it; @fastify/auth tries its next
 * strategy) or is redirected and, as a callback-style hook that sent the reply, never calls
 * `done`; while an application's flow handler runs, the guard returns its promise and Fastify
 * waits. Called without `done` (`await app.loginRequired(request, reply)` inside the
 * application's own hook), a guard returns a promise, rejected with the 401.
 */
export function createGuards (ctx: LoginContext, manager: LoginManager): { loginRequired: Guard, freshLoginRequired: Guard } {
  const { options } = ctx
  const exempt = new Set(options.exemptMethods)
  const flows = manager[kFlows]
  const guardSwitch = manager[kSwitch]

  function pass (done: HookHandlerDoneFunction | undefined): Promise<void> | undefined {
    if (done === undefined) {
      return PASS
    }
    done()
    return undefined
  }

  function refuse (flow: FlowRunner, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction | undefined): Promise<unknown> | undefined {
    if (done === undefined) {
      return runFlow(flow, request, reply)
    }
    const outcome = flow(request, reply)
    if (outcome instanceof Error) {
      done(outcome)
      return undefined
    }
    return outcome instanceof Promise ? outcome : undefined
  }

  function loginRequired (request: FastifyRequest, reply: FastifyReply, done?: HookHandlerDoneFunction): Promise<unknown> | undefined {
    if (guardSwitch.disabled || exempt.has(request.method) || request.currentUser.isAuthenticated) {
      return pass(done)
    }
    return refuse(flows.unauthorized, request, reply, done)
  }

  function freshLoginRequired (request: FastifyRequest, reply: FastifyReply, done?: HookHandlerDoneFunction): Promise<unknown> | undefined {
    if (guardSwitch.disabled || exempt.has(request.method)) {
      return pass(done)
    }
    if (!request.currentUser.isAuthenticated) {
      return refuse(flows.unauthorized, request, reply, done)
    }
    if (!request.loginFresh()) {
      return refuse(flows.needsRefresh, request, reply, done)
    }
    return pass(done)
  }

  // Guard's parameters are `unknown` (no inference candidates for route generics); these take any request.
  return { loginRequired: loginRequired as Guard, freshLoginRequired: freshLoginRequired as Guard }
}
