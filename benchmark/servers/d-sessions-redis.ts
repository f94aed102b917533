// (d-sessions-redis) (d) with tracked sessions on the Redis store: the session lives in the
// browser, its liveness in Redis (one HMGET per logged-in request).
import Fastify from 'fastify'
import fastifyLogin, { redisSessionStore } from 'fastify-login'
import { serve, start } from '../fixtures/serve.js'
import { loginOptions, loginRoutes, trackedSessions } from '../fixtures/login-routes.js'
import { SECURE_SESSION_OPTIONS, redisPrefix } from '../fixtures/config.js'
import { connectRedis } from '../fixtures/redis.js'

start(async () => {
  const redis = await connectRedis()
  const app = Fastify()
  const store = redisSessionStore(redis.client, { prefix: redisPrefix('d-sessions-redis') })
  await app.register(fastifyLogin, loginOptions({ session: SECURE_SESSION_OPTIONS, ...trackedSessions(store) }))
  loginRoutes(app)
  await serve(app, { onClose: redis.close })
})
