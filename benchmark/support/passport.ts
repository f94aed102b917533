// @fastify/passport as its README sets it up, shared by servers (c) and (f): initialize() and
// secureSession() (a global preValidation hook running the session strategy), a serializer that
// stores the user id, a deserializer that reads the Map, and routes guarded by isAuthenticated().
// Register the session plugin first; only the session engine differs between (c) and (f).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Authenticator } from '@fastify/passport'
import { PUBLIC_BODY, loginTarget, profile, unauthorized, type LoginBody } from './routes.js'
import { findUser, type BenchUser } from './users.js'

export async function registerPassport (app: FastifyInstance): Promise<void> {
  const passport = new Authenticator()
  passport.registerUserSerializer(async (user: BenchUser) => user.id)
  passport.registerUserDeserializer(async (id: number) => findUser(id))

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
}
