import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Guard } from '../types/index.js'
import type { LoginContext } from './context.js'

/** fastify.loginRequired and fastify.freshLoginRequired: preHandler guards. */
export function createGuards (ctx: LoginContext): { loginRequired: Guard, freshLoginRequired: Guard } {
  const { options, manager } = ctx
  const exempt = new Set(options.exemptMethods)
  const disabled = options.disabled

  async function loginRequired (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (disabled || exempt.has(request.method)) {
      return
    }
    if (!request.currentUser.isAuthenticated) {
      // returning the reply tells Fastify the hook answered the request
      return manager.unauthorized(request, reply) as unknown as undefined
    }
  }

  async function freshLoginRequired (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (disabled || exempt.has(request.method)) {
      return
    }
    if (!request.currentUser.isAuthenticated) {
      return manager.unauthorized(request, reply) as unknown as undefined
    }
    if (!request.loginFresh()) {
      return manager.needsRefresh(request, reply) as unknown as undefined
    }
  }

  // Guard's parameters are `unknown` (no inference candidates for route generics); these take any request.
  return { loginRequired: loginRequired as Guard, freshLoginRequired: freshLoginRequired as Guard }
}
