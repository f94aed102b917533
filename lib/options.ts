import type { FastifyLoginOptions, ResolvedLoginOptions } from '../types/index.js'
import { FST_LOGIN_INVALID_OPTION, FST_LOGIN_NO_LOADER } from './errors.js'
import { normalizeSecrets } from './serializer.js'
import { resolveSessions } from './sessions-options.js'

const DEFAULT_DURATION = 365 * 24 * 60 * 60
/** Browsers cap a cookie's lifetime at 400 days (RFC 6265bis): the longest remember duration. */
export const MAX_DURATION = 400 * 24 * 60 * 60
// RFC 6265 token characters
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// no control characters, no ';' in cookie attribute values
const COOKIE_ATTRIBUTE = /^[\x21-\x3a\x3c-\x7e]+$/
const HTTP_METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const HEADER_NAME = HTTP_METHOD

type Check = (value: unknown) => string | null

const isFunction: Check = (v) => typeof v === 'function' ? null : 'must be a function'
const isBoolean: Check = (v) => typeof v === 'boolean' ? null : 'must be a boolean'
const isString: Check = (v) => typeof v === 'string' && v.length > 0 ? null : 'must be a non-empty string'
const isStringOrNull: Check = (v) => v === null || (typeof v === 'string' && v.length > 0) ? null : 'must be a non-empty string or null'
const isPositiveSeconds: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v > 0 ? null : 'must be a positive number of seconds'
/** A remember duration: every accepted value can be sent as a cookie's Max-Age and Expires. */
export const isDuration: Check = (v) => isPositiveSeconds(v) === null && (v as number) <= MAX_DURATION
  ? null
  : `must be a positive number of seconds, at most ${MAX_DURATION} (400 days, the browsers' cap on cookie lifetimes)`
const isSecondsOrNull: Check = (v) => v === null ? null : isPositiveSeconds(v)
const isViewOrNull: Check = (v) => {
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

function check (name: string, value: unknown, rule: Check): void {
  const problem = rule(value)
  if (problem !== null) {
    throw new FST_LOGIN_INVALID_OPTION(name, problem)
  }
}

function optional<T> (options: Record<string, unknown>, name: string, rule: Check, fallback: T, label = name): T {
  const value = options[name]
  if (value === undefined) {
    return fallback
  }
  check(label, value, rule)
  return value as T
}

function resolveLoginViews (value: unknown): Record<string, string | null> {
  if (value === undefined) {
    return {}
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FST_LOGIN_INVALID_OPTION('loginViews', 'must be an object mapping path prefixes to a login view or null')
  }
  const views: Record<string, string | null> = Object.create(null)
  for (const [prefix, view] of Object.entries(value)) {
    if (!prefix.startsWith('/')) {
      throw new FST_LOGIN_INVALID_OPTION(`loginViews["${prefix}"]`, 'keys must be path prefixes starting with "/"')
    }
    check(`loginViews["${prefix}"]`, view, isViewOrNull)
    // a trailing slash is not part of the segment match: '/shop/' and '/shop' mean the same prefix
    views[prefix.length > 1 ? prefix.replace(/\/+$/, '') : prefix] = view as string | null
  }
  return views
}

function resolveStringList (name: string, value: unknown, fallback: string[], pattern: RegExp): string[] {
  if (value === undefined) {
    return fallback
  }
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || !pattern.test(item))) {
    throw new FST_LOGIN_INVALID_OPTION(name, 'must be an array of strings')
  }
  return value as string[]
}

type RememberCookie = ResolvedLoginOptions['rememberCookie']

function resolveRememberCookie (value: unknown): RememberCookie {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new FST_LOGIN_INVALID_OPTION('rememberCookie', 'must be an object')
  }
  const options = (value ?? {}) as Record<string, unknown>
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

function resolveSessionProtection (value: unknown): 'basic' | 'strong' | false {
  if (value === undefined) {
    return 'basic'
  }
  if (value === false || value === null) {
    return false
  }
  if (value === 'basic' || value === 'strong') {
    return value
  }
  throw new FST_LOGIN_INVALID_OPTION('sessionProtection', 'must be "basic", "strong", false or null')
}

