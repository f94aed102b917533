// (d-sync) (d) with a synchronous userLoader: the row that shows what the async loader of (d) costs.
// Not judged by any target.
import Fastify from 'fastify'
import fastifyLogin from 'fastify-login'
import { serve, start } from '../fixtures/serve.js'
import { loginOptions, loginRoutes, syncUserLoader } from '../fixtures/login-routes.js'
import { SECURE_SESSION_OPTIONS } from '../fixtures/config.js'

start(async () => {
  const app = Fastify()
  await app.register(fastifyLogin, loginOptions({ session: SECURE_SESSION_OPTIONS, userLoader: syncUserLoader }))
  loginRoutes(app)
  await serve(app)
})
