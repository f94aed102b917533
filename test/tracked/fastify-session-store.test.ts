// Tracked sessions on an application's own @fastify/session: the entry lives as long as the
// session cookie's maxAge, and a store that cannot destroy a revoked session is a coded 503.
import { test, type TestContext } from 'node:test'
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import fastifyLogin, { memorySessionStore } from 'fastify-login'
import { SECRET, SESSION_SECRET } from '../helpers/app.js'
import { client } from '../helpers/cookie-jar.js'
import { makeUsers } from '../helpers/users.js'

/** @fastify/session's store contract on a Map; `destroy` fails once `broken` is set. */
class MapStore {
  readonly sessions = new Map<string, unknown>()
  broken = false
  get (id: string, done: (error: Error | null, session?: unknown) => void): void { done(null, this.sessions.get(id)) }
  set (id: string, session: unknown, done: (error?: Error | null) => void): void { this.sessions.set(id, session); done(null) }
  destroy (id: string, done: (error?: Error | null) => void): void {
    if (this.broken) { done(new Error('store down')); return }
    this.sessions.delete(id)
    done(null)
  }
}

async function appOnSession (t: TestContext, maxAge: number) {
  const users = makeUsers()
  const sessionStore = new MapStore()
  const tracked = memorySessionStore()
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyCookie)
  await app.register(fastifySession, { secret: SESSION_SECRET, store: sessionStore as never, cookie: { secure: false, maxAge }, saveUninitialized: false })
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) ?? null, sessions: { store: tracked } })
  app.post('/login', async (request) => ({ ok: await request.loginUser(users.get('1') as never) }))
  app.get('/whoami', async (request) => ({ anonymous: request.currentUser.isAnonymous }))
  await app.ready()
  return { app, sessionStore, tracked, browser: client(app) }
}

test('on @fastify/session with a cookie maxAge, an entry lives as long as that maxAge', async (t: TestContext) => {
  const { tracked, browser } = await appOnSession(t, 3_600_000)
  await browser.request({ method: 'POST', url: '/login' })
  const [entry] = await tracked.list('1')
  t.assert.strictEqual((entry?.expiresAt as number) - (entry?.createdAt as number), 3_600_000)
})

test('a @fastify/session store that cannot destroy a revoked session makes the revocation fail with FST_LOGIN_STORE_UNAVAILABLE', async (t: TestContext) => {
  const { app, tracked, sessionStore, browser } = await appOnSession(t, 3_600_000)
  await browser.request({ method: 'POST', url: '/login' })
  const [entry] = await tracked.list('1')
  sessionStore.broken = true
  await t.assert.rejects(app.loginManager.revokeSession(entry?.id as string), { code: 'FST_LOGIN_STORE_UNAVAILABLE', statusCode: 503 })
  // the tracked session is gone all the same: the browser is anonymous
  t.assert.deepStrictEqual((await browser.request('/whoami')).json(), { anonymous: true })
})
