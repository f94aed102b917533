// The remember cookie: its only builder (claims → a signed value that fits a cookie), its
// verification, and setting or deleting it on a reply.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ResolvedLoginOptions, UserType as User } from '../../types/index.js'
import { FST_LOGIN_INVALID_USER } from '../core/errors.js'
import type { Found, Lookup } from '../core/state.js'
import { authHashOf } from '../core/user.js'
import { countOfLogin } from '../login/logout-count.js'
import type { LoginParts } from '../login/write.js'
import { decodeFlaskLogin, encodeFlaskLogin } from '../signing/cookie-encoding.js'
import { URLSafeTimedSerializer } from '../signing/serializer.js'

/** What a verified remember cookie holds. */
export interface RememberPayload {
  /** The user id (for userLoader), or null when the cookie carries a token. */
  readonly id: string | null
  /** The user's getAuthToken() value (for tokenLoader), or null. */
  readonly token: string | null
  /** With `sessions`: the tracked session the cookie belongs to, and its random token. */
  readonly session: { readonly id: string, readonly token: string } | null
  /** The user's getSessionAuthHash() when the cookie was issued, or null. */
  readonly hash: string | null
  /** Seconds the cookie is valid for, counted from issuedAt. */
  readonly duration: number
  readonly issuedAt: number
  /** Signed with a secret that is no longer the first: re-issue it. */
  readonly renew: boolean
  /**
   * The browser's logouts before the login it remembers (login/logout-count.ts), 0 when it holds
   * none; null for a Flask-Login cookie, which cannot hold one.
   */
  readonly logouts: number | null
}

interface WirePayload { u?: unknown, k?: unknown, s?: unknown, t?: unknown, h?: unknown, d?: unknown, n?: unknown }

/** What a remember cookie is issued for: a user id, an auth token, or a tracked session and its token. */
export type RememberClaims = Pick<RememberPayload, 'id' | 'token' | 'hash' | 'session' | 'logouts'>

/**
 * The claims of a new login's remember cookie: with `sessions`, its tracked session and that
 * session's token; else the user's auth token (tokenLoader), else its id; and its auth hash.
 */
export function claimsFor (user: User, id: string, session: RememberPayload['session'], logouts = 0): RememberClaims {
  if (session !== null) {
    return { id: null, token: null, hash: authHashOf(user), session, logouts: 0 }
  }
  const token = typeof user.getAuthToken === 'function' ? user.getAuthToken() : null
  return { id, token, hash: authHashOf(user), session: null, logouts }
}

/**
 * Whether the response to `request` can carry Set-Cookie: an upgrade (WebSocket) cannot, so it
 * rotates no remember token and rewrites no session (SEC-26).
 */
export function carriesCookies (request: FastifyRequest): boolean {
  return request.headers.upgrade === undefined
}

/** The user a verified remember cookie names, when it may still log in; else null. */
export type UserOfCookie = (lookup: Lookup, payload: RememberPayload) => Promise<Found>

/** What the remember room works with: the login room's parts and the remember cookie. */
export interface RememberParts extends LoginParts {
  readonly remember: RememberCookie
}