/** Validates every option and applies the defaults; throws a coded error naming the bad option. */
export function resolveOptions (input: unknown): ResolvedLoginOptions {
  if (typeof input !== 'object' || input === null) {
    throw new FST_LOGIN_INVALID_OPTION('options', 'must be an object')
  }
  const options = input as FastifyLoginOptions & Record<string, unknown>
  const secrets = normalizeSecrets(options.secret)

  for (const name of ['userLoader', 'requestLoader', 'headerLoader', 'tokenLoader', 'unauthorizedHandler', 'needsRefreshHandler', 'localize', 'anonymousUser']) {
    optional(options, name, isFunction, undefined)
  }
  if (options.userLoader === undefined && options.requestLoader === undefined &&
      options.headerLoader === undefined && options.tokenLoader === undefined) {
    throw new FST_LOGIN_NO_LOADER()
  }
  if (options.session !== undefined && (typeof options.session !== 'object' || options.session === null)) {
    throw new FST_LOGIN_INVALID_OPTION('session', 'must be an object of @fastify/secure-session options')
  }
  const idleTimeout = optional<number | null>(options, 'idleTimeout', isSecondsOrNull, null)
  const absoluteTimeout = optional<number | null>(options, 'absoluteTimeout', isSecondsOrNull, null)

  return Object.freeze({
    secrets: Object.freeze(secrets),
    session: options.session,
    sessionCookieName: optional<string | undefined>(options, 'sessionCookieName', (v) => typeof v === 'string' && COOKIE_NAME.test(v) ? null : 'must be a valid cookie name', undefined),
    sessionCookiePrefix: optional(options, 'sessionCookiePrefix', (v) => typeof v === 'string' && /^[\x21-\x3a\x3c-\x7e]*$/.test(v) ? null : 'must be a string of cookie-value characters', ''),
    userLoader: options.userLoader,
    requestLoader: options.requestLoader,
    headerLoader: options.headerLoader,
    authHeaderName: optional(options, 'authHeaderName', (v) => typeof v === 'string' && HEADER_NAME.test(v) ? null : 'must be a header name', 'authorization').toLowerCase(),
    tokenLoader: options.tokenLoader,
    anonymousUser: options.anonymousUser,
    loginView: optional<string | null>(options, 'loginView', isViewOrNull, null),
    loginViews: Object.freeze(resolveLoginViews(options.loginViews)),
    loginMessage: optional<string | null>(options, 'loginMessage', isStringOrNull, 'Please log in to access this page.'),
    loginMessageCategory: optional(options, 'loginMessageCategory', isString, 'message'),
    refreshView: optional<string | null>(options, 'refreshView', isViewOrNull, null),
    needsRefreshMessage: optional<string | null>(options, 'needsRefreshMessage', isStringOrNull, 'Please reauthenticate to access this page.'),
    needsRefreshMessageCategory: optional(options, 'needsRefreshMessageCategory', isString, 'message'),
    unauthorizedHandler: options.unauthorizedHandler,
    needsRefreshHandler: options.needsRefreshHandler,
    localize: options.localize,
    useSessionForNext: optional(options, 'useSessionForNext', isBoolean, false),
    nextField: optional(options, 'nextField', (v) => typeof v === 'string' && /^[\w.~-]+$/.test(v) ? null : 'must be a query parameter name', 'next'),
    forceHostForRedirects: optional<string | null>(options, 'forceHostForRedirects', (v) => v === null || (typeof v === 'string' && /^[a-z0-9.-]+(:\d{1,5})?$/i.test(v)) ? null : 'must be a host[:port] or null', null),
    allowedHosts: Object.freeze(resolveStringList('allowedHosts', options.allowedHosts, [], /^[^\s/\\@]+$/)),
    sessionProtection: resolveSessionProtection(options.sessionProtection),
    exemptMethods: Object.freeze(resolveStringList('exemptMethods', options.exemptMethods, ['OPTIONS'], HTTP_METHOD).map((m) => m.toUpperCase())),
    disabled: optional(options, 'disabled', isBoolean, false),
    idAttribute: optional(options, 'idAttribute', isString, 'getId'),
    addContextProcessor: optional(options, 'addContextProcessor', isBoolean, true),
    rememberCookie: resolveRememberCookie(options.rememberCookie),
    idleTimeout,
    absoluteTimeout,
    freshFor: optional<number | null>(options, 'freshFor', isSecondsOrNull, null),
    sessions: resolveSessions(options.sessions, options.tokenLoader !== undefined)
  })
}
