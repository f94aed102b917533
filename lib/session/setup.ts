import { hkdfSync } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
// the package's module.exports is the fastify-plugin wrapped function (its named exports are not)
import fastifySecureSession = require('@fastify/secure-session')
import type { SecureSessionPluginOptions as SecureSessionOptions } from '@fastify/secure-session'
import type { ResolvedLoginOptions, Secret } from '../../types/index.js'
import { FST_LOGIN_INVALID_OPTION, FST_LOGIN_UNSUPPORTED_SESSION } from '../core/errors.js'
import type { SessionEngine } from './engine.js'
import { flaskSession } from './flask-session.js'
import { secureSession } from './secure-session.js'
import { storeSession } from './store-session.js'

/** @fastify/secure-session's default `expiry` (seconds). */
const SECURE_SESSION_EXPIRY = 86401

/** What a cookie value cannot hold as it is (RFC 6265 cookie-octet), and `%`, so that decoding round-trips. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const NOT_COOKIE_OCTET = /[\u0000-\u0020",;\\%\u007F-\u{10FFFF}]/gu

/**
 * The session cookie's encoding: escapes only what a cookie value cannot hold (secure-session's
 * `;` separator) and keeps base64's `+`, `/` and `=` as they are, where encodeURIComponent of the
 * whole value (the default once one character needs it) sends each as three: the cookie every
 * request carries is about 10 bytes shorter, and still decodes with decodeURIComponent.
 */
export function encodeSessionCookie (value: string): string {
  return value.replace(NOT_COOKIE_OCTET, (character) => encodeURIComponent(character))
}

/** The session cookie's attributes unless options.session.cookie says otherwise. */
const COOKIE_DEFAULTS = { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto', encode: encodeSessionCookie } as const

/** What options.session may hold (secure-session accepts `cookieOptions` as another name of `cookie`). */
interface LooseSessionOptions {
  key?: unknown
  secret?: unknown
  cookie?: SecureSessionOptions['cookie']
  cookieOptions?: SecureSessionOptions['cookie']
  cookieName?: string
  sessionName?: string
}

/**
 * One @fastify/secure-session key per secret (HKDF-SHA256, the first secret's key first): the
 * first encrypts, all decrypt, so rotating `secret` keeps the sessions of the old one alive.
 */
function deriveSessionKeys (secrets: readonly Secret[]): Buffer[] {
  return secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'fastify-login secure-session key v1', 32)))
}

function refuseArray (session: unknown): void {
  if (Array.isArray(session)) {
    throw new FST_LOGIN_UNSUPPORTED_SESSION('options.session holds several sessions; give one object of @fastify/secure-session options, or register @fastify/secure-session yourself with a session named "session"')
  }
}

/** The name of the session cookie fastify-login's own secure-session uses. */
function ownCookieName (options: ResolvedLoginOptions, session: LooseSessionOptions): string {
  const { sessionCookieName } = options
  if (sessionCookieName !== undefined && session.cookieName !== undefined && sessionCookieName !== session.cookieName) {
    throw new FST_LOGIN_INVALID_OPTION('sessionCookieName', `"${sessionCookieName}" differs from session.cookieName "${session.cookieName}"; give one of them`)
  }
  return session.cookieName ?? sessionCookieName ?? session.sessionName ?? 'session'
}

/** The options fastify-login registers @fastify/secure-session with (a new object: the application's is not changed). */
function ownSessionOptions (options: ResolvedLoginOptions): SecureSessionOptions {
  const { cookieOptions, ...session } = (options.session ?? {}) as LooseSessionOptions
  const hasKey = session.key !== undefined || session.secret !== undefined
  return {
    ...session,
    ...(hasKey ? {} : { key: deriveSessionKeys(options.secrets) }),
    cookieName: ownCookieName(options, session),
    // secure-session reads `cookieOptions` before `cookie`: either one overrides the defaults
    cookie: { ...COOKIE_DEFAULTS, ...(cookieOptions ?? session.cookie) }
  } as SecureSessionOptions
}

