import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FlowHandler, LoginManager } from '../../types/index.js'
import { storeNext } from '../login/write.js'
import { toSafeLocation } from '../urls/location.js'
import { makeNextParam, withForcedHost, withNextParam } from '../urls/login-url.js'
import { currentUrl, pathOf, protocolOf } from '../urls/request-url.js'
import type { LoginContext } from '../context.js'

interface Flow {
  readonly event: 'unauthorized' | 'needsRefresh'
  readonly code: 'FST_LOGIN_UNAUTHORIZED' | 'FST_LOGIN_NEEDS_REFRESH'
  readonly handler: FlowHandler | undefined
  readonly message: string | null
  readonly category: string
  readonly view: (request: FastifyRequest) => string | null
}

const JSON_MEDIA = /application\/json|\+json/
const HTML_MEDIA = /text\/html/

/** A client that asks for JSON and not HTML (axios, fetch with Accept: application/json) gets JSON. */
function wantsJson (request: FastifyRequest): boolean {
  const accept = request.headers.accept
  if (accept === undefined) {
    return false
  }
  const lower = accept.toLowerCase()
  return JSON_MEDIA.test(lower) && !HTML_MEDIA.test(lower)
}

function pathOnly (url: string): string {
  const question = url.indexOf('?')
  return question === -1 ? url : url.slice(0, question)
}

/** Finds the login view of a request: route config → longest `loginViews` prefix → `loginView`. */
export function loginViewResolver (ctx: LoginContext): (request: FastifyRequest) => string | null {
  const { loginView, loginViews } = ctx.options
  const prefixes = Object.keys(loginViews).sort((a, b) => b.length - a.length)
  return (request) => {
    const config = request.routeOptions.config as { loginView?: string | null }
    if (config.loginView !== undefined) {
      return config.loginView
    }
    const path = pathOnly(pathOf(request))
    for (const prefix of prefixes) {
      if (prefix === '/' || path === prefix || path.startsWith(prefix + '/')) {
        return loginViews[prefix] as string | null
      }
    }
    return loginView
  }
}

/** A flow: the reply, once answered; a promise of it while an application handler runs. */
export type FlowRunner = (request: FastifyRequest, reply: FastifyReply) => FastifyReply | Promise<FastifyReply>

/**
 * A flow run for a caller that awaits it (`loginManager.unauthorized()`, a guard awaited inside an
 * application's hook): always a promise, a synchronous error becomes its rejection.
 */
export async function runFlow (flow: FlowRunner, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  return flow(request, reply)
}

/** The unauthorized and needs-refresh flows (Flask-Login's `unauthorized()` / `needs_refresh()`). */
export interface Flows { readonly unauthorized: FlowRunner, readonly needsRefresh: FlowRunner }

export function createFlows (ctx: LoginContext, manager: LoginManager): Flows {
  const { options, engine } = ctx

  /**
   * A flow answers at once (401 or redirect, no promise) unless the application gave a handler,
   * which may be async: the guards, called by Fastify, send the answer and never wait for it.
   */
  function runnerOf (flow: Flow): FlowRunner {
    return function (request, reply) {
      manager.emit(flow.event, request)
      const message = flow.message === null
        ? null
        : options.localize !== undefined ? options.localize(flow.message, request) : flow.message
      return flow.handler === undefined
        ? answer(request, reply, flow, message)
        : handled(request, reply, flow, flow.handler, message)
    }
  }

  async function handled (request: FastifyRequest, reply: FastifyReply, flow: Flow, handler: FlowHandler, message: string | null): Promise<FastifyReply> {
    let result = handler(request, reply)
    // a Fastify reply is thenable (it settles when sent): never await the reply itself
    if (result !== reply && typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
      result = await result
    }
    if (reply.sent) {
      return reply
    }
    // a handler that neither answered nor returned a payload must not let the request through
    return result === undefined || result === reply ? deny(reply, flow, message) : reply.send(result)
  }

  function answer (request: FastifyRequest, reply: FastifyReply, flow: Flow, message: string | null): FastifyReply {
    const view = wantsJson(request) ? null : flow.view(request)
    if (view === null) {
      return deny(reply, flow, message)
    }
    const flash = (request as { flash?: (category: string, message: string) => unknown }).flash
    // (@fastify/flash keeps its messages in the session: none to keep them in, none flashed)
    if (message !== null && typeof flash === 'function' && engine.hasSession?.(request) !== false) {
      flash.call(request, flow.category, message)
    }
    const next = makeNextParam(view, currentUrl(request, options.forceHostForRedirects))
    let target: string
    if (options.useSessionForNext) {
      storeNext(ctx, request, next)
      target = view
    } else {
      target = withNextParam(view, next, options.nextField)
    }
    if (options.forceHostForRedirects !== null) {
      target = withForcedHost(target, options.forceHostForRedirects, protocolOf(request))
    }
    return reply.redirect(toSafeLocation(target), 302)
  }

  function deny (reply: FastifyReply, flow: Flow, message: string | null): FastifyReply {
    return reply.code(401).send({
      statusCode: 401,
      code: flow.code,
      error: 'Unauthorized',
      message: message ?? 'Unauthorized'
    })
  }

  const refreshView = (): string | null => options.refreshView
  return {
    unauthorized: runnerOf({
      event: 'unauthorized',
      code: 'FST_LOGIN_UNAUTHORIZED',
      handler: options.unauthorizedHandler,
      message: options.loginMessage,
      category: options.loginMessageCategory,
      view: loginViewResolver(ctx)
    }),
    needsRefresh: runnerOf({
      event: 'needsRefresh',
      code: 'FST_LOGIN_NEEDS_REFRESH',
      handler: options.needsRefreshHandler,
      message: options.needsRefreshMessage,
      category: options.needsRefreshMessageCategory,
      view: refreshView
    })
  }
}
