import type { FastifyInstance, FastifyReply } from 'fastify'

const kLocals = Symbol('fastify-login.locals')

type ReplyWithLocals = FastifyReply & { [kLocals]: Record<string, unknown> | null }

/**
 * `reply.locals` with `currentUser` in it (Flask-Login's context processor), for a @fastify/view
 * registered after fastify-login, which finds `locals` and reads it: made on first read, per reply.
 * (A @fastify/view registered first owns `locals`: hooks/on-request.ts adds the user to it.)
 */
export function decorateViewLocals (fastify: FastifyInstance): void {
  fastify.decorateReply(kLocals, null)
  fastify.decorateReply('locals', {
    getter (this: ReplyWithLocals) {
      if (this[kLocals] === null) {
        this[kLocals] = { currentUser: this.request.currentUser }
      }
      return this[kLocals]
    },
    setter (this: ReplyWithLocals, value: Record<string, unknown> | null) {
      this[kLocals] = value
    }
  })
}
