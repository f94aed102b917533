import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'

const CACHE_LIMIT = 1000
// identifiers of recently seen `ip|user-agent` pairs, so a busy client is hashed once. Bounded,
// and cleared when full, so varying headers cannot grow it.
const cache = new Map<string, string>()

/** Flask-Login 0.7's identifier as issued before 0.2: SHA-512 hex (128 characters). */
const LEGACY = /^[0-9a-f]{128}$/

/**
 * The session-protection identifier of `ip|user-agent` (SEC-09): the first 128 bits of its
 * SHA-256, base64url (22 characters). The IP is Fastify's `request.ip`, so `trustProxy` decides
 * whether X-Forwarded-For counts; this plugin never parses it.
 */
export function identifierFor (ip: string, userAgent: string): string {
  const key = `${ip}|${userAgent}`
  let identifier = cache.get(key)
  if (identifier === undefined) {
    identifier = createHash('sha256').update(key, 'utf8').digest().subarray(0, 16).toString('base64url')
    if (cache.size >= CACHE_LIMIT) {
      cache.clear()
    }
    cache.set(key, identifier)
  }
  return identifier
}

interface SocketIdentifier { readonly ip: string, readonly userAgent: string, readonly identifier: string }
const kIdentifier = Symbol('fastify-login.identifier')

/**
 * The identifier of a request. Kept on its connection too: with keep-alive, the next request of
 * the same client compares two strings instead of building and hashing a key.
 */
/** What the identifier is made of: the request's IP and User-Agent ('' when absent). */
export function clientOf (request: FastifyRequest): { ip: string, userAgent: string } {
  return { ip: request.ip ?? '', userAgent: request.headers['user-agent'] ?? '' }
}

export function sessionIdentifier (request: FastifyRequest): string {
  const { ip, userAgent } = clientOf(request)
  const socket = request.raw.socket as unknown as { [kIdentifier]?: SocketIdentifier }
  const known = socket[kIdentifier]
  if (known !== undefined && known.ip === ip && known.userAgent === userAgent) {
    return known.identifier
  }
  const identifier = identifierFor(ip, userAgent)
  socket[kIdentifier] = { ip, userAgent, identifier }
  return identifier
}

/**
 * Whether a stored identifier is this request's: the compact form, or the SHA-512 hex that
 * sessions issued by 0.1 hold ('legacy': the caller rewrites it in the compact form).
 */
export function identifierMatches (request: FastifyRequest, stored: unknown): boolean | 'legacy' {
  if (stored === sessionIdentifier(request)) {
    return true
  }
  if (typeof stored !== 'string' || !LEGACY.test(stored)) {
    return false
  }
  const { ip, userAgent } = clientOf(request)
  const legacy = createHash('sha512').update(`${ip}|${userAgent}`, 'utf8').digest()
  return timingSafeEqual(legacy, Buffer.from(stored, 'hex')) ? 'legacy' : false
}
