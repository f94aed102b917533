// (e-sessions) (e) with tracked sessions on the Redis store: @fastify/session + connect-redis for
// the session, fastify-login's Redis store for its liveness (two Redis reads per request, on one
// client: sent together once the process has seen the session, see docs/tracked-sessions.md).
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import fastifyLogin, { redisSessionStore } from 'fastify-login'
import { serve, start } from '../fixtures/serve.js'
import { loginOptions, loginRoutes, trackedSessions } from '../fixtures/login-routes.js'
import { redisPrefix, redisSessionOptions } from '../fixtures/config.js'
import { connectRedis } from '../fixtures/redis.js'
import { RedisStore } from 'connect-redis'

start(async () => {
  const redis = await connectRedis()
  const app = Fastify()
  await app.register(fastifyCookie)
  await app.register(fastifySession, redisSessionOptions(new RedisStore({ client: redis.client, prefix: redisPrefix('e-sessions') })))
  const store = redisSessionStore(redis.client, { prefix: redisPrefix('e-sessions-tracked') })
  await app.register(fastifyLogin, loginOptions(trackedSessions(store)))
  loginRoutes(app)
  await serve(app, { onClose: redis.close })
})
