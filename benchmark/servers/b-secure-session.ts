// (b) A hand-written check on @fastify/secure-session: the user id in the session, the user from
// the in-memory Map, 401 when absent. The baseline the ratios are measured against.
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import fastifySecureSession from '@fastify/secure-session'
import { serve, start } from '../fixtures/serve.js'
import { PUBLIC_BODY, loginTarget, profile, unauthorized, type LoginBody } from '../fixtures/routes.js'
import { findUser, type BenchUser } from '../fixtures/users.js'
import { SECURE_SESSION_OPTIONS } from '../fixtures/config.js'

declare module '@fastify/secure-session' {
  interface SessionData { userId: number }
}
declare module 'fastify' {
  interface FastifyRequest { benchUser: BenchUser | null }
}

start(async () => {
  const app = Fastify()
  await app.register(fastifySecureSession, SECURE_SESSION_OPTIONS)
  app.decorateRequest('benchUser', null)

  async function requireUser (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const id = request.session.get('userId')
    const user = id === undefined ? null : findUser(id)
    if (user === null) return unauthorized(reply)
    request.benchUser = user
  }

  app.post<{ Body: LoginBody }>('/login', async (request, reply) => {
    const user = loginTarget(request.body)
    if (user === null) return unauthorized(reply)
    request.session.regenerate()
    request.session.set('userId', user.id)
    return profile(user)
  })
  app.get('/public', async () => PUBLIC_BODY)
  app.get('/protected', { preHandler: requireUser }, async (request) => profile(request.benchUser!))
  await serve(app)
})