function nonEmpty (value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

/** Browsers keep at most 4096 bytes of name=value per cookie. */
const MAX_COOKIE_BYTES = 4096

/**
 * The remember cookie: `URLSafeTimedSerializer` with its own salt over `{ u | k, d, h }`.
 * The issue time is inside the signed value, so the duration is enforced here, on the server,
 * whatever the browser does with Expires.
 */
export class RememberCookie {
  readonly #serializer: URLSafeTimedSerializer
  readonly #options: ResolvedLoginOptions['rememberCookie']
  /** With `sessions`, every cookie names a tracked session; without, none may. */
  readonly #tracked: boolean
  /** `flask`: Flask-Login's cookies are read (mode 'import', then re-issued in this format) or are the format (mode 'shared'). */
  readonly #flask: ResolvedLoginOptions['flask']

  constructor (options: ResolvedLoginOptions) {
    this.#serializer = new URLSafeTimedSerializer([...options.secrets], { salt: 'fastify-login.remember' })
    this.#options = options.rememberCookie
    this.#tracked = options.sessions !== null
    this.#flask = options.flask
  }

  get name (): string {
    return this.#options.name
  }

  /**
   * The signed cookie value of `claims`, valid for `duration` seconds on the server. Throws
   * FST_LOGIN_INVALID_USER when it would not fit a cookie (browsers keep 4096 bytes).
   */
  issue (claims: RememberClaims, duration: number): string {
    if (this.#flask?.mode === 'shared') {
      // Flask-Login's `<id>|<hex HMAC-SHA512>`: no issue time, no auth hash, no token
      return this.#fits(encodeFlaskLogin(claims.id as string, this.#flask.secretKeys))
    }
    const wire: WirePayload = claims.session != null
      ? { s: claims.session.id, t: claims.session.token, d: duration }
      : claims.token !== null ? { k: claims.token, d: duration } : { u: claims.id, d: duration }
    if (claims.hash !== null) {
      wire.h = claims.hash
    }
    if (claims.logouts !== null && claims.logouts > 0) {
      wire.n = claims.logouts
    }
    return this.#fits(this.#serializer.dumps(wire))
  }

  #fits (value: string): string {
    if (Buffer.byteLength(this.#options.name) + 1 + Buffer.byteLength(value) > MAX_COOKIE_BYTES) {
      throw new FST_LOGIN_INVALID_USER('its id, auth token or auth hash is too long for the remember cookie (4096 bytes)')
    }
    return value
  }

  /** A Flask-Login cookie as a payload: its end is the browser's; in mode 'import' it is re-issued in this format. */
  #decodeFlask (value: string): RememberPayload | string {
    const flask = this.#flask as NonNullable<ResolvedLoginOptions['flask']>
    const id = nonEmpty(decodeFlaskLogin(value, flask.secretKeys))
    if (id === null || this.#tracked) {
      return 'not a Flask-Login remember cookie of this key'
    }
    const imported = flask.mode === 'import'
    return { id, token: null, session: null, hash: null, duration: this.#options.duration, issuedAt: Math.floor(Date.now() / 1000), renew: imported, logouts: null }
  }

  /** The verified payload, or the reason the cookie is refused. Never throws. */
  decode (value: string): RememberPayload | string {
    if (this.#flask?.mode === 'shared' || (this.#flask !== null && /\|[0-9a-f]{128}$/.test(value))) {
      return this.#decodeFlask(value)
    }
    let meta: ReturnType<URLSafeTimedSerializer['loadsWithMeta']>
    try {
      meta = this.#serializer.loadsWithMeta(value)
    } catch (error) {
      return (error as Error).message.replace(/^fastify-login: /, '')
    }
    const wire = meta.value as WirePayload
    if (typeof wire !== 'object' || wire === null || typeof wire.d !== 'number' || !(wire.d > 0)) {
      return 'malformed payload'
    }
    const id = nonEmpty(wire.u)
    const token = nonEmpty(wire.k)
    const sessionId = nonEmpty(wire.s)
    const secret = nonEmpty(wire.t)
    const kinds = Number(id !== null) + Number(token !== null) + Number(sessionId !== null)
    if (kinds !== 1 || (sessionId === null) !== (secret === null) || (sessionId !== null) !== this.#tracked ||
        (wire.h !== undefined && typeof wire.h !== 'string') || (wire.n !== undefined && countOfLogin(wire.n) === 0)) {
      return 'malformed payload'
    }
    const session = sessionId === null ? null : { id: sessionId, token: secret as string }
    const age = Date.now() / 1000 - meta.issuedAt
    if (age > wire.d) {
      return `expired ${Math.floor(age - wire.d)}s ago`
    }
    return { id, token, session, hash: (wire.h as string | undefined) ?? null, duration: wire.d, issuedAt: meta.issuedAt, renew: meta.renew, logouts: countOfLogin(wire.n) }
  }

  set (request: FastifyRequest, reply: FastifyReply, value: string, maxAge: number): void {
    const o = this.#options
    reply.setCookie(o.name, value, {
      path: o.path,
      domain: o.domain,
      httpOnly: o.httpOnly,
      sameSite: o.sameSite,
      secure: o.secure === 'auto' ? request.protocol === 'https' : o.secure,
      maxAge: Math.max(1, Math.floor(maxAge)),
      expires: new Date(Date.now() + maxAge * 1000)
    })
  }

  /** Deletes the cookie with the attributes it was set with (a Secure cookie needs a Secure deletion). */
  clear (request: FastifyRequest, reply: FastifyReply): void {
    const o = this.#options
    reply.clearCookie(o.name, {
      path: o.path,
      domain: o.domain,
      httpOnly: o.httpOnly,
      sameSite: o.sameSite,
      secure: o.secure === 'auto' ? request.protocol === 'https' : o.secure
    })
  }
}
