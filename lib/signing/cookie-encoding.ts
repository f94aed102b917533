// Flask-Login's encode_cookie/decode_cookie in this plugin's own format: a string signed by a
// URLSafeTimedSerializer with a salt of its own (not Flask-Login's `id|hmac-sha512`).
import { FST_LOGIN_INVALID_VALUE, URLSafeTimedSerializer, type Secret } from './serializer.js'

export const COOKIE_SALT = 'fastify-login.cookie'

/** Signs `value` (a string) in the plugin's remember-cookie format. */
export function encodeCookie (value: string, secret: Secret | Secret[]): string {
  if (typeof value !== 'string') {
    throw new FST_LOGIN_INVALID_VALUE(`encodeCookie needs a string value, got ${value === null ? 'null' : typeof value}`)
  }
  return new URLSafeTimedSerializer(secret, { salt: COOKIE_SALT }).dumps(value)
}

/**
 * The value `encodeCookie` signed, or `null` for any cookie it did not make. Never throws on the
 * cookie; an invalid `secret` is a programming error and throws `FST_LOGIN_INVALID_SECRET`.
 */
export function decodeCookie (cookie: unknown, secret: Secret | Secret[]): string | null {
  const serializer = new URLSafeTimedSerializer(secret, { salt: COOKIE_SALT })
  try {
    const value = serializer.loads(cookie as string)
    return typeof value === 'string' ? value : null
  } catch {
    return null
  }
}
