import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { Guard } from '../types/index.js'
import type { LoginContext } from './context.js'

const PASS: Promise<void> = Promise.resolve()

/**
 * fastify.loginRequired and fastify.freshLoginRequired: preHandler (or onRequest) guards.
 *
 * Fastify calls a hook with `done`: a request that passes calls it at once (no promise, no
 * microtask on the hot path); a refused one returns the flow's promise, which settles once the
 * 401/redirect is sent (Fastify then stops the request). Called by the application without `done`
 * (`await app.loginRequired(request, reply)` inside its own hook), a guard returns a promise.
 */
export function createGuards (ctx: LoginContext): { loginRequired: Guard, freshLoginRequired: Guard } {
  const { options, manager } = ctx
  const exempt = new Set(options.exemptMethods)
  const disabled = options.disabled

  function pass (done: HookHandlerDoneFunction | undefined): Promise<void> | undefined {
    if (done === undefined) {
      return PASS
    }
    done()
    return undefined
  }

  function loginRequired (request: FastifyRequest, reply: FastifyReply, done?: HookHandlerDoneFunction): Promise<unknown> | undefined {
    if (disabled || exempt.has(request.method) || request.currentUser.isAuthenticated) {
      return pass(done)
    }
    return manager.unauthorized(request, reply)
  }

  function freshLoginRequired (request: FastifyRequest, reply: FastifyReply, done?: HookHandlerDoneFunction): Promise<unknown> | undefined {
    if (disabled || exempt.has(request.method)) {
      return pass(done)
    }
    if (!request.currentUser.isAuthenticated) {
      return manager.unauthorized(request, reply)
    }
    if (!request.loginFresh()) {
      return manager.needsRefresh(request, reply)
    }
    return pass(done)
  }

  // Guard's parameters are `unknown` (no inference candidates for route generics); these take any request.
  return { loginRequired: loginRequired as Guard, freshLoginRequired: freshLoginRequired as Guard }
}
