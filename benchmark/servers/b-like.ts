// (b-like) the like-for-like peer: (b)'s hand-written check doing, by hand, the work fastify-login's
// defaults do on every request (BENCH_PEER names which; set per server in fixtures/scenarios.ts):
//   vary        `Vary: Cookie` on every response that read the session's login
//   identifier  session protection: the login's client identifier (SHA-256 of ip|user-agent,
//               cached) compared with the request's
//   bearer      a bearer-token check on requests without a session login (the requestLoader of (d))
// With all three it is the peer of (d) with a synchronous loader: (d)'s figure over it is the
// plugin's own overhead, the ladder's rungs the cost of each feature.
import { createHash } from 'node:crypto'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import fastifySecureSession from '@fastify/secure-session'
import { serve, start } from '../fixtures/serve.js'
import { PUBLIC_BODY, loginTarget, profile, unauthorized, type LoginBody } from '../fixtures/routes.js'
import { findUser, type BenchUser } from '../fixtures/users.js'
import { bearerUser } from '../fixtures/login-routes.js'
import { SECURE_SESSION_OPTIONS } from '../fixtures/config.js'

declare module '@fastify/secure-session' {
  interface SessionData { userId: number, client: string }
}
declare module 'fastify' {
  interface FastifyRequest { benchUser: BenchUser | null, readSession: boolean }
}

const KNOWN = ['vary', 'identifier', 'bearer']
const features = new Set((process.env.BENCH_PEER ?? KNOWN.join(',')).split(',').filter(Boolean))
const unknown = [...features].filter((name) => !KNOWN.includes(name))

const identifiers = new Map<string, string>()
function clientOf (request: FastifyRequest): string {
  const key = `${request.ip}|${request.headers['user-agent'] ?? ''}`
  let identifier = identifiers.get(key)
  if (identifier === undefined) {
    identifier = createHash('sha256').update(key).digest().subarray(0, 16).toString('base64url')
    if (identifiers.size >= 1000) identifiers.clear()
    identifiers.set(key, identifier)
  }
  return identifier
}

start(async () => {
  if (unknown.length > 0) throw new Error(`b-like: unknown BENCH_PEER ${unknown.join(', ')} (known: ${KNOWN.join(', ')})`)
  const app = Fastify()
  await app.register(fastifySecureSession, SECURE_SESSION_OPTIONS)
  app.decorateRequest('benchUser', null)
  app.decorateRequest('readSession', false)

  app.addHook('onRequest', (request, _reply, done) => {
    const id = request.session.get('userId')
    if (id !== undefined) {
      request.readSession = true
      // basic protection marks the login not fresh on another client; this peer only compares
      if (!features.has('identifier') || request.session.get('client') === clientOf(request)) request.benchUser = findUser(id)
    } else if (features.has('bearer')) {
      request.benchUser = bearerUser(request)
    }
    done()
  })
  if (features.has('vary')) {
    app.addHook('onSend', (request, reply, payload, done) => {
      if (request.readSession) reply.header('vary', 'Cookie')
      done(null, payload)
    })
  }

  function requireUser (request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    if (request.benchUser === null) {
      unauthorized(reply)
      return
    }
    done()
  }

  app.post<{ Body: LoginBody }>('/login', async (request, reply) => {
    const user = loginTarget(request.body)
    if (user === null) return unauthorized(reply)
    request.session.regenerate()
    request.session.set('userId', user.id)
    request.session.set('client', clientOf(request))
    return profile(user)
  })
  app.get('/public', async () => PUBLIC_BODY)
  app.get('/protected', { preHandler: requireUser }, async (request) => profile(request.benchUser!))
  await serve(app)
})
