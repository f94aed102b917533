import { promisify } from 'node:util'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { FST_LOGIN_NO_SESSION } from './errors.js'

/**
 * The one session interface fastify-login works through, so every feature behaves the same on
 * @fastify/secure-session (the session lives in an encrypted cookie) and on @fastify/session
 * (the session lives in a store, the cookie holds its signed id).
 */
export interface SessionEngine {
  readonly name: 'secure-session' | 'session'
  readonly cookieName: string
  get (request: FastifyRequest, key: string): unknown
  set (request: FastifyRequest, key: string, value: unknown): void
  remove (request: FastifyRequest, key: string): void
  /** The application-visible keys of the session (engine internals excluded). */
  keys (request: FastifyRequest): string[]
  /** Gives the browser a new session holding only `keep` (a new id, or a new ciphertext). */
  rotate (request: FastifyRequest, keep: readonly string[]): Promise<void>
  /** A `name=value` cookie pair for a new session holding `data` (sessionCookieFor). */
  cookieFor (data: Record<string, unknown>): Promise<string>
  /**
   * Called for a request whose session held a login when it arrived: if that session is
   * destroyed while the request is in flight (a logout elsewhere), the request must not write
   * it back. Stateless engines have nothing to guard.
   */
  guardInFlight? (request: FastifyRequest): void
  /** Whether the request's session still exists on the server (a logout elsewhere destroys it). */
  stillExists? (request: FastifyRequest): Promise<boolean>
  /** Seconds the engine keeps a session alive after its last write, when known. */
  lifetime (request: FastifyRequest): number | null
  /** The id of the request's session in the engine's store (stateful engines). */
  storedId? (request: FastifyRequest): string
  /** Destroys a stored session by its id (a revoked tracked session's). */
  destroyStored? (id: string): Promise<void>
  /**
   * Whether the request has a session at all: @fastify/session leaves `request.session = {}`
   * outside its cookie.path and for absolute-form targets (`GET http://host/ HTTP/1.1`, `OPTIONS *`).
   * Such a request is anonymous. Engines that always have one leave this out.
   */
  hasSession? (request: FastifyRequest): boolean
}

interface SecureSessionLike {
  get (key: string): unknown
  set (key: string, value: unknown): void
  data (): Record<string, unknown>
  regenerate (keep?: string[]): void
}

type Done = (error?: Error | null) => void

interface StoreSessionLike {
  get (key: string): unknown
  set (key: string, value: unknown): void
  regenerate (keys?: string[]): Promise<void>
  save (done?: Done): Promise<void> | undefined
  readonly sessionId: string
  readonly encryptedSessionId: string
  readonly cookie?: { readonly originalMaxAge?: number | null }
  [key: string]: unknown
}

interface StoreLike {
  get (id: string, done: (error: Error | null, session?: unknown) => void): void
  destroy (id: string, done: (error?: Error | null) => void): void
}

/**
 * @fastify/session's store, outside any request: it decorates the request with a `sessionStore`
 * getter, which lives on the prototype of the instance's request class.
 */
function sessionStoreOf (fastify: FastifyInstance): StoreLike {
  const symbols: symbol[] = []
  for (let o: object | null = fastify; o !== null; o = Object.getPrototypeOf(o)) {
    symbols.push(...Object.getOwnPropertySymbols(o))
  }
  const requestClass = symbols.find((symbol) => symbol.description === 'fastify.Request') as symbol
  const RequestClass = (fastify as unknown as Record<symbol, unknown>)[requestClass] as { prototype: { sessionStore: StoreLike } }
  return RequestClass.prototype.sessionStore
}

function sessionOf<T> (request: FastifyRequest): T {
  return (request as unknown as { session: T }).session
}

