// (e) fastify-login on @fastify/session with a Redis store (connect-redis), the same engine
// setup as (f); an async userLoader, as (d).
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import fastifyLogin from 'fastify-login'
import { serve, start } from '../support/serve.js'
import { loginOptions, loginRoutes } from '../support/login-routes.js'
import { redisPrefix, redisSessionOptions } from '../support/config.js'
import { connectRedisStore } from '../support/redis.js'

start(async () => {
  const redis = await connectRedisStore(redisPrefix('e'))
  const app = Fastify()
  await app.register(fastifyCookie)
  await app.register(fastifySession, redisSessionOptions(redis.store))
  await app.register(fastifyLogin, loginOptions())
  loginRoutes(app)
  await serve(app, { onClose: redis.close })
})
