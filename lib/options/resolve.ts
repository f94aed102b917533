import type { FastifyLoginOptions, ResolvedLoginOptions, Secret } from '../../types/index.js'
import { FST_LOGIN_INVALID_OPTION, FST_LOGIN_NO_LOADER } from '../core/errors.js'
import { createHmac } from 'node:crypto'
import { MIN_SECRET_BYTES, normalizeSecrets } from '../signing/secrets.js'
import { refuseUnknown, TOP_LEVEL_OPTIONS } from './names.js'
import { check, COOKIE_NAME, HEADER_NAME, HTTP_METHOD, isBoolean, isFunction, isSecondsOrNull, isString, isStringOrNull, isViewOrNull, optional } from './checks.js'
import { resolveFlask } from './flask.js'
import { resolveOpenapi } from './openapi.js'
import { resolveRememberCookie } from './remember-cookie.js'
import { resolveSessions } from './sessions.js'

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

type Given = FastifyLoginOptions & Record<string, unknown>

/**
 * With `flask`, `secret` defaults to the Flask app's key; one shorter than 32 bytes (accepted with
 * a warning) is stretched to 32 with HMAC-SHA256 for fastify-login's own signatures.
 */
function secretsOfFlask (keys: readonly Secret[]): Secret[] {
  return keys.map((key) => Buffer.byteLength(key) >= MIN_SECRET_BYTES ? key : createHmac('sha256', key).update('fastify-login secret from flask.secretKey').digest())
}

/** The session plugin's options and the loaders. */
function sessionAndLoaders (options: Given, secrets: Secret[]) {
  return {
    secrets: Object.freeze(secrets),
    session: options.session,
    sessionCookieName: optional<string | undefined>(options, 'sessionCookieName', (v) => typeof v === 'string' && COOKIE_NAME.test(v) ? null : 'must be a valid cookie name', undefined),
    sessionCookiePrefix: optional(options, 'sessionCookiePrefix', (v) => typeof v === 'string' && /^[\x21-\x3a\x3c-\x7e]*$/.test(v) ? null : 'must be a string of cookie-value characters', ''),
    userLoader: options.userLoader,
    requestLoader: options.requestLoader,
    headerLoader: options.headerLoader,
    authHeaderName: optional(options, 'authHeaderName', (v) => typeof v === 'string' && HEADER_NAME.test(v) ? null : 'must be a header name', 'authorization').toLowerCase(),
    tokenLoader: options.tokenLoader,
    anonymousUser: options.anonymousUser
  }
}

/** The unauthorized and needs-refresh flows: views, messages, handlers, `next`. */
function flows (options: Given) {
  return {
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
    allowedHosts: Object.freeze(resolveStringList('allowedHosts', options.allowedHosts, [], /^[^\s/\\@]+$/))
  }
}

/** Protection, guards, users, the remember cookie, timeouts and tracked sessions. */
function loginRules (options: Given, idleTimeout: number | null, absoluteTimeout: number | null) {
  return {
    sessionProtection: resolveSessionProtection(options.sessionProtection),
    exemptMethods: Object.freeze(resolveStringList('exemptMethods', options.exemptMethods, ['OPTIONS'], HTTP_METHOD).map((m) => m.toUpperCase())),
    disabled: optional(options, 'disabled', isBoolean, false),
    idAttribute: optional(options, 'idAttribute', isString, 'getId'),
    addContextProcessor: optional(options, 'addContextProcessor', isBoolean, true),
    rememberCookie: resolveRememberCookie(options.rememberCookie),
    idleTimeout,
    absoluteTimeout,
    freshFor: optional<number | null>(options, 'freshFor', isSecondsOrNull, null),
    sessions: resolveSessions(options.sessions, options.tokenLoader !== undefined),
    openapi: resolveOpenapi(options.openapi)
  }
}

/** Validates every option and applies the defaults; throws a coded error naming the bad option. */
export function resolveOptions (input: unknown): ResolvedLoginOptions {
  if (typeof input !== 'object' || input === null) {
    throw new FST_LOGIN_INVALID_OPTION('options', 'must be an object')
  }
  const options = input as Given
  refuseUnknown(options, TOP_LEVEL_OPTIONS)
  const flask = resolveFlask(options.flask, { sessions: options.sessions, session: options.session })
  const secrets = flask !== null && options.secret === undefined ? secretsOfFlask(flask.secretKeys) : normalizeSecrets(options.secret)

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
  return Object.freeze({ ...sessionAndLoaders(options, secrets), ...flows(options), ...loginRules(options, idleTimeout, absoluteTimeout), flask })
}
