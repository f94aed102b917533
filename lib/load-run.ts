import type { FastifyRequest } from 'fastify'
import type { LoginEvents, StoredSession, UserType as User } from '../types/index.js'
import type { LoginContext } from './context.js'
import { FST_LOGIN_NOT_A_USER } from './errors.js'
import type { LoginState } from './request-state.js'

export type LoginEvent = { [K in keyof LoginEvents]: [K, ...LoginEvents[K]] }[keyof LoginEvents]

/** One request's pass through the loader pipeline. */
export interface Run {
  readonly request: FastifyRequest
  readonly state: LoginState
  /** Events to fire once `currentUser` is set; null while nobody listens. */
  readonly events: LoginEvent[] | null
  /** Seconds since the epoch, read by the session step when a timeout needs it. */
  now: number
  /** The session's last-seen time (idleTimeout). */
  seenAt: number
  /** The session login's user id, once the session step read it. */
  id: string
  /** With `sessions`: the tracked session of the session login. */
  entry: StoredSession | null
}

/** What a step found: a user, or nobody (the next step is tried). */
export type Found = User | null
/** The session step may also stop the pipeline (strong protection): the request is anonymous. */
export const STOP = false
export type Step = Found | typeof STOP

export function debug (request: FastifyRequest, message: string): void {
  request.log.debug(`fastify-login: ${message}`)
}

function describe (value: unknown): string {
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object without the user protocol'
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`
}

/**
 * A loader's answer as a user, or null for null/undefined. Anything else that is not a user (a
 * string, `true`, `0`, `{}`) is the application's mistake: a coded error (a 500, logged), never
 * a silent login.
 */
export function loadedUser (ctx: LoginContext, loader: string, value: unknown): Found {
  if (value === null || value === undefined) {
    return null
  }
  const candidate = value as Record<string, unknown>
  if ((typeof value !== 'object' && typeof value !== 'function') ||
      !('isAuthenticated' in candidate) || !('isActive' in candidate) || !('isAnonymous' in candidate) ||
      typeof candidate[ctx.options.idAttribute] !== 'function') {
    throw new FST_LOGIN_NOT_A_USER(loader, describe(value))
  }
  return value as User
}
