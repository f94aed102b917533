// (e-sessions-memory) (e) with tracked sessions on the memory store: @fastify/session + connect-redis
// for the session, fastify-login's memory store for its liveness (no I/O for it).
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import fastifyLogin, { memorySessionStore } from 'fastify-login'
import { serve, start } from '../fixtures/serve.js'
import { loginOptions, loginRoutes, trackedSessions } from '../fixtures/login-routes.js'
import { redisPrefix, redisSessionOptions } from '../fixtures/config.js'
import { connectRedisStore } from '../fixtures/redis.js'

start(async () => {
  const redis = await connectRedisStore(redisPrefix('e-sessions-memory'))
  const app = Fastify()
  await app.register(fastifyCookie)
  await app.register(fastifySession, redisSessionOptions(redis.store))
  await app.register(fastifyLogin, loginOptions(trackedSessions(memorySessionStore())))
  loginRoutes(app)
  await serve(app, { onClose: redis.close })
})
