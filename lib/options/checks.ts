// The rules options are checked with, and how a bad value becomes FST_LOGIN_INVALID_OPTION.
import { FST_LOGIN_INVALID_OPTION } from '../core/errors.js'

/** Browsers cap a cookie's lifetime at 400 days (RFC 6265bis): the longest remember duration. */
export const MAX_DURATION = 400 * 24 * 60 * 60
// RFC 6265 token characters
export const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// no control characters, no ';' in cookie attribute values
export const COOKIE_ATTRIBUTE = /^[\x21-\x3a\x3c-\x7e]+$/
export const HTTP_METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
export const HEADER_NAME = HTTP_METHOD

export type Check = (value: unknown) => string | null

export const isFunction: Check = (v) => typeof v === 'function' ? null : 'must be a function'
export const isBoolean: Check = (v) => typeof v === 'boolean' ? null : 'must be a boolean'
export const isString: Check = (v) => typeof v === 'string' && v.length > 0 ? null : 'must be a non-empty string'
export const isStringOrNull: Check = (v) => v === null || (typeof v === 'string' && v.length > 0) ? null : 'must be a non-empty string or null'
export const isPositiveSeconds: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v > 0 ? null : 'must be a positive number of seconds'
/** A remember duration: every accepted value can be sent as a cookie's Max-Age and Expires. */
export const isDuration: Check = (v) => isPositiveSeconds(v) === null && (v as number) <= MAX_DURATION
  ? null
  : `must be a positive number of seconds, at most ${MAX_DURATION} (400 days, the browsers' cap on cookie lifetimes)`
export const isSecondsOrNull: Check = (v) => v === null ? null : isPositiveSeconds(v)
export const isViewOrNull: Check = (v) => {
  if (v === null) {
    return null
  }
  if (typeof v === 'string' && /^\/(?![/\\])[^\s]*$/.test(v)) {
    return null
  }
  if (typeof v === 'string' && /^https?:\/\/[^\s]+$/i.test(v) && URL.canParse(v)) {
    return null
  }
  return 'must be a path starting with "/", an absolute http(s) URL, or null'
}

export function check (name: string, value: unknown, rule: Check): void {
  const problem = rule(value)
  if (problem !== null) {
    throw new FST_LOGIN_INVALID_OPTION(name, problem)
  }
}

export function optional<T> (options: Record<string, unknown>, name: string, rule: Check, fallback: T, label = name): T {
  const value = options[name]
  if (value === undefined) {
    return fallback
  }
  check(label, value, rule)
  return value as T
}
