// An itsdangerous-style signer: JSON values signed with the time they were issued, in a form that
// needs no escaping in a URL query or a cookie. Built on @fastify/cookie's Signer, which signs with
// the first key, verifies with all of them in constant time and says when a fallback key matched.
//
// Token: base64url(JSON) "." base64url(issued-at seconds, big-endian, no leading zero bytes) "."
// base64url(HMAC-SHA256(derivedKey, first two parts)); derivedKey = HMAC-SHA256(secret,
// "fastify-login:" + salt) for each secret, so a salt separates purposes.
import { createHmac } from 'node:crypto'
import { Signer } from '@fastify/cookie'
import { FST_LOGIN_INVALID_OPTION, FST_LOGIN_INVALID_SECRET, FST_LOGIN_INVALID_VALUE } from '../core/errors.js'
import type { Secret, SerializerOptions } from '../../types/index.js'

/**
 * Longest token `loads` reads. Browsers keep at most about 4 096 bytes per cookie and servers
 * commonly refuse request headers over 8 KiB, so nothing longer can be a token we issued for a
 * cookie or a header; the bound also caps the work spent on hostile input before any HMAC,
 * base64 or JSON parsing. `dumps` refuses to make a token longer than this.
 */
export const MAX_TOKEN_LENGTH = 8192

/** Secrets shorter than this many bytes are refused (SEC-12). */
export const MIN_SECRET_BYTES = 32

/** How far in the future an issue time may be (clock skew between servers) before it is refused. */
export const MAX_CLOCK_SKEW_SECONDS = 60

const DEFAULT_SALT = 'fastify-login'
const KEY_DERIVATION_PREFIX = 'fastify-login:'
// HMAC-SHA256 is 32 bytes: 43 base64url characters without padding.
const TOKEN_RE = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/
// Issue times are kept in at most 6 bytes (seconds up to 2^48, far beyond any real date).
const TIMESTAMP_BYTES = 6

export { FST_LOGIN_INVALID_VALUE }
export type { Secret }

export interface LoadOptions {
  maxAge?: number | null
}

export interface LoadResult {
  value: unknown
  issuedAt: number
  renew: boolean
}

/** The token is not one this serializer made (malformed, tampered, another key or salt). */
export class BadSignature extends Error {
  readonly code: 'FST_LOGIN_BAD_SIGNATURE' | 'FST_LOGIN_SIGNATURE_EXPIRED' = 'FST_LOGIN_BAD_SIGNATURE'

  constructor (message: string) {
    super(`fastify-login: ${message}`)
    this.name = 'BadSignature'
  }
}

/** The token is genuine but older than `maxAge`. */
export class SignatureExpired extends BadSignature {
  override readonly code = 'FST_LOGIN_SIGNATURE_EXPIRED' as const
  /** When the token was signed (seconds since the epoch). */
  readonly issuedAt: number

  constructor (issuedAt: number, maxAge: number) {
    super(`token expired: issued at ${issuedAt}, older than maxAge ${maxAge}s`)
    this.name = 'SignatureExpired'
    this.issuedAt = issuedAt
  }
}

/** Validates the secret option (SEC-12) and returns it as a non-empty array. */
export function normalizeSecrets (secret: unknown): Secret[] {
  if (secret === undefined || secret === null) {
    throw new FST_LOGIN_INVALID_SECRET('a secret is required (a string or Buffer of at least 32 bytes, or an array of them)')
  }
  const secrets: unknown[] = Array.isArray(secret) ? secret : [secret]
  if (secrets.length === 0) {
    throw new FST_LOGIN_INVALID_SECRET('the secret array is empty')
  }
  secrets.forEach((entry, index) => {
    if (typeof entry !== 'string' && !Buffer.isBuffer(entry)) {
      throw new FST_LOGIN_INVALID_SECRET(`secret at index ${index} must be a string or Buffer, got ${entry === null ? 'null' : typeof entry}`)
    }
    const bytes = Buffer.byteLength(entry)
    if (bytes < MIN_SECRET_BYTES) {
      throw new FST_LOGIN_INVALID_SECRET(`secret at index ${index} is ${bytes} bytes; at least ${MIN_SECRET_BYTES} are required`)
    }
  })
  return secrets as Secret[]
}

function deriveKey (secret: Secret, salt: string): Buffer {
  return createHmac('sha256', secret).update(KEY_DERIVATION_PREFIX + salt, 'utf8').digest()
}

/** Decodes base64url only when `text` is the canonical encoding of its bytes. */
function decodeBase64url (text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64url')
  return bytes.toString('base64url') === text ? bytes : null
}

