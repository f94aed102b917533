// (d) fastify-login on @fastify/secure-session, which the plugin registers itself from `session`;
// an async userLoader (support/login-routes.ts), as an application with a database has.
import Fastify from 'fastify'
import fastifyLogin from 'fastify-login'
import { serve, start } from '../support/serve.js'
import { loginOptions, loginRoutes } from '../support/login-routes.js'
import { SECURE_SESSION_OPTIONS } from '../support/config.js'

start(async () => {
  const app = Fastify()
  await app.register(fastifyLogin, loginOptions({ session: SECURE_SESSION_OPTIONS }))
  loginRoutes(app)
  await serve(app)
})
