import { EventEmitter } from 'node:events'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { LoginEvents, LoginManager as LoginManagerType, ResolvedLoginOptions, SessionCookieForOptions, SessionInfo, UserType as User } from '../types/index.js'
import { authHashOf, idOf, nowSeconds, type LoginContext } from './context.js'
import { loginUrl, withForcedHost } from './login-url.js'
import { AUTH_HASH, FRESH, IDENTIFIER, LOGIN_AT, SEEN_AT, SID, USER_ID } from './session-keys.js'
import { FST_LOGIN_INVALID_USER } from './errors.js'
import type { RememberClaims } from './remember-cookie.js'
import type { createSessionActions } from './session-actions.js'
import { newRememberToken } from './tracked-sessions.js'
import { identifierFor } from './session-protection.js'
import { freshValue } from './fresh-window.js'
import { runFlow, type FlowRunner as Flow } from './flows.js'

type SessionManagerActions = ReturnType<typeof createSessionActions>['manager']

/** fastify.loginManager: options, flows, URL helpers, the test-login helper and the events. */
export class LoginManager extends EventEmitter<LoginEvents> implements LoginManagerType {
  readonly options: ResolvedLoginOptions
  #ctx: LoginContext | null = null
  #unauthorized: Flow | null = null
  #needsRefresh: Flow | null = null
  #sessions: SessionManagerActions | null = null

  constructor (options: ResolvedLoginOptions) {
    super()
    this.options = options
  }

  /** Wires the manager to its registration (called once by the plugin). */
  attach (ctx: LoginContext, flows: { unauthorized: Flow, needsRefresh: Flow }, sessions: SessionManagerActions): void {
    this.#ctx = ctx
    this.#sessions = sessions
    this.#unauthorized = flows.unauthorized
    this.#needsRefresh = flows.needsRefresh
  }

  unauthorized (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    return runFlow(this.#unauthorized as Flow, request, reply)
  }

  needsRefresh (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    return runFlow(this.#needsRefresh as Flow, request, reply)
  }

  loginUrl (view: string, nextUrl?: string | null): string {
    const url = loginUrl(view, nextUrl, this.options.nextField)
    const host = this.options.forceHostForRedirects
    return host === null ? url : withForcedHost(url, host, 'https')
  }

  /**
   * A Cookie header value that makes a request arrive logged in as `user` (Flask-Login's
   * FlaskLoginClient). The identifier is computed for `fastify.inject`'s defaults (127.0.0.1,
   * `lightMyRequest`), so session protection accepts it; pass `ip`/`userAgent` for other clients.
   */
  async sessionCookieFor (user: User, cookieOptions: SessionCookieForOptions & { ip?: string, userAgent?: string } = {}): Promise<string> {
    const { engine, remember } = this.#ctx as LoginContext
    const { fresh = true, remember: wantsRemember = false, ip = '127.0.0.1', userAgent = 'lightMyRequest' } = cookieOptions
    const id = idOf(this.options, user)
    const hash = authHashOf(user)
    const now = nowSeconds()
    const data: Record<string, unknown> = { [USER_ID]: id, [FRESH]: freshValue(fresh), [IDENTIFIER]: identifierFor(ip, userAgent) }
    if (hash !== null) data[AUTH_HASH] = hash
    if (this.options.absoluteTimeout !== null) data[LOGIN_AT] = now
    if (this.options.idleTimeout !== null) data[SEEN_AT] = now
    const duration = this.options.rememberCookie.duration
    let claims: RememberClaims | null = null
    const tracked = (this.#ctx as LoginContext).tracked
    if (tracked !== null) {
      // a tracked session, as a login would open (a test login counts against maxPerUser)
      const token = wantsRemember ? newRememberToken() : null
      const sid = await tracked.open(null, { ip, userAgent }, id, null, token, duration)
      if (sid === null) {
        throw new FST_LOGIN_INVALID_USER('sessions.maxPerUser refuses another session for this user')
      }
      data[SID] = sid
      claims = token === null ? null : { id: null, token: null, hash, session: { id: sid, token } }
    } else if (wantsRemember) {
      claims = { id, token: typeof user.getAuthToken === 'function' ? user.getAuthToken() : null, hash }
    }
    const cookies = [await engine.cookieFor(data)]
    if (claims !== null) {
      cookies.push(`${remember.name}=${remember.encode(claims, duration)}`)
    }
    return cookies.join('; ')
  }

  listSessions (userId: string): Promise<SessionInfo[]> {
    return (this.#sessions as SessionManagerActions).listSessions(userId)
  }

  revokeSession (id: string): Promise<boolean> {
    return (this.#sessions as SessionManagerActions).revokeSession(id)
  }

  revokeAllSessions (userId: string): Promise<number> {
    return (this.#sessions as SessionManagerActions).revokeAllSessions(userId)
  }
}
