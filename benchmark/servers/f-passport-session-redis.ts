// (f) @fastify/passport on @fastify/session with a Redis store (connect-redis), set up as its
// README says for @fastify/session; same passport setup and routes as (c) (fixtures/passport.ts).
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import { serve, start } from '../fixtures/serve.js'
import { registerPassport } from '../fixtures/passport.js'
import { redisPrefix, redisSessionOptions } from '../fixtures/config.js'
import { connectRedisStore } from '../fixtures/redis.js'

start(async () => {
  const redis = await connectRedisStore(redisPrefix('f'))
  const app = Fastify()
  await app.register(fastifyCookie)
  await app.register(fastifySession, redisSessionOptions(redis.store))
  await registerPassport(app)
  await serve(app, { onClose: redis.close })
})
