// What the hooks, guards and request methods of one registration share, built in one phase.
import type { FastifyInstance } from 'fastify'
import type { AnonymousUserType as AnonymousUser, FastifyLoginOptions } from '../types/index.js'
import { anonymousFactory } from './core/user.js'
import { createFreshWindow, type FreshWindow } from './login/fresh.js'
import { logoutCountFor } from './login/logout-count.js'
import { Identifiers } from './login/protection.js'
import { resolveOptions } from './options/resolve.js'
import { RememberCookie, type RememberParts } from './remember/cookie.js'
import { setupSession } from './session/setup.js'
import { usesDefaultPrefix } from './stores/redis.js'
import { TrackedSessions } from './tracked/sessions.js'

/** Everything the hooks, guards and request methods of one registration share. */
export interface LoginContext extends RememberParts {
  readonly anonymous: () => AnonymousUser
  /** `reply.locals` belongs to @fastify/view (registered first), which resets it per request. */
  readonly viewLocals: boolean
  /** The fresh window of a request (`freshFor`, a route's `config.freshFor`). */
  readonly freshWindow: FreshWindow
}

/** Checks the options, finds or registers the session engine, and builds the registration's parts. */
export async function buildContext (fastify: FastifyInstance, rawOptions: FastifyLoginOptions): Promise<LoginContext> {
  const options = resolveOptions(rawOptions)
  const engine = await setupSession(fastify, options)
  if (options.sessions !== null && usesDefaultPrefix(options.sessions.store)) {
    fastify.log.warn('fastify-login: redisSessionStore without a prefix: every application on this Redis without one shares its sessions and limits; give each its own prefix')
  }
  return {
    options,
    engine,
    tracked: options.sessions === null ? null : new TrackedSessions(options, engine),
    identifiers: new Identifiers(options.flask?.mode === 'shared'),
    logouts: logoutCountFor(options, engine),
    remember: new RememberCookie(options),
    anonymous: anonymousFactory(options.anonymousUser),
    viewLocals: fastify.hasReplyDecorator('locals'),
    freshWindow: createFreshWindow(options.freshFor)
  }
}
