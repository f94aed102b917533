// (f) @fastify/passport on @fastify/session with a Redis store (connect-redis), set up as its
// README says for @fastify/session; same serializer, deserializer and guard as (c).
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import { Authenticator } from '@fastify/passport'
import { serve, start } from '../support/serve.js'
import { PUBLIC_BODY, loginTarget, profile, unauthorized, type LoginBody } from '../support/routes.js'
import { findUser, type BenchUser } from '../support/users.js'
import { redisSessionOptions } from '../support/config.js'
import { connectRedisStore } from '../support/redis.js'

start(async () => {
  const redis = await connectRedisStore('bench-f:')
  const app = Fastify()
  const passport = new Authenticator()
  passport.registerUserSerializer(async (user: BenchUser) => user.id)
  passport.registerUserDeserializer(async (id: number) => findUser(id))

  await app.register(fastifyCookie)
  await app.register(fastifySession, redisSessionOptions(redis.store))
  await app.register(passport.initialize())
  await app.register(passport.secureSession())

  async function requireLogin (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (!request.isAuthenticated()) return unauthorized(reply)
  }

  app.post<{ Body: LoginBody }>('/login', async (request, reply) => {
    const user = loginTarget(request.body)
    if (user === null) return unauthorized(reply)
    await request.logIn(user)
    return profile(user)
  })
  app.get('/public', async () => PUBLIC_BODY)
  app.get('/protected', { preValidation: requireLogin }, async (request) => profile(request.user as BenchUser))
  await serve(app, { onClose: redis.close })
})
