// Session protection's identifier (SEC-09): who the session login was made for.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { clientOf } from '../core/state.js'

const CACHE_LIMIT = 1000

/** Flask-Login 0.7's identifier as issued before 0.2: SHA-512 hex (128 characters). */
const LEGACY = /^[0-9a-f]{128}$/

interface SocketIdentifier { readonly ip: string, readonly userAgent: string, readonly identifier: string }

/** The bytes Python's repr() writes by name. */
const NAMED_ESCAPES: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' }

/** Python's repr() of the UTF-8 bytes of `text` (`b'...'`), as Flask-Login formats them. */
function bytesRepr (text: string): string {
  const bytes = Buffer.from(text, 'utf8')
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'"
  let out = ''
  for (const byte of bytes) {
    const character = String.fromCharCode(byte)
    if (character === quote || character === '\\') out += '\\' + character
    else if (byte < 0x20 || byte >= 0x7f) out += NAMED_ESCAPES[byte] ?? '\\x' + byte.toString(16).padStart(2, '0')
    else out += character
  }
  return `b${quote}${out}${quote}`
}

/**
 * Flask-Login 0.6's session identifier (`flask` option): SHA-512 hex of
 * `repr(address bytes)|repr(User-Agent bytes)`, the address being the first entry of
 * X-Forwarded-For when the header is there (as Flask-Login reads it), else the peer's.
 */
export function flaskLoginIdentifier (address: string, userAgent: string | undefined): string {
  const format = (value: string | undefined): string => value === undefined ? 'None' : bytesRepr(value)
  const first = (address.split(',')[0] as string).replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, '')
  return createHash('sha512').update(`${format(first)}|${format(userAgent)}`, 'utf8').digest('hex')
}

/** Flask-Login's identifier of a request. */
export function flaskLoginIdentifierOf (request: FastifyRequest): string {
  const forwarded = request.headers['x-forwarded-for']
  const userAgent = request.headers['user-agent']
  // a socket has its peer's address while its request is read
  return flaskLoginIdentifier(typeof forwarded === 'string' ? forwarded : request.raw.socket.remoteAddress as string, userAgent)
}

/**
 * The identifiers of one registration: the first 128 bits of SHA-256(`ip|user-agent`),
 * base64url (22 characters). Recently seen pairs are kept in a bounded map (cleared when full,
 * so varying headers cannot grow it), and the last one of a connection on its socket: with
 * keep-alive, the next request of the same client compares two strings instead of hashing.
 */
export class Identifiers {
  readonly #cache = new Map<string, string>()
  readonly #onSocket = Symbol('fastify-login.identifier')
  /** Flask-Login's identifiers (`flask` option, mode 'shared'), so both applications agree. */
  readonly #flask: boolean

  constructor (flask = false) {
    this.#flask = flask
  }

  /** The identifier of `ip|userAgent`. */
  of (ip: string, userAgent: string): string {
    if (this.#flask) {
      return flaskLoginIdentifier(ip, userAgent)
    }
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
    if (this.#flask) {
      return flaskLoginIdentifierOf(request)
    }
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
    if (this.#flask || typeof stored !== 'string' || !LEGACY.test(stored)) {
      return false
    }
    const { ip, userAgent } = clientOf(request)
    const legacy = createHash('sha512').update(`${ip}|${userAgent}`, 'utf8').digest()
    return timingSafeEqual(legacy, Buffer.from(stored, 'hex')) ? 'legacy' : false
  }
}
