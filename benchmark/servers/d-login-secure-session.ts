// (d) fastify-login on @fastify/secure-session, which the plugin registers itself from `session`;
// an async userLoader (fixtures/login-routes.ts), as an application with a database has.
import Fastify from 'fastify'
import fastifyLogin from 'fastify-login'
import { serve, start } from '../fixtures/serve.js'
import { loginOptions, loginRoutes } from '../fixtures/login-routes.js'
import { SECURE_SESSION_OPTIONS } from '../fixtures/config.js'

start(async () => {
  const app = Fastify()
  await app.register(fastifyLogin, loginOptions({ session: SECURE_SESSION_OPTIONS }))
  loginRoutes(app)
  await serve(app)
})
