import type { FastifyInstance, FastifyReply } from 'fastify'
import { fastifyPlugin as fp } from 'fastify-plugin'
import type { FastifyLoginOptions } from '../types/index.js'
import { anonymousFactory, type LoginContext } from './context.js'
import { createFreshWindow } from './fresh-window.js'
import { createFlows } from './flows.js'
import { createGuards } from './guards.js'
import { createSessionActions } from './session-actions.js'
import { TrackedSessions } from './tracked-sessions.js'
import { createLoginActions } from './login-actions.js'
import { LoginManager } from './login-manager.js'
import { createUserLoader } from './load-user.js'
import { resolveOptions } from './options.js'
import { RememberCookie } from './remember-cookie.js'
import { kLoginState } from './request-state.js'
import { createOnError, createOnSend } from './response-hooks.js'
import { createSafeNextUrl } from './safe-next.js'
import { setupSession } from './session-setup.js'

const kLocals = Symbol('fastify-login.locals')

async function fastifyLogin (fastify: FastifyInstance, rawOptions: FastifyLoginOptions): Promise<void> {
  const options = resolveOptions(rawOptions)
  const engine = await setupSession(fastify, options)
  const manager = new LoginManager(options)
  const ctx: LoginContext = {
    options,
    engine,
    remember: new RememberCookie(options),
    manager,
    anonymous: anonymousFactory(options.anonymousUser),
    viewLocals: fastify.hasReplyDecorator('locals'),
    freshWindow: createFreshWindow(options.freshFor),
    tracked: options.sessions === null ? null : new TrackedSessions(options, engine)
  }
  const flows = createFlows(ctx)
  const sessionActions = createSessionActions(ctx)
  manager.attach(ctx, flows, sessionActions.manager)

  const actions = createLoginActions(ctx)
  const guards = createGuards(ctx, flows)
  fastify.decorateRequest('currentUser', null as never)
  fastify.decorateRequest(kLoginState, null)
  fastify.decorateRequest('loginUser', actions.loginUser)
  fastify.decorateRequest('logoutUser', actions.logoutUser)
  fastify.decorateRequest('confirmLogin', actions.confirmLogin)
  fastify.decorateRequest('loginFresh', actions.loginFresh)
  fastify.decorateRequest('loginRemembered', actions.loginRemembered)
  fastify.decorateRequest('safeNextUrl', createSafeNextUrl(ctx))
  fastify.decorateRequest('listSessions', sessionActions.request.listSessions)
  fastify.decorateRequest('revokeSession', sessionActions.request.revokeSession)
  fastify.decorateRequest('logoutOtherSessions', sessionActions.request.logoutOtherSessions)
  fastify.decorate('loginRequired', guards.loginRequired)
  fastify.decorate('freshLoginRequired', guards.freshLoginRequired)
  fastify.decorate('loginManager', manager)
  if (options.addContextProcessor && !fastify.hasReplyDecorator('locals')) {
    // @fastify/view registered later finds `locals` and reads it: made on first read, per reply
    fastify.decorateReply(kLocals, null)
    fastify.decorateReply('locals', {
      getter (this: FastifyReply & { [kLocals]: Record<string, unknown> | null }) {
        if (this[kLocals] === null) {
          this[kLocals] = { currentUser: this.request.currentUser }
        }
        return this[kLocals]
      },
      setter (this: FastifyReply & { [kLocals]: Record<string, unknown> | null }, value: Record<string, unknown> | null) {
        this[kLocals] = value
      }
    })
  }

  fastify.addHook('onRoute', ctx.freshWindow.onRoute)
  fastify.addHook('onRequest', createUserLoader(ctx))
  fastify.addHook('onSend', createOnSend(ctx))
  fastify.addHook('onError', createOnError(ctx))
}

export const plugin = fp(fastifyLogin, {
  fastify: '5.x',
  name: 'fastify-login'
})
