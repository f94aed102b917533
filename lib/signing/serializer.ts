// An itsdangerous-style signer: JSON values signed with the time they were issued, in a form that
// needs no escaping in a URL query or a cookie. Two formats: fastify-login's own
// (native-format.ts, the default) and Python itsdangerous' (`format: 'itsdangerous'`,
// itsdangerous.ts), which reads and writes exactly the tokens a Flask application makes.
import { FST_LOGIN_INVALID_OPTION, FST_LOGIN_INVALID_VALUE } from '../core/errors.js'
import type { Secret, SerializerOptions } from '../../types/index.js'
import type { Failure, TokenFailure } from './itsdangerous.js'
import { itsdangerousFormat, nativeFormat, type TokenFormat } from './native-format.js'
import { normalizeSecrets } from './secrets.js'

/**
 * Longest token `loads` reads. Browsers keep at most about 4 096 bytes per cookie and servers
 * commonly refuse request headers over 8 KiB, so nothing longer can be a token we issued for a
 * cookie or a header; the bound also caps the work spent on hostile input before any HMAC,
 * base64 or JSON parsing. `dumps` refuses to make a token longer than this.
 */
export const MAX_TOKEN_LENGTH = 8192

/** How far in the future an issue time may be (clock skew between servers) before it is refused. */
export const MAX_CLOCK_SKEW_SECONDS = 60

const DEFAULT_SALT = { 'fastify-login': 'fastify-login', itsdangerous: 'itsdangerous' } as const

export { FST_LOGIN_INVALID_VALUE, normalizeSecrets }
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

const FAILURES: Record<Failure, string> = {
  malformed: 'token is not payload.timestamp.signature in base64url',
  signature: 'signature does not match',
  timestamp: 'timestamp is malformed',
  base64: 'payload is not canonical base64url',
  payload: 'payload is not UTF-8 JSON'
}

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

function formatOf (secret: unknown, options: SerializerOptions): TokenFormat {
  const format: unknown = options?.format ?? 'fastify-login'
  if (format !== 'fastify-login' && format !== 'itsdangerous') {
    throw new FST_LOGIN_INVALID_OPTION('format', `must be 'fastify-login' or 'itsdangerous', got ${String(format)}`)
  }
  const salt: unknown = options?.salt === undefined ? DEFAULT_SALT[format] : options.salt
  if (typeof salt !== 'string' || salt.length === 0) {
    throw new FST_LOGIN_INVALID_OPTION('salt', 'must be a non-empty string')
  }
  // the Python format reads another application's key: any length (the flask option warns)
  return format === 'itsdangerous'
    ? itsdangerousFormat(normalizeSecrets(secret, 1), salt)
    : nativeFormat(normalizeSecrets(secret), salt)
}

export class URLSafeTimedSerializer {
  readonly #format: TokenFormat

  constructor (secret: Secret | Secret[], options: SerializerOptions = {}) {
    this.#format = formatOf(secret, options)
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
    const token = this.#format.sign(json, nowSeconds())
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
    let verified: ReturnType<TokenFormat['verify']>
    try {
      verified = this.#format.verify(token)
    } catch (err) {
      throw new BadSignature(FAILURES[(err as TokenFailure).reason])
    }
    const { json, issuedAt, renew } = verified
    const now = nowSeconds()
    if (issuedAt > now + MAX_CLOCK_SKEW_SECONDS) throw new BadSignature('timestamp is in the future')
    if (maxAge !== null && now - issuedAt > maxAge) throw new SignatureExpired(issuedAt, maxAge)
    let value: unknown
    try {
      value = JSON.parse(json)
    } catch {
      throw new BadSignature(FAILURES.payload)
    }
    return { value, issuedAt, renew }
  }
}
