// SEC-27 without `sessions`: a request in flight during a logout answers with what it read, and
// the browser applies that answer after the logout's — the session itself where it lives in its
// cookie (@fastify/secure-session), and on any engine a remember cookie it re-issued
// (refreshEachRequest; on @fastify/session the re-issue checks the stored session first, but the
// logout can land between that check and the answer). Nothing on the server knows of the logout
// when the answer is read back, so the browser keeps a count of its logouts in a cookie of its
// own, which no answer but a logout's writes. A login made after N logouts holds `_logouts: N` (absent: 0) in the session, and so does
// its remember cookie; a login, or remember cookie, that holds fewer than the browser's count was
// made before its last logout: it is ended, whatever answer brought it back.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ResolvedLoginOptions } from '../../types/index.js'
import type { SessionEngine } from '../session/engine.js'

/** A count as its cookie holds it: a positive integer, at most 15 digits (a safe integer). */
const COUNT = /^[1-9][0-9]{0,14}$/

/** Browsers keep a cookie 400 days at most. */
const MAX_AGE = 400 * 24 * 60 * 60

/** The count a login holds in the session (`_logouts`) or its remember cookie: 0 when it holds none. */
export function countOfLogin (value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0
}

/** The browser's logout count: read from, and written to, its own cookie. */
export class LogoutCount {
  /** `<session cookie>_logouts`: sent wherever the session cookie is. */
  readonly name: string
  readonly #options: ResolvedLoginOptions['rememberCookie']
  readonly #engine: SessionEngine

  constructor (options: ResolvedLoginOptions, engine: SessionEngine) {
    this.name = `${engine.cookieName}_logouts`
    this.#options = options.rememberCookie
    this.#engine = engine
  }

  /** The request's count: 0 when it carries no cookie, or one that is not a count. */
  of (request: FastifyRequest): number {
    const value = request.cookies[this.name]
    return value !== undefined && COUNT.test(value) ? Number(value) : 0
  }

  /** Whether a login that holds `loginCount` (its `_logouts`) was made before the browser's last logout. */
  ended (request: FastifyRequest, loginCount: unknown): boolean {
    return countOfLogin(loginCount) < this.of(request)
  }

  /** The count after a logout of a login that holds `loginCount`: past the browser's and the login's. */
  next (request: FastifyRequest, loginCount: unknown): number {
    return Math.max(this.of(request), countOfLogin(loginCount)) + 1
  }

  /**
   * Sets the count on the reply, on every path (wherever the session cookie goes) with the remember
   * cookie's Domain, Secure and SameSite, for as long as a cookie an answer in flight brought back
   * could still log in.
   */
  set (request: FastifyRequest, reply: FastifyReply, count: number): void {
    const o = this.#options
    const maxAge = Math.min(MAX_AGE, Math.max(o.duration, this.#engine.lifetime(request) ?? 0))
    reply.setCookie(this.name, String(count), {
      path: '/',
      domain: o.domain,
      httpOnly: true,
      sameSite: o.sameSite,
      secure: o.secure === 'auto' ? request.protocol === 'https' : o.secure,
      maxAge,
      expires: new Date(Date.now() + maxAge * 1000)
    })
  }
}

/**
 * The logout count of a registration without `sessions` (with it, the store ends the login's
 * entry and every cookie of it). Not with Flask's cookie (mode 'shared'): Flask's logins hold no
 * count.
 */
export function logoutCountFor (options: ResolvedLoginOptions, engine: SessionEngine): LogoutCount | null {
  return engine.name !== 'flask' && options.sessions === null ? new LogoutCount(options, engine) : null
}
