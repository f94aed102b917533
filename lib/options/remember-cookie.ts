import type { ResolvedLoginOptions } from '../../types/index.js'
import { FST_LOGIN_INVALID_OPTION } from '../core/errors.js'
import { REMEMBER_COOKIE_OPTIONS, refuseUnknown } from './names.js'
import { COOKIE_ATTRIBUTE, COOKIE_NAME, isBoolean, isDuration, optional } from './checks.js'

const DEFAULT_DURATION = 365 * 24 * 60 * 60

type RememberCookie = ResolvedLoginOptions['rememberCookie']

/** The `rememberCookie` option, checked, with its defaults. */
export function resolveRememberCookie (value: unknown): RememberCookie {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new FST_LOGIN_INVALID_OPTION('rememberCookie', 'must be an object')
  }
  const options = (value ?? {}) as Record<string, unknown>
  refuseUnknown(options, REMEMBER_COOKIE_OPTIONS, 'rememberCookie.')
  const name = optional(options, 'name', (v) => typeof v === 'string' && COOKIE_NAME.test(v) ? null : 'must be a valid cookie name', 'remember_token', 'rememberCookie.name')
  const duration = optional(options, 'duration', isDuration, DEFAULT_DURATION, 'rememberCookie.duration')
  const domain = optional<string | undefined>(options, 'domain', (v) => typeof v === 'string' && COOKIE_ATTRIBUTE.test(v) ? null : 'must be a valid cookie domain', undefined, 'rememberCookie.domain')
  const path = optional(options, 'path', (v) => typeof v === 'string' && v.startsWith('/') && COOKIE_ATTRIBUTE.test(v) ? null : 'must be a path starting with "/" without ";" or control characters', '/', 'rememberCookie.path')
  const secure = optional<boolean | 'auto'>(options, 'secure', (v) => typeof v === 'boolean' || v === 'auto' ? null : 'must be true, false or "auto"', 'auto', 'rememberCookie.secure')
  const httpOnly = optional(options, 'httpOnly', isBoolean, true, 'rememberCookie.httpOnly')
  const sameSite = optional<RememberCookie['sameSite']>(options, 'sameSite', (v) => typeof v === 'boolean' || v === 'lax' || v === 'strict' || v === 'none' ? null : 'must be "lax", "strict", "none" or a boolean', 'lax', 'rememberCookie.sameSite')
  const refreshEachRequest = optional(options, 'refreshEachRequest', isBoolean, false, 'rememberCookie.refreshEachRequest')
  const rotationGrace = optional(options, 'rotationGrace', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : 'must be a number of seconds (0 or more)', 30, 'rememberCookie.rotationGrace')

  // cookie prefixes (RFC 6265bis): refuse at registration what browsers would drop silently
  if (name.startsWith('__Host-') && (secure !== true || path !== '/' || domain !== undefined)) {
    throw new FST_LOGIN_INVALID_OPTION('rememberCookie.name', 'a "__Host-" cookie needs secure: true, path "/" and no domain')
  }
  if (name.startsWith('__Secure-') && secure !== true) {
    throw new FST_LOGIN_INVALID_OPTION('rememberCookie.name', 'a "__Secure-" cookie needs secure: true')
  }
  if (sameSite === 'none' && secure === false) {
    throw new FST_LOGIN_INVALID_OPTION('rememberCookie.sameSite', 'sameSite "none" needs a secure cookie')
  }
  return Object.freeze({ name, duration, domain, path, secure, httpOnly, sameSite, refreshEachRequest, rotationGrace })
}
