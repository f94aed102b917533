// One request's state: where it came from (its client), what fastify-login learned and decided
// about it (LoginState), and the lookup of its user (Lookup) with the one way a lookup step
// continues (chain).
import type { FastifyRequest } from 'fastify'
import type { LoginEvents, StoredSession, UserType as User } from '../../types/index.js'

export const kLoginState = Symbol('fastify-login.state')

/** Where a request (or a login) came from. */
export interface Client { readonly ip: string, readonly userAgent: string }

/**
 * The request's IP and User-Agent ('' when absent). The IP is Fastify's `request.ip`, so
 * `trustProxy` decides whether X-Forwarded-For counts; this plugin never parses it.
 */
export function clientOf (request: FastifyRequest): Client {
  return { ip: request.ip ?? '', userAgent: request.headers['user-agent'] ?? '' }
}

export type RememberAction =
  | { readonly op: 'set', readonly value: string, readonly maxAge: number, readonly refresh?: boolean }
  | { readonly op: 'clear' }

/** What fastify-login learned and decided about one request; lives on the request under a Symbol. */
export class LoginState {
  /** The authenticated user loaded for (or logged in by) this request, if any. */
  user: User | null = null
  /** The request carried a remember cookie (valid or not). */
  cookieSeen = false
  /** The request carried a valid remember cookie that restored or confirmed the login. */
  remembered = false
  /** The user came from requestLoader/headerLoader: nothing about it is persisted. */
  stateless = false
  /**
   * With `sessions`: the tracked session of a login made for this request only, which wrote no
   * session (a remember-cookie restore on an upgrade, or inside the rotation grace).
   */
  transientSid: string | null = null
  /** Remember cookie to set or clear when the response goes out. */
  rememberAction: RememberAction | null = null
  /** The response depends on who the user is (Vary: Cookie). */
  varies = false
  /** headerLoader was consulted with the request's authHeaderName header (Vary: <that header>). */
  variesByHeader = false
  /** The login changed in this request (Cache-Control: no-store). */
  loginChanged = false
  /** The request's `_csrf` cookie (@fastify/csrf-protection's cookie mode) was dropped with the login change: delete it unless the reply sets a new one. */
  csrfCookieDropped = false
  /** Undoes this request's remember-token rotation: run when its response cannot deliver it (SEC-26). */
  undoRotation: (() => Promise<unknown>) | null = null
  /** The rotated remember cookie was put on a response whose headers had not gone out. */
  rotationHandedOver = false
  /** A logout of this request moved the browser's logout count to this (login/logout-count.ts). */
  logoutCount: number | null = null
}

/** The state of every request that carried no credentials: shared, and frozen so no one writes to it. */
export const IDLE_STATE: LoginState = Object.freeze(new LoginState())

export type RequestWithState = FastifyRequest & { [kLoginState]: LoginState }

export function stateOf (request: FastifyRequest): LoginState {
  return (request as RequestWithState)[kLoginState]
}

/** The request's own state, created on the first write of a request that started idle. */
export function writableState (request: FastifyRequest): LoginState {
  let state = (request as RequestWithState)[kLoginState]
  if (state === IDLE_STATE) {
    state = new LoginState()
    ;(request as RequestWithState)[kLoginState] = state
  }
  return state
}

export type LoginEvent = { [K in keyof LoginEvents]: [K, ...LoginEvents[K]] }[keyof LoginEvents]

/** One request's lookup of its user, passed from step to step (see hooks/on-request.ts). */
export interface Lookup {
  readonly request: FastifyRequest
  readonly state: LoginState
  /** Events to fire once `currentUser` is set; null while nobody listens. */
  readonly events: LoginEvent[] | null
  /** Seconds since the epoch, read by the session step when a timeout needs it. */
  now: number
  /** The session's last-seen time (idleTimeout). */
  seenAt: number
  /** The session login's user id, once the session step read it. */
  userId: string
  /** With `sessions`: the tracked session of the session login. */
  entry: StoredSession | null
  /** Strong session protection ended the login: no later step is tried, the request is anonymous. */
  stopped: boolean
}

/** What a step found: a user, or nobody (the next step is tried unless the lookup stopped). */
export type Found = User | null

/** A value, or a promise of it: what a step of the lookup answers. */
export type MaybePromise<T> = T | Promise<T>

export function isThenable (value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}

/**
 * Continues with `next(lookup, value)`: at once when `value` is not a promise (no promise is
 * created), else once it settles. The one way every lookup step continues, as Fastify's hook
 * runner does; `lookup` carries the request's state, so steps are plain functions, not closures.
 */
export function chain<L, T, U> (lookup: L, value: T | PromiseLike<T>, next: (lookup: L, value: T) => MaybePromise<U>): MaybePromise<U> {
  if (isThenable(value)) {
    return Promise.resolve(value).then((settled) => next(lookup, settled as T))
  }
  return next(lookup, value as T)
}
