// (e) fastify-login on @fastify/session with a Redis store (connect-redis), the same engine
// setup as (f); an async userLoader, as (d).
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import fastifyLogin from 'fastify-login'
import { serve, start } from '../fixtures/serve.js'
import { loginOptions, loginRoutes } from '../fixtures/login-routes.js'
import { redisPrefix, redisSessionOptions } from '../fixtures/config.js'
import { connectRedisStore } from '../fixtures/redis.js'

start(async () => {
  const redis = await connectRedisStore(redisPrefix('e'))
  const app = Fastify()
  await app.register(fastifyCookie)
  await app.register(fastifySession, redisSessionOptions(redis.store))
  await app.register(fastifyLogin, loginOptions())
  loginRoutes(app)
  await serve(app, { onClose: redis.close })
})
