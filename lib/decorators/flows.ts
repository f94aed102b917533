import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FlowHandler, LoginManager } from '../../types/index.js'
import { FST_LOGIN_NEEDS_REFRESH, FST_LOGIN_UNAUTHORIZED } from '../core/errors.js'
import { storeNext } from '../login/write.js'
import { toSafeLocation } from '../urls/location.js'
import { makeNextParam, withForcedHost, withNextParam } from '../urls/login-url.js'
import { currentUrl, pathOf, protocolOf } from '../urls/request-url.js'
import type { LoginContext } from '../context.js'

/** The 401 a flow fails with (statusCode 401, code FST_LOGIN_UNAUTHORIZED or FST_LOGIN_NEEDS_REFRESH). */
export type FlowError = Error & { readonly statusCode: 401, readonly code: string }

interface Flow {
  readonly event: 'unauthorized' | 'needsRefresh'
  readonly Refusal: typeof FST_LOGIN_UNAUTHORIZED
  readonly handler: FlowHandler | undefined
  readonly message: string | null
  readonly category: string
  readonly view: (request: FastifyRequest) => string | null
}

const JSON_MEDIA = /application\/json|\+json/
const HTML_MEDIA = /text\/html/

const EVENT_STREAM = /text\/event-stream/
const UPGRADE = /(^|[\s,])upgrade($|[\s,])/

/**
 * The requests that get the 401 rather than a redirect: a client that asks for JSON and not HTML
 * (axios, fetch with Accept: application/json), and those that cannot follow a redirect (a
 * WebSocket or other upgrade, an EventSource asking for an event stream).
 */
function cannotBeRedirected (request: FastifyRequest): boolean {
  const { accept, upgrade, connection } = request.headers
  if (upgrade !== undefined || (connection !== undefined && UPGRADE.test(connection.toLowerCase()))) {
    return true
  }
  if (accept === undefined) {
    return false
  }
  const lower = accept.toLowerCase()
  return EVENT_STREAM.test(lower) || (JSON_MEDIA.test(lower) && !HTML_MEDIA.test(lower))
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

/**
 * A flow: the reply once answered (a redirect, or the application's handler answered), or the 401
 * it fails with, unsent; a promise of the reply (rejected with the 401) while an application
 * handler runs.
 */
export type FlowRunner = (request: FastifyRequest, reply: FastifyReply) => FastifyReply | FlowError | Promise<FastifyReply>

/**
 * A flow run for a caller that awaits it (a guard awaited inside an application's hook): always
 * a promise, rejected with the 401 (or any error of the application's handler).
 */
export async function runFlow (flow: FlowRunner, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const outcome = flow(request, reply)
  if (outcome instanceof Error) {
    throw outcome
  }
  return outcome
}

function isFlowError (error: unknown): error is FlowError {
  return error instanceof FST_LOGIN_UNAUTHORIZED || error instanceof FST_LOGIN_NEEDS_REFRESH
}

/**
 * `loginManager.unauthorized()` / `needsRefresh()`: the flow, answered. Its 401 is sent as the
 * JSON body Fastify's default error handler gives, not through the application's error handler
 * (the application called it to answer).
 */
export async function answerFlow (flow: FlowRunner, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  try {
    return await runFlow(flow, request, reply)
  } catch (error) {
    if (!isFlowError(error)) {
      throw error
    }
    return reply.code(401).send({ statusCode: 401, code: error.code, error: 'Unauthorized', message: error.message })
  }
}

/** The unauthorized and needs-refresh flows (Flask-Login's `unauthorized()` / `needs_refresh()`). */
export interface Flows { readonly unauthorized: FlowRunner, readonly needsRefresh: FlowRunner }

export function createFlows (ctx: LoginContext, manager: LoginManager): Flows {
  const { options, engine } = ctx

  /**
   * A flow decides at once (the 401 to fail with, or the redirect sent; no promise) unless the
   * application gave a handler, which may be async.
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
    if (result === undefined || result === reply) {
      throw refusal(flow, message)
    }
    return reply.send(result)
  }

  function answer (request: FastifyRequest, reply: FastifyReply, flow: Flow, message: string | null): FastifyReply | FlowError {
    const view = cannotBeRedirected(request) ? null : flow.view(request)
    if (view === null) {
      return refusal(flow, message)
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

  function refusal (flow: Flow, message: string | null): FlowError {
    return new flow.Refusal(message ?? 'Unauthorized') as FlowError
  }

  const refreshView = (): string | null => options.refreshView
  return {
    unauthorized: runnerOf({
      event: 'unauthorized',
      Refusal: FST_LOGIN_UNAUTHORIZED,
      handler: options.unauthorizedHandler,
      message: options.loginMessage,
      category: options.loginMessageCategory,
      view: loginViewResolver(ctx)
    }),
    needsRefresh: runnerOf({
      event: 'needsRefresh',
      Refusal: FST_LOGIN_NEEDS_REFRESH,
      handler: options.needsRefreshHandler,
      message: options.needsRefreshMessage,
      category: options.needsRefreshMessageCategory,
      view: refreshView
    })
  }
}
