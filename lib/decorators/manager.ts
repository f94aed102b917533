import { EventEmitter } from 'node:events'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { LoginEvents, LoginManager as LoginManagerType, ResolvedLoginOptions, SessionCookieForOptions, SessionInfo, UserType as User } from '../../types/index.js'
import { FST_LOGIN_INVALID_OPTION, FST_LOGIN_INVALID_USER } from '../core/errors.js'
import { checkUser, idOf } from '../core/user.js'
import { loginEntries } from '../login/write.js'
import { claimsFor, type RememberPayload } from '../remember/cookie.js'
import { authDigestOf, newRememberToken } from '../tracked/tokens.js'
import { loginUrl, withForcedHost } from '../urls/login-url.js'
import type { LoginContext } from '../context.js'
import { createDeviceAdmin } from './devices.js'
import { answerFlow, createFlows, type Flows } from './flows.js'

/** The flows of a manager, for the guards of the same registration. */
export const kFlows = Symbol('fastify-login.flows')
/** The guards' run-time switch, read by the guards as a plain property (no manager code on the request path). */
export const kSwitch = Symbol('fastify-login.switch')

/** fastify.loginManager: options, flows, URL helpers, the test-login helper and the events. */
export class LoginManager extends EventEmitter<LoginEvents> implements LoginManagerType {
  readonly options: ResolvedLoginOptions
  readonly [kFlows]: Flows
  readonly #ctx: LoginContext
  readonly #devices: ReturnType<typeof createDeviceAdmin>
  readonly [kSwitch]: { disabled: boolean }

  constructor (ctx: LoginContext) {
    super()
    this.options = ctx.options
    this[kSwitch] = { disabled: ctx.options.disabled }
    this.#ctx = ctx
    this[kFlows] = createFlows(ctx, this)
    this.#devices = createDeviceAdmin(ctx)
  }

  /** The guards' switch, for tests (Flask's LOGIN_DISABLED): read by the guards on every request. */
  get disabled (): boolean {
    return this[kSwitch].disabled
  }

  set disabled (value: boolean) {
    if (typeof value !== 'boolean') {
      throw new FST_LOGIN_INVALID_OPTION('loginManager.disabled', 'must be a boolean')
    }
    this[kSwitch].disabled = value
  }

  unauthorized (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    return answerFlow(this[kFlows].unauthorized, request, reply)
  }

  needsRefresh (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    return answerFlow(this[kFlows].needsRefresh, request, reply)
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
  async sessionCookieFor (user: User, cookieOptions: SessionCookieForOptions = {}): Promise<string> {
    const { engine, remember, tracked, identifiers } = this.#ctx
    const { fresh = true, remember: wantsRemember = false, ip = '127.0.0.1', userAgent = 'lightMyRequest' } = cookieOptions
    checkUser(this.options, user)
    const id = idOf(this.options, user)
    const duration = this.options.rememberCookie.duration
    let sid: string | null = null
    let session: RememberPayload['session'] = null
    if (tracked !== null) {
      // a tracked session, as a login would open (a test login counts against maxPerUser)
      const token = wantsRemember ? newRememberToken() : null
      sid = await tracked.open(null, { ip, userAgent }, { userId: id, replaces: null, rememberToken: token, duration, origin: null, authDigest: authDigestOf(user) })
      if (sid === null) {
        throw new FST_LOGIN_INVALID_USER('sessions.maxPerUser refuses another session for this user')
      }
      session = token === null ? null : { id: sid, token }
    }
    const cookies = [await engine.cookieFor(loginEntries(this.options, user, id, fresh, identifiers.of(ip, userAgent), sid))]
    if (wantsRemember) {
      cookies.push(`${remember.name}=${remember.issue(claimsFor(user, id, session), duration)}`)
    }
    return cookies.join('; ')
  }

  listSessions (user: string | number | User): Promise<SessionInfo[]> {
    return this.#devices.listSessions(user)
  }

  revokeSession (id: string): Promise<boolean> {
    return this.#devices.revokeSession(id)
  }

  revokeAllSessions (userId: string): Promise<number> {
    return this.#devices.revokeAllSessions(userId)
  }
}
