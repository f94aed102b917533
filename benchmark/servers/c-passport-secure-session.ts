// (c) @fastify/passport on @fastify/secure-session, set up as its README says: initialize() and
// secureSession() (a global preValidation hook running the session strategy), a serializer that
// stores the user id and a deserializer that reads the Map; routes guarded by isAuthenticated().
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import fastifySecureSession from '@fastify/secure-session'
import { Authenticator } from '@fastify/passport'
import { serve, start } from '../support/serve.js'
import { PUBLIC_BODY, loginTarget, profile, unauthorized, type LoginBody } from '../support/routes.js'
import { findUser, type BenchUser } from '../support/users.js'
import { SECURE_SESSION_OPTIONS } from '../support/config.js'

start(async () => {
  const app = Fastify()
  const passport = new Authenticator()
  passport.registerUserSerializer(async (user: BenchUser) => user.id)
  passport.registerUserDeserializer(async (id: number) => findUser(id))

  await app.register(fastifySecureSession, SECURE_SESSION_OPTIONS)
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
  await serve(app)
})
