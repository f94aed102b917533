// The `openapi` option: in the document @fastify/swagger generates, a route behind loginRequired
// or freshLoginRequired (one of its own onRequest, preParsing, preValidation or preHandler hooks)
// carries the security requirement and a 401 response. Marked when the application is ready, so
// a guard another onRoute hook adds is seen; the route's own `security` and 401 (or 4xx) win.
// Only the document changes: Fastify compiled the route's schema when it was added.
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify'
import type { Guard, ResolvedLoginOptions } from '../../types/index.js'

const GUARD_HOOKS = ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const

type Guards = Readonly<{ loginRequired: Guard, freshLoginRequired: Guard }>
type DocumentedSchema = FastifySchema & { security?: unknown, response?: Record<string, unknown> }

/** The 401 the guards fail with, as Fastify's error handler and `loginManager.unauthorized` send it. */
function unauthorizedResponse (fresh: boolean): Record<string, unknown> {
  return {
    description: fresh
      ? 'Not logged in (FST_LOGIN_UNAUTHORIZED), or the login is not fresh (FST_LOGIN_NEEDS_REFRESH)'
      : 'Not logged in (FST_LOGIN_UNAUTHORIZED)',
    type: 'object',
    properties: {
      statusCode: { type: 'integer', enum: [401] },
      code: { type: 'string', enum: fresh ? ['FST_LOGIN_UNAUTHORIZED', 'FST_LOGIN_NEEDS_REFRESH'] : ['FST_LOGIN_UNAUTHORIZED'] },
      error: { type: 'string' },
      message: { type: 'string' }
    }
  }
}

/** 'fresh' behind freshLoginRequired, 'login' behind loginRequired only, else null. */
function guardOf (route: RouteOptions, guards: Guards): 'login' | 'fresh' | null {
  let found: 'login' | null = null
  for (const name of GUARD_HOOKS) {
    for (const hook of [route[name]].flat() as unknown[]) {
      if (hook === guards.freshLoginRequired) return 'fresh'
      if (hook === guards.loginRequired) found = 'login'
    }
  }
  return found
}

function responsesWith401 (responses: Record<string, unknown> | undefined, fresh: boolean): Record<string, unknown> {
  if (responses === undefined) {
    // what @fastify/swagger shows for a route without responses, and the 401
    return { 200: { description: 'Default Response' }, 401: unauthorizedResponse(fresh) }
  }
  if (Object.keys(responses).some((code) => /^(401|4xx)$/i.test(code))) {
    return responses
  }
  return { ...responses, 401: unauthorizedResponse(fresh) }
}

function mark (route: RouteOptions, scheme: string, guards: Guards, exempt: ReadonlySet<string>): void {
  const guard = guardOf(route, guards)
  if (guard === null || [route.method].flat().every((method) => exempt.has(method))) {
    return
  }
  const schema = (route.schema ?? {}) as DocumentedSchema
  // a new object: a schema the application shares with other routes stays as it is
  route.schema = {
    ...schema,
    security: schema.security ?? [{ [scheme]: [] }],
    response: responsesWith401(schema.response, guard === 'fresh')
  } as FastifySchema
}

/** Adds the hooks that mark guarded routes for the document. */
export function addOpenapiMarks (fastify: FastifyInstance, options: ResolvedLoginOptions, guards: Guards): void {
  const { securityScheme } = options.openapi as NonNullable<ResolvedLoginOptions['openapi']>
  const exempt = new Set(options.exemptMethods)
  const routes: RouteOptions[] = []
  fastify.addHook('onRoute', (route) => {
    routes.push(route)
  })
  fastify.addHook('onReady', (done) => {
    for (const route of routes.splice(0)) {
      mark(route, securityScheme, guards, exempt)
    }
    done()
  })
}
