// fastify-login's session interface on @fastify/secure-session: the session lives in an
// encrypted cookie, so there is nothing on the server to destroy or to check.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { FST_LOGIN_NO_SESSION } from '../core/errors.js'
import type { SessionEngine } from './engine.js'

interface SecureSessionLike {
  get (key: string): unknown
  set (key: string, value: unknown): void
  data (): Record<string, unknown>
  regenerate (keep?: string[]): void
}

export function secureSession (fastify: FastifyInstance, cookieName: string, sessionName: string, expiry: number | null): SessionEngine {
  const instance = fastify as FastifyInstance & {
    createSecureSession (data: Record<string, unknown>): unknown
    encodeSecureSession (session: unknown, sessionName: string): string
  }
  // secure-session keeps each of its sessions on request[sessionName] ('session' by default)
  const named = <T>(request: FastifyRequest): T => (request as unknown as Record<string, T>)[sessionName] as T
  return {
    name: 'secure-session',
    cookieName,
    // property access: secure-session's Proxy maps it to get/set without allocating a bound
    // method proxy per call (as `session.get(key)` does); fastify-login's keys are never
    // the Session object's own fields
    // (absent only when the session plugin failed before its hook ran: see the onError hook)
    get: (request, key) => named<Record<string, unknown> | null>(request)?.[key],
    set: (request, key, value) => { named<Record<string, unknown>>(request)[key] = value },
    remove: (request, key) => {
      const session = named<SecureSessionLike>(request)
      if (session.get(key) !== undefined) {
        session.set(key, undefined)
      }
    },
    keys: (request) => {
      const data = named<SecureSessionLike | null>(request)?.data() ?? {}
      return Object.keys(data).filter((key) => data[key] !== undefined)
    },
    rotate: async (request, keep) => {
      const session = named<SecureSessionLike | null>(request)
      if (session === null || session === undefined) {
        throw new FST_LOGIN_NO_SESSION()
      }
      session.regenerate([...keep])
    },
    cookieFor: async (data) => {
      const value = instance.encodeSecureSession(instance.createSecureSession({ ...data }), sessionName)
      return `${cookieName}=${encodeURIComponent(value)}`
    },
    lifetime: () => expiry
  }
}
