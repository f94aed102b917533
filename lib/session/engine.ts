import type { FastifyRequest } from 'fastify'

/**
 * The one session interface fastify-login works through, so every feature behaves the same on
 * @fastify/secure-session (the session lives in an encrypted cookie) and on @fastify/session
 * (the session lives in a store, the cookie holds its signed id).
 */
export interface SessionEngine {
  readonly name: 'secure-session' | 'session' | 'flask'
  readonly cookieName: string
  get (request: FastifyRequest, key: string): unknown
  set (request: FastifyRequest, key: string, value: unknown): void
  remove (request: FastifyRequest, key: string): void
  /** The application-visible keys of the session (engine internals excluded). */
  keys (request: FastifyRequest): string[]
  /**
   * Gives the browser a new session holding only `keep` (a new id, or a new ciphertext). On a
   * store, the old id is destroyed; when that session held a login (saveOnlyWhileStored), it is
   * marked ended first, so that no request of it in flight writes it back.
   */
  rotate (request: FastifyRequest, keep: readonly string[]): Promise<void>
  /** A `name=value` cookie pair for a new session holding `data` (sessionCookieFor). */
  cookieFor (data: Record<string, unknown>): Promise<string>
  /**
   * Called for a request whose session held a login when it arrived: if that session is
   * destroyed while the request is in flight (a logout elsewhere), the request must not write
   * it back: it writes, then looks for the logout's mark, and destroys the session again when it
   * finds one. Stateless engines have nothing to save on the server.
   */
  saveOnlyWhileStored? (request: FastifyRequest): void
  /** Whether the request's session still exists on the server (a logout elsewhere destroys it). */
  stillExists? (request: FastifyRequest): Promise<boolean>
  /** Seconds the engine keeps a session alive after its last write, when known. */
  lifetime (request: FastifyRequest): number | null
  /** The id of the request's session in the engine's store (stateful engines). */
  storedId? (request: FastifyRequest): string
  /** Whether a stored session still exists, by its id (a tracked session's engine session). */
  storedExists? (id: string): Promise<boolean>
  /** Destroys a stored session by its id (a revoked tracked session's). */
  destroyStored? (id: string): Promise<void>
  /**
   * Tells `listener` the id of every stored session the engine starts to read for a request, as
   * the read starts, so that a read of the same request can go to the store with it. Until the
   * instance closes. False when the engine's store cannot be watched (it is not extensible).
   */
  onStoredRead? (listener: (id: string) => void): boolean
  /**
   * Whether the request has a session at all: @fastify/session leaves `request.session = {}`
   * outside its cookie.path and for absolute-form targets (`GET http://host/ HTTP/1.1`, `OPTIONS *`).
   * Such a request is anonymous. Engines that always have one leave this out.
   */
  hasSession? (request: FastifyRequest): boolean
}
