import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AnonymousUserType as AnonymousUser, LoginManager, LoginUser, ResolvedLoginOptions, UserType as User } from '../types/index.js'
import { AnonymousUserMixin } from './mixins.js'
import type { RememberCookie } from './remember-cookie.js'
import type { SessionEngine } from './session-engine.js'
import { FST_LOGIN_INVALID_USER } from './errors.js'
import type { FreshWindow } from './fresh-window.js'
import type { TrackedSessions } from './tracked-sessions.js'

/** Everything the hooks, guards and request methods of one registration share. */
export interface LoginContext {
  readonly options: ResolvedLoginOptions
  readonly engine: SessionEngine
  readonly remember: RememberCookie
  readonly manager: LoginManager
  readonly anonymous: () => AnonymousUser
  /** `reply.locals` belongs to @fastify/view (registered first), which resets it per request. */
  readonly viewLocals: boolean
  /** The fresh window of a request (`freshFor`, a route's `config.freshFor`). */
  readonly freshWindow: FreshWindow
  /** Tracked sessions (`sessions` option), or null when off. */
  readonly tracked: TrackedSessions | null
}

const sharedAnonymous = Object.freeze(new AnonymousUserMixin())

/** A factory for the anonymous user: one frozen AnonymousUserMixin unless the app gives its own. */
export function anonymousFactory (option: ResolvedLoginOptions['anonymousUser']): () => AnonymousUser {
  if (option === undefined) {
    return () => sharedAnonymous as AnonymousUser
  }
  if (/^class[\s{]/.test(Function.prototype.toString.call(option))) {
    const Anonymous = option as new () => AnonymousUser
    return () => new Anonymous()
  }
  return option as () => AnonymousUser
}

/** The user's id through `idAttribute`, as a non-empty string; throws a coded error otherwise. */
export function idOf (options: ResolvedLoginOptions, user: User): string {
  const method = (user as unknown as Record<string, unknown>)[options.idAttribute]
  if (typeof method !== 'function') {
    throw new FST_LOGIN_INVALID_USER(`it has no ${options.idAttribute}() method`)
  }
  const id: unknown = method.call(user)
  if ((typeof id !== 'string' && typeof id !== 'number') || id === '') {
    throw new FST_LOGIN_INVALID_USER(`${options.idAttribute}() must return a non-empty string`)
  }
  return String(id)
}

/** The user's getSessionAuthHash(), or null when the user has none. */
export function authHashOf (user: User): string | null {
  const method = (user as LoginUser).getSessionAuthHash
  if (typeof method !== 'function') {
    return null
  }
  const hash: unknown = method.call(user)
  if (typeof hash !== 'string' || hash === '') {
    throw new FST_LOGIN_INVALID_USER('getSessionAuthHash() must return a non-empty string')
  }
  return hash
}

export function nowSeconds (): number {
  return Math.floor(Date.now() / 1000)
}

/**
 * @fastify/view registered before fastify-login gives each reply `locals = {}`: the user is added
 * to it (registered after, it reads the `locals` getter fastify-login decorated instead).
 */
export function shareWithViews (ctx: LoginContext, request: FastifyRequest, reply: FastifyReply): void {
  if (ctx.options.addContextProcessor && ctx.viewLocals) {
    const locals = (reply as { locals?: Record<string, unknown> | null }).locals
    if (locals) locals.currentUser = request.currentUser
  }
}
