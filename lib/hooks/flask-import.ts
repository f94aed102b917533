// `flask` in mode 'import' (after the cutover): a login the Flask application's session cookie
// still holds logs the user in once, as the application would with loginUser (fresh when Flask
// had it fresh for this client), keeping the Flask application's keys; the Flask cookie is then
// replaced by fastify-login's own session. (A Flask-Login remember cookie is restored by the
// remember step and re-issued in fastify-login's format: remember/cookie.ts.)
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ResolvedLoginOptions } from '../../types/index.js'
import { debug } from '../core/log.js'
import { stateOf } from '../core/state.js'
import { asUser } from '../core/user.js'
import { IDENTIFIER, FRESH, LOGIN_KEYS, USER_ID } from '../login/keys.js'
import { flaskLoginIdentifierOf } from '../login/protection.js'
import { FlaskCookieCodec } from '../session/flask-session.js'
import type { LoginContext } from '../context.js'

/** Flask's own session internals and Flask-Login's transient keys: not copied. */
const NOT_COPIED = new Set(['_permanent', ...LOGIN_KEYS])

export function createFlaskImport (ctx: LoginContext) {
  const { options, engine } = ctx
  const flask = options.flask as NonNullable<ResolvedLoginOptions['flask']>
  const codec = new FlaskCookieCodec(flask)

  /** The Flask login of the request's Flask cookie, when there is one this client may use. */
  function flaskLogin (request: FastifyRequest): { id: string, fresh: boolean, data: Record<string, unknown> } | null {
    const data = codec.read(request.cookies[flask.cookieName])
    const id = data?.[USER_ID]
    if (data === null || typeof id !== 'string' || id === '') return null
    const sameClient = data[IDENTIFIER] === flaskLoginIdentifierOf(request)
    if (!sameClient && options.sessionProtection === 'strong') {
      debug(request, 'Flask session login not imported: session protection (strong)')
      return null
    }
    return { id, fresh: sameClient && Boolean(data[FRESH]), data }
  }

  return async function importFlaskLogin (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (stateOf(request).user !== null || request.cookies[flask.cookieName] === undefined) return
    const login = flaskLogin(request)
    if (login !== null) {
      const user = asUser(options, 'userLoader', await options.userLoader?.(login.id, request))
      if (user === null) return
      for (const [key, value] of Object.entries(login.data)) {
        if (!NOT_COPIED.has(key)) engine.set(request, key, value)
      }
      if (!await request.loginUser(user, { fresh: login.fresh })) return
      request.currentUser = user
      debug(request, 'Flask session login imported')
    }
    if (flask.cookieName !== engine.cookieName) {
      reply.clearCookie(flask.cookieName, { path: '/' })
    }
  }
}
