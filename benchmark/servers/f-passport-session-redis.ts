// (f) @fastify/passport on @fastify/session with a Redis store (connect-redis), set up as its
// README says for @fastify/session; same passport setup and routes as (c) (support/passport.ts).
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import { serve, start } from '../support/serve.js'
import { registerPassport } from '../support/passport.js'
import { redisPrefix, redisSessionOptions } from '../support/config.js'
import { connectRedisStore } from '../support/redis.js'

start(async () => {
  const redis = await connectRedisStore(redisPrefix('f'))
  const app = Fastify()
  await app.register(fastifyCookie)
  await app.register(fastifySession, redisSessionOptions(redis.store))
  await registerPassport(app)
  await serve(app, { onClose: redis.close })
})
