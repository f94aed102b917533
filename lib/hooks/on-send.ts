import type { FastifyReply, FastifyRequest } from 'fastify'
import { IDLE_STATE, kLoginState, type LoginState, type RememberAction, type RequestWithState } from '../core/state.js'
import type { LoginContext } from '../context.js'
import { CSRF } from '../login/keys.js'

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

/** A Set-Cookie header (or several, joined by commas) that sets or deletes the CSRF cookie. */
const SETS_CSRF = new RegExp(`(^|,)\\s*${CSRF}=`)

/** The response sets (or deletes) the CSRF cookie itself. */
function setsCsrfCookie (reply: FastifyReply): boolean {
  return SETS_CSRF.test(String(reply.getHeader('set-cookie')))
}

/**
 * SEC-26: a remember-token rotation stands only when its cookie went out on a response whose
 * headers were written. A reply that closes first (the client aborted, the connection dropped), a
 * hijacked reply (no onSend) or a stream already started undoes it: the old token stays current.
 */
export function watchDelivery (request: FastifyRequest, reply: FastifyReply, state: LoginState): void {
  const response = reply.raw
  const undo = state.undoRotation as () => Promise<unknown>
  const run = (): void => {
    undo().catch((error: Error) => request.log.warn({ err: error }, 'fastify-login: could not undo an undelivered rotation'))
  }
  // the client went away while the user was loaded
  if (request.raw.socket.destroyed === true) {
    run()
    return
  }
  response.once('close', () => {
    if (!(state.rotationHandedOver && response.headersSent)) run()
  })
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
  const { remember, engine, logouts } = ctx
  const addVaryCookie = varyOn('Cookie')
  const addVaryHeader = varyOn(headerCase(ctx.options.authHeaderName))

  function finish (request: FastifyRequest, reply: FastifyReply, state: LoginState, action: RememberAction | null): void {
    if (action !== null) {
      if (action.op === 'set') {
        // a stream whose headers already went out cannot deliver it: the rotation is undone on close
        state.rotationHandedOver = !reply.raw.headersSent
        remember.set(request, reply, action.value, action.maxAge)
      } else {
        remember.clear(request, reply)
      }
    }
    if (state.logoutCount !== null) {
      (logouts as NonNullable<typeof logouts>).set(request, reply, state.logoutCount)
    }
    // @fastify/csrf-protection's cookie mode: the pre-login secret must not outlive the login
    if (state.csrfCookieDropped && !setsCsrfCookie(reply)) {
      reply.clearCookie(CSRF, { path: '/' })
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