function encodeTimestamp (seconds: number): string {
  const bytes = Buffer.alloc(TIMESTAMP_BYTES)
  bytes.writeUIntBE(seconds, 0, TIMESTAMP_BYTES)
  let start = 0
  while (start < TIMESTAMP_BYTES - 1 && bytes[start] === 0) start++
  return bytes.subarray(start).toString('base64url')
}

function decodeTimestamp (text: string): number | null {
  const bytes = decodeBase64url(text)
  if (bytes === null || bytes.length > TIMESTAMP_BYTES || (bytes.length > 1 && bytes[0] === 0)) {
    return null
  }
  return bytes.readUIntBE(0, bytes.length)
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function nowSeconds (): number {
  return Math.max(0, Math.floor(Date.now() / 1000))
}

function checkMaxAge (maxAge: unknown): number | null {
  if (maxAge === undefined || maxAge === null) return null
  if (typeof maxAge !== 'number' || !Number.isFinite(maxAge) || maxAge < 0) {
    throw new FST_LOGIN_INVALID_OPTION('maxAge', `must be a finite number of seconds >= 0, got ${String(maxAge)}`)
  }
  return maxAge
}

export class URLSafeTimedSerializer {
  readonly #signer: Signer

  constructor (secret: Secret | Secret[], options: SerializerOptions = {}) {
    const secrets = normalizeSecrets(secret)
    const salt: unknown = options?.salt === undefined ? DEFAULT_SALT : options.salt
    if (typeof salt !== 'string' || salt.length === 0) {
      throw new FST_LOGIN_INVALID_OPTION('salt', 'must be a non-empty string')
    }
    this.#signer = new Signer(secrets.map((entry) => deriveKey(entry, salt)), 'sha256')
  }

  /** Signs a JSON value with the current time: `payload.timestamp.signature`, URL- and cookie-safe. */
  dumps (value: unknown): string {
    let json: string | undefined
    try {
      json = JSON.stringify(value)
    } catch (err) {
      throw new FST_LOGIN_INVALID_VALUE(`value cannot be serialized as JSON: ${(err as Error).message}`, { cause: err })
    }
    if (json === undefined) {
      throw new FST_LOGIN_INVALID_VALUE(`value cannot be serialized as JSON: ${typeof value}`)
    }
    const unsigned = Buffer.from(json, 'utf8').toString('base64url') + '.' + encodeTimestamp(nowSeconds())
    const token = toUrlSafe(this.#signer.sign(unsigned))
    if (token.length > MAX_TOKEN_LENGTH) {
      throw new FST_LOGIN_INVALID_VALUE(`value is too large: the token would be ${token.length} characters, over ${MAX_TOKEN_LENGTH}`)
    }
    return token
  }

  /** Verifies and decodes; throws `BadSignature`, or `SignatureExpired` when older than `maxAge` seconds. */
  loads (token: string, options?: LoadOptions): unknown {
    return this.loadsWithMeta(token, options).value
  }

  /** As `loads`, and tells whether the token was signed with a secret other than the first. */
  loadsWithMeta (token: string, options?: LoadOptions): LoadResult {
    const maxAge = checkMaxAge(options?.maxAge)
    if (typeof token !== 'string') throw new BadSignature('token is not a string')
    if (token.length === 0) throw new BadSignature('token is empty')
    if (token.length > MAX_TOKEN_LENGTH) {
      throw new BadSignature(`token is longer than ${MAX_TOKEN_LENGTH} characters`)
    }
    const parts = TOKEN_RE.exec(token)
    if (parts === null) {
      throw new BadSignature('token is not payload.timestamp.signature in base64url')
    }
    const [, payload, timestamp, signature] = parts as unknown as [string, string, string, string]
    const result = this.#signer.unsign(`${payload}.${timestamp}.${fromUrlSafe(signature)}`)
    if (!result.valid) throw new BadSignature('signature does not match')

    const issuedAt = decodeTimestamp(timestamp)
    if (issuedAt === null) throw new BadSignature('timestamp is malformed')
    const now = nowSeconds()
    if (issuedAt > now + MAX_CLOCK_SKEW_SECONDS) throw new BadSignature('timestamp is in the future')
    if (maxAge !== null && now - issuedAt > maxAge) throw new SignatureExpired(issuedAt, maxAge)

    const bytes = decodeBase64url(payload)
    if (bytes === null) throw new BadSignature('payload is not canonical base64url')
    let value: unknown
    try {
      value = JSON.parse(utf8.decode(bytes))
    } catch {
      throw new BadSignature('payload is not UTF-8 JSON')
    }
    return { value, issuedAt, renew: result.renew }
  }
}

function toUrlSafe (signed: string): string {
  return signed.replaceAll('+', '-').replaceAll('/', '_')
}

function fromUrlSafe (signature: string): string {
  return signature.replaceAll('-', '+').replaceAll('_', '/')
}
