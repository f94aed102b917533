import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'

const CACHE_LIMIT = 1000
// identifiers of recently seen `ip|user-agent` pairs: SHA-512 per request was most of the plugin's
// cost on a logged-in request. Bounded, and cleared when full, so varying headers cannot grow it.
const cache = new Map<string, string>()

/**
 * Flask-Login 0.7's session identifier: SHA-512 (hex) of `ip|user-agent`. The IP is Fastify's
 * `request.ip`, so `trustProxy` decides whether X-Forwarded-For counts; this plugin never parses it.
 */
export function identifierFor (ip: string, userAgent: string): string {
  const key = `${ip}|${userAgent}`
  let identifier = cache.get(key)
  if (identifier === undefined) {
    identifier = createHash('sha512').update(key, 'utf8').digest('hex')
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
export function sessionIdentifier (request: FastifyRequest): string {
  const ip = request.ip ?? ''
  const userAgent = request.headers['user-agent'] ?? ''
  const socket = request.raw.socket as unknown as { [kIdentifier]?: SocketIdentifier }
  const known = socket[kIdentifier]
  if (known !== undefined && known.ip === ip && known.userAgent === userAgent) {
    return known.identifier
  }
  const identifier = identifierFor(ip, userAgent)
  socket[kIdentifier] = { ip, userAgent, identifier }
  return identifier
}
