// The Fastify application the routes are ported to: it shares the Flask application's logins.
import Fastify, { type FastifyInstance } from 'fastify'
import formbody from '@fastify/formbody'
import fastifyLogin, { UserMixin } from 'fastify-login'

const USERS: Record<string, string> = { alice: 'Alice', bob: 'Bob' }

class User extends UserMixin {
  constructor (readonly id: string) { super() }
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)

export async function buildFastify (flaskSecretKey: string): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(formbody)
  await app.register(fastifyLogin, {
    userLoader: (id) => id in USERS ? new User(id) : null,
    flask: { secretKey: flaskSecretKey }
  })
  app.get('/', async (request, reply) => {
    const who = request.currentUser.isAuthenticated ? escape(USERS[request.currentUser.getId() as string] as string) : 'anonymous'
    const visits = (request.session as unknown as { get: (key: string) => unknown }).get('legacy_visits') ?? 0
    return reply.type('text/html').send(`<h1>Fastify</h1><p id="who">${who}</p><p id="visits">${String(visits)}</p>` +
      '<form method="post" action="/login"><input name="username"><button id="login">Log in (Fastify)</button></form>' +
      '<form method="post" action="/logout"><button id="logout">Log out (Fastify)</button></form>' +
      '<a id="to-flask" href="/legacy/">Flask side</a>')
  })
  app.post<{ Body: { username?: string } }>('/login', async (request, reply) => {
    const username = request.body.username ?? ''
    if (username in USERS) await request.loginUser(new User(username))
    return reply.redirect('/')
  })
  app.post('/logout', async (request, reply) => {
    await request.logoutUser()
    return reply.redirect('/')
  })
  return app
}
