import type { FastifyReply, FastifyRequest } from 'fastify'
import { IDLE_STATE, kLoginState, type LoginState, type RememberAction, type RequestWithState } from '../core/state.js'
import type { LoginContext } from '../context.js'

type Done = (error: Error | null, payload: unknown) => void

/** Adds `name` to the response's Vary header unless it (or `*`) is already there. */
function varyOn (name: string): (reply: FastifyReply) => void {
  const present = new RegExp(`(^|,)\\s*(${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|\\*)\\s*(,|$)`, 'i')
  return (reply) => {
    const vary = reply.getHeader('vary')
    if (vary === undefined) {
      reply.header('vary', name)
    } else if (!present.test(String(vary))) {
      reply.header('vary', `${String(vary)}, ${name}`)
    }
  }
}

/** `x-api-key` → `X-Api-Key`, as header names are usually written. */
function headerCase (name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase())
}

/**
 * onSend: writes or deletes the remember cookie, then the caching headers: `Vary: Cookie` when the
 * response depended on the user's cookies, `Vary: <authHeaderName>` when headerLoader read that
 * header, `Cache-Control: no-store` on every response that sets a cookie
 * (a shared cache must never hand one browser's session or remember cookie to another).
 */
export function createOnSend (ctx: LoginContext) {
  const { remember, engine } = ctx
  const addVaryCookie = varyOn('Cookie')
  const addVaryHeader = varyOn(headerCase(ctx.options.authHeaderName))

  function finish (request: FastifyRequest, reply: FastifyReply, state: LoginState, action: RememberAction | null): void {
    if (action !== null) {
      if (action.op === 'set') {
        remember.set(request, reply, action.value, action.maxAge)
      } else {
        remember.clear(request, reply)
      }
    }
    if (reply.hasHeader('set-cookie') || state.loginChanged) {
      reply.header('cache-control', 'no-store')
    }
    if (state.varies) {
      addVaryCookie(reply)
    }
    if (state.variesByHeader) {
      addVaryHeader(reply)
    }
  }

  return function onSend (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: Done): void {
    const state = (request as RequestWithState)[kLoginState]
    if (state === null) {
      done(null, payload)
      return
    }
    if (state === IDLE_STATE) {
      // nothing of fastify-login's to write: only another plugin's cookie needs no-store
      if (reply.hasHeader('set-cookie')) {
        reply.header('cache-control', 'no-store')
      }
      done(null, payload)
      return
    }
    const action = state.rememberAction
    // a re-issue decided when the request arrived must not outlive a logout that happened since
    // (a slow request in flight during the logout); stateless engines cannot know, stores can
    if (action?.op === 'set' && action.refresh === true && engine.stillExists !== undefined) {
      engine.stillExists(request).then((exists) => {
        finish(request, reply, state, exists ? action : null)
        done(null, payload)
      }, /* c8 ignore next */ (error: Error) => done(error, payload))
      return
    }
    finish(request, reply, state, action)
    done(null, payload)
  }
}
