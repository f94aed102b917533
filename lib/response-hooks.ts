import type { FastifyReply, FastifyRequest } from 'fastify'
import type { LoginContext } from './context.js'
import { kLoginState, type RequestWithState } from './request-state.js'

function addVaryCookie (reply: FastifyReply): void {
  const vary = reply.getHeader('vary')
  if (vary === undefined) {
    reply.header('vary', 'Cookie')
  } else if (!/(^|,)\s*(cookie|\*)\s*(,|$)/i.test(String(vary))) {
    reply.header('vary', `${String(vary)}, Cookie`)
  }
}

/** onSend: writes or deletes the remember cookie and the caching headers of responses about a login. */
export function createOnSend (ctx: LoginContext) {
  const { remember } = ctx
  return function onSend (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void {
    const state = (request as RequestWithState)[kLoginState]
    if (state !== null) {
      const action = state.rememberAction
      if (action !== null) {
        if (action.op === 'set') {
          remember.set(request, reply, action.value, action.maxAge)
        } else {
          remember.clear(request, reply)
        }
      }
      if (action !== null || state.loginChanged) {
        reply.header('cache-control', 'no-store')
      }
      if (state.varies) {
        addVaryCookie(reply)
      }
    }
    done(null, payload)
  }
}
