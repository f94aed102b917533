// Flask-Login's encode_cookie/decode_cookie. The default format is this plugin's own: a string
// signed by a URLSafeTimedSerializer with a salt of its own. `format: 'flask-login'` is
// Flask-Login 0.6's: `<value>|<hex HMAC-SHA512(key, UTF-8 value)>`, a string key taken as Latin-1
// bytes as Flask-Login takes it.
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { CookieEncodingOptions } from '../../types/index.js'
import { FST_LOGIN_INVALID_OPTION } from '../core/errors.js'
import { FST_LOGIN_INVALID_VALUE, MAX_TOKEN_LENGTH, normalizeSecrets, URLSafeTimedSerializer, type Secret } from './serializer.js'

export const COOKIE_SALT = 'fastify-login.cookie'

function isFlaskLogin (options: CookieEncodingOptions | undefined): boolean {
  const format: unknown = options?.format ?? 'fastify-login'
  if (format !== 'fastify-login' && format !== 'flask-login') {
    throw new FST_LOGIN_INVALID_OPTION('format', `must be 'fastify-login' or 'flask-login', got ${String(format)}`)
  }
  return format === 'flask-login'
}

/** Flask-Login's _cookie_digest of `value` with one key. */
export function flaskLoginDigest (value: string, secret: Secret): Buffer {
  const key = typeof secret === 'string' ? Buffer.from(secret, 'latin1') : secret
  return createHmac('sha512', key).update(value, 'utf8').digest()
}

/** `<value>|<digest>` signed with the first secret (any length: the Flask application's key). */
export function encodeFlaskLogin (value: string, secrets: readonly Secret[]): string {
  return `${value}|${flaskLoginDigest(value, secrets[0] as Secret).toString('hex')}`
}

/** The value of a `<value>|<digest>` cookie any of `secrets` signed, else null. */
export function decodeFlaskLogin (cookie: unknown, secrets: readonly Secret[]): string | null {
  if (typeof cookie !== 'string' || cookie.length > MAX_TOKEN_LENGTH) return null
  const bar = cookie.lastIndexOf('|')
  const digest = cookie.slice(bar + 1)
  if (bar === -1 || !/^[0-9a-f]{128}$/.test(digest)) return null
  const value = cookie.slice(0, bar)
  const given = Buffer.from(digest, 'hex')
  let valid = false
  for (const secret of secrets) {
    valid = timingSafeEqual(flaskLoginDigest(value, secret), given) || valid
  }
  return valid ? value : null
}

/** Signs `value` (a string) in the plugin's remember-cookie format, or Flask-Login's. */
export function encodeCookie (value: string, secret: Secret | Secret[], options?: CookieEncodingOptions): string {
  const flaskLogin = isFlaskLogin(options)
  if (typeof value !== 'string') {
    throw new FST_LOGIN_INVALID_VALUE(`encodeCookie needs a string value, got ${value === null ? 'null' : typeof value}`)
  }
  if (flaskLogin) return encodeFlaskLogin(value, normalizeSecrets(secret, 1))
  return new URLSafeTimedSerializer(secret, { salt: COOKIE_SALT }).dumps(value)
}

/**
 * The value `encodeCookie` signed, or `null` for any cookie it did not make. Never throws on the
 * cookie; an invalid `secret` is a programming error and throws `FST_LOGIN_INVALID_SECRET`.
 */
export function decodeCookie (cookie: unknown, secret: Secret | Secret[], options?: CookieEncodingOptions): string | null {
  if (isFlaskLogin(options)) return decodeFlaskLogin(cookie, normalizeSecrets(secret, 1))
  const serializer = new URLSafeTimedSerializer(secret, { salt: COOKIE_SALT })
  try {
    const value = serializer.loads(cookie as string)
    return typeof value === 'string' ? value : null
  } catch {
    return null
  }
}