interface EngineNames {
  /** The session cookie's name; default: the engine's own default. */
  readonly cookieName?: string | undefined
  /** @fastify/session's cookiePrefix. */
  readonly cookiePrefix: string
  /** The request property holding @fastify/secure-session's session. */
  readonly sessionName?: string | undefined
  /** secure-session's `expiry` (seconds), when fastify-login registered it and so knows it. */
  readonly expiry?: number | null
}

/** The engine of the session plugin registered on `fastify`, or null when none is. */
function detectSessionEngine (fastify: FastifyInstance, names: EngineNames): SessionEngine | null {
  if (fastify.hasPlugin('@fastify/secure-session')) {
    const sessionName = names.sessionName ?? 'session'
    return secureSession(fastify, names.cookieName ?? sessionName, sessionName, names.expiry ?? null)
  }
  if (fastify.hasPlugin('@fastify/session')) {
    return storeSession(fastify, names.cookieName ?? 'sessionId', names.cookiePrefix)
  }
  return null
}

function existingEngine (fastify: FastifyInstance, options: ResolvedLoginOptions): SessionEngine | null {
  if (fastify.hasPlugin('@fastify/secure-session') && !fastify.hasRequestDecorator('session')) {
    throw new FST_LOGIN_UNSUPPORTED_SESSION('@fastify/secure-session is registered without a session named "session" (a sessionName of its own); name one of its sessions "session", or pass its options as fastify-login\'s `session` option and let fastify-login register it')
  }
  return detectSessionEngine(fastify, { cookieName: options.sessionCookieName, cookiePrefix: options.sessionCookiePrefix })
}

function refuseSameCookie (options: ResolvedLoginOptions, sessionCookie: string): void {
  if (options.rememberCookie.name === sessionCookie) {
    throw new FST_LOGIN_INVALID_OPTION('rememberCookie.name', `"${sessionCookie}" is the session cookie's name; the two cookies would overwrite each other`)
  }
}

/** `flask` in mode 'shared': Flask's session cookie is the session, so no session plugin may be registered. */
async function sharedWithFlask (fastify: FastifyInstance, options: ResolvedLoginOptions): Promise<SessionEngine> {
  if (fastify.hasRequestDecorator('session')) {
    throw new FST_LOGIN_UNSUPPORTED_SESSION('the `flask` option (mode "shared") uses Flask\'s session cookie as the session: register no session plugin of your own')
  }
  const flask = options.flask as NonNullable<ResolvedLoginOptions['flask']>
  if (flask.shortKey) {
    fastify.log.warn('fastify-login: flask.secretKey is shorter than 32 bytes; it is the Flask application\'s SECRET_KEY, so it is accepted (a longer one is safer)')
  }
  refuseSameCookie(options, flask.cookieName)
  return flaskSession(fastify, flask)
}

/**
 * The session engine fastify-login works through: the session plugin the application registered,
 * else @fastify/secure-session registered here with `options.session` and the cookie defaults.
 */
export async function setupSession (fastify: FastifyInstance, options: ResolvedLoginOptions): Promise<SessionEngine> {
  if (options.flask?.mode === 'shared') {
    return sharedWithFlask(fastify, options)
  }
  const existing = existingEngine(fastify, options)
  if (existing !== null) {
    refuseSameCookie(options, existing.cookieName)
    return existing
  }
  if (fastify.hasRequestDecorator('session')) {
    throw new FST_LOGIN_UNSUPPORTED_SESSION('request.session is decorated by an unknown plugin; register @fastify/secure-session or @fastify/session, or let fastify-login register @fastify/secure-session')
  }
  refuseArray(options.session)
  const session = ownSessionOptions(options)
  const cookieName = session.cookieName as string
  refuseSameCookie(options, cookieName)
  await fastify.register(fastifySecureSession, session)
  return detectSessionEngine(fastify, { cookieName, cookiePrefix: options.sessionCookiePrefix, sessionName: session.sessionName, expiry: session.expiry ?? SECURE_SESSION_EXPIRY }) as SessionEngine
}
