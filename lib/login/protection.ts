// Session protection's identifier (SEC-09): who the session login was made for.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { clientOf } from '../core/state.js'

const CACHE_LIMIT = 1000

/** Flask-Login 0.7's identifier as issued before 0.2: SHA-512 hex (128 characters). */
const LEGACY = /^[0-9a-f]{128}$/

interface SocketIdentifier { readonly ip: string, readonly userAgent: string, readonly identifier: string }

/**
 * The identifiers of one registration: the first 128 bits of SHA-256(`ip|user-agent`),
 * base64url (22 characters). Recently seen pairs are kept in a bounded map (cleared when full,
 * so varying headers cannot grow it), and the last one of a connection on its socket: with
 * keep-alive, the next request of the same client compares two strings instead of hashing.
 */
export class Identifiers {
  readonly #cache = new Map<string, string>()
  readonly #onSocket = Symbol('fastify-login.identifier')

  /** The identifier of `ip|userAgent`. */
  of (ip: string, userAgent: string): string {
    const key = `${ip}|${userAgent}`
    let identifier = this.#cache.get(key)
    if (identifier === undefined) {
      identifier = createHash('sha256').update(key, 'utf8').digest().subarray(0, 16).toString('base64url')
      if (this.#cache.size >= CACHE_LIMIT) {
        this.#cache.clear()
      }
      this.#cache.set(key, identifier)
    }
    return identifier
  }

  /** The identifier of a request. */
  ofRequest (request: FastifyRequest): string {
    const { ip, userAgent } = clientOf(request)
    const socket = request.raw.socket as unknown as Record<symbol, SocketIdentifier | undefined>
    const known = socket[this.#onSocket]
    if (known !== undefined && known.ip === ip && known.userAgent === userAgent) {
      return known.identifier
    }
    const identifier = this.of(ip, userAgent)
    socket[this.#onSocket] = { ip, userAgent, identifier }
    return identifier
  }

  /**
   * Whether a stored identifier is this request's: the compact form, or the SHA-512 hex that
   * sessions issued by 0.1 hold ('legacy': the caller rewrites it in the compact form).
   */
  matches (request: FastifyRequest, stored: unknown): boolean | 'legacy' {
    if (stored === this.ofRequest(request)) {
      return true
    }
    if (typeof stored !== 'string' || !LEGACY.test(stored)) {
      return false
    }
    const { ip, userAgent } = clientOf(request)
    const legacy = createHash('sha512').update(`${ip}|${userAgent}`, 'utf8').digest()
    return timingSafeEqual(legacy, Buffer.from(stored, 'hex')) ? 'legacy' : false
  }
}
