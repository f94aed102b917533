// (d-sessions) (d) with tracked sessions on the memory store: the cost of the liveness check
// when it needs no I/O.
import Fastify from 'fastify'
import fastifyLogin, { memorySessionStore } from 'fastify-login'
import { serve, start } from '../fixtures/serve.js'
import { loginOptions, loginRoutes, trackedSessions } from '../fixtures/login-routes.js'
import { SECURE_SESSION_OPTIONS } from '../fixtures/config.js'

start(async () => {
  const app = Fastify()
  await app.register(fastifyLogin, loginOptions({ session: SECURE_SESSION_OPTIONS, ...trackedSessions(memorySessionStore()) }))
  loginRoutes(app)
  await serve(app)
})