function secureSession (fastify: FastifyInstance, cookieName: string, sessionName: string, expiry: number | null): SessionEngine {
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

// keys @fastify/session keeps on its Session object besides the application's data
const STORE_SESSION_INTERNALS = new Set(['cookie', 'sessionId', 'encryptedSessionId'])

const kStore = Symbol('fastify-login.store')
const kSave = Symbol('fastify-login.save')
type GuardedSession = StoreSessionLike & { [kStore]: StoreLike, [kSave]: StoreSessionLike['save'] }

/**
 * The `save` of a session that held a login when its request arrived: before writing, it checks
 * that the session still exists, because a logout elsewhere destroyed it while this request was in
 * flight, and saving now would bring the old login back to life (express-session #632). One
 * function for every request; the store and the original `save` sit on the session under symbols.
 */
function guardedSave (this: GuardedSession, done?: Done): Promise<void> | undefined {
  const run = (finish: Done): void => {
    this[kStore].get(this.sessionId, (error, stored) => {
      if (error === null && (stored === null || stored === undefined)) finish()
      else this[kSave](finish)
    })
  }
  if (done !== undefined) {
    run(done)
    return undefined
  }
  return promisify(run)()
}

function hasStoreSession (request: FastifyRequest): boolean {
  return typeof sessionOf<Partial<StoreSessionLike> | null>(request)?.regenerate === 'function'
}

function storeSession (fastify: FastifyInstance, cookieName: string, cookiePrefix: string): SessionEngine {
  /** @fastify/session's store, found once, when a revocation first needs it. */
  let store: StoreLike | null = null
  const instance = fastify as FastifyInstance & {
    decryptSession (id: string, request: object, done: (error?: Error) => void): void
  }
  return {
    name: 'session',
    cookieName,
    // a request without a session (see hasSession) reads as empty and keeps nothing
    get: (request, key) => sessionOf<Partial<StoreSessionLike> | null>(request)?.get?.(key),
    set: (request, key, value) => { sessionOf<Partial<StoreSessionLike> | null>(request)?.set?.(key, value) },
    remove: (request, key) => {
      delete sessionOf<StoreSessionLike>(request)[key]
    },
    keys: (request) => {
      const session = sessionOf<StoreSessionLike | null>(request) ?? {} as StoreSessionLike
      return Object.keys(session).filter((key) => !STORE_SESSION_INTERNALS.has(key) && session[key] !== undefined)
    },
    rotate: async (request, keep) => {
      if (!hasStoreSession(request)) {
        throw new FST_LOGIN_NO_SESSION()
      }
      // destroys the old id in the store, so a replayed old cookie finds nothing
      await sessionOf<StoreSessionLike>(request).regenerate([...keep])
    },
    hasSession: hasStoreSession,
    cookieFor: async (data) => {
      // decryptSession with an id that does not verify gives a new, empty session
      const holder: { session?: StoreSessionLike, protocol: string } = { protocol: 'https' }
      // (that path never touches the store, so it cannot fail)
      await new Promise<void>((resolve) => { instance.decryptSession('', holder, () => resolve()) })
      const session = holder.session as StoreSessionLike
      for (const [key, value] of Object.entries(data)) {
        session.set(key, value)
      }
      await session.save()
      return `${cookieName}=${encodeURIComponent(cookiePrefix + session.encryptedSessionId)}`
    },
    stillExists: (request) => new Promise((resolve) => {
      const store = (request as unknown as { sessionStore: StoreLike }).sessionStore
      store.get(sessionOf<StoreSessionLike>(request).sessionId, (error, stored) => {
        resolve(error !== null || (stored !== null && stored !== undefined))
      })
    }),
    lifetime: (request) => {
      const maxAge = sessionOf<StoreSessionLike>(request).cookie?.originalMaxAge
      return typeof maxAge === 'number' && maxAge > 0 ? maxAge / 1000 : null
    },
    storedId: (request) => sessionOf<StoreSessionLike>(request).sessionId,
    destroyStored: (id) => new Promise((resolve, reject) => {
      store ??= sessionStoreOf(fastify)
      store.destroy(id, (error) => { if (error) reject(error); else resolve() })
    }),
    guardInFlight: (request) => {
      const session = sessionOf<GuardedSession>(request)
      session[kStore] = (request as unknown as { sessionStore: StoreLike }).sessionStore
      session[kSave] = session.save
      // not enumerable: @fastify/session copies a session's enumerable keys into the session it
      // builds from a stored one (a store that keeps objects hands this very one back)
      Object.defineProperty(session, 'save', { value: guardedSave, configurable: true, writable: true })
    }
  }
}

export interface EngineNames {
  /** The session cookie's name; default: the engine's own default. */
  readonly cookieName?: string | undefined
  /** @fastify/session's cookiePrefix. */
  readonly cookiePrefix: string
  /** The request property holding @fastify/secure-session's session. */
  readonly sessionName?: string | undefined
  /** secure-session's `expiry` (seconds), when fastify-login registered it and so knows it. */
  readonly expiry?: number | null
}

/** The engine of the session plugin registered on `fastify`, or null when none is. */
export function detectSessionEngine (fastify: FastifyInstance, names: EngineNames): SessionEngine | null {
  if (fastify.hasPlugin('@fastify/secure-session')) {
    const sessionName = names.sessionName ?? 'session'
    return secureSession(fastify, names.cookieName ?? sessionName, sessionName, names.expiry ?? null)
  }
  if (fastify.hasPlugin('@fastify/session')) {
    return storeSession(fastify, names.cookieName ?? 'sessionId', names.cookiePrefix)
  }
  return null
}
