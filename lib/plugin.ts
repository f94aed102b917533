// The registration: builds the parts, decorates the instance and the request, adds the hooks.
import type { FastifyInstance } from 'fastify'
import { fastifyPlugin as fp } from 'fastify-plugin'
import type { FastifyLoginOptions } from '../types/index.js'
import { buildContext } from './context.js'
import { createDeviceMethods } from './decorators/devices.js'
import { createFlaskImport } from './hooks/flask-import.js'
import { createGuards } from './decorators/guards.js'
import { createLoginActions } from './decorators/login-actions.js'
import { LoginManager } from './decorators/manager.js'
import { addOpenapiMarks } from './decorators/openapi.js'
import { createSafeNextUrl } from './decorators/safe-next.js'
import { decorateViewLocals } from './decorators/view-locals.js'
import { kLoginState } from './core/state.js'
import { createOnError, createOnRequest } from './hooks/on-request.js'
import { createOnSend } from './hooks/on-send.js'
import { setupLive } from './live/setup.js'

async function fastifyLogin (fastify: FastifyInstance, rawOptions: FastifyLoginOptions): Promise<void> {
  const ctx = await buildContext(fastify, rawOptions)
  const manager = new LoginManager(ctx)
  const actions = createLoginActions(ctx, manager)
  const devices = createDeviceMethods(ctx)
  const guards = createGuards(ctx, manager)

  fastify.decorateRequest('currentUser', null as never)
  fastify.decorateRequest(kLoginState, null)
  fastify.decorateRequest('loginUser', actions.loginUser)
  fastify.decorateRequest('logoutUser', actions.logoutUser)
  fastify.decorateRequest('confirmLogin', actions.confirmLogin)
  fastify.decorateRequest('loginFresh', actions.loginFresh)
  fastify.decorateRequest('loginRemembered', actions.loginRemembered)
  fastify.decorateRequest('loggedInUser', actions.loggedInUser)
  fastify.decorateRequest('safeNextUrl', createSafeNextUrl(ctx))
  fastify.decorateRequest('listSessions', devices.listSessions)
  fastify.decorateRequest('revokeSession', devices.revokeSession)
  fastify.decorateRequest('logoutOtherSessions', devices.logoutOtherSessions)
  fastify.decorate('loginRequired', guards.loginRequired)
  fastify.decorate('freshLoginRequired', guards.freshLoginRequired)
  fastify.decorate('loginManager', manager)
  if (ctx.options.addContextProcessor && !ctx.viewLocals) {
    decorateViewLocals(fastify)
  }

  fastify.addHook('onRoute', ctx.freshWindow.onRoute)
  if (ctx.options.openapi !== null) {
    addOpenapiMarks(fastify, ctx.options, guards)
  }
  fastify.addHook('onRequest', createOnRequest(ctx, manager))
  if (ctx.options.flask?.mode === 'import') {
    fastify.addHook('onRequest', createFlaskImport(ctx))
  }
  // after the request path's hook: the live hook binds the user it loaded
  fastify.decorateRequest('onSessionEnd', await setupLive(fastify, ctx, manager))
  fastify.addHook('onSend', createOnSend(ctx))
  fastify.addHook('onError', createOnError(ctx))
}

export const plugin = fp(fastifyLogin, {
  fastify: '5.x',
  name: 'fastify-login'
})
