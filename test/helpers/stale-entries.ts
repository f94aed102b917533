// Entries made before the user's getSessionAuthHash() changed (issue 19, item 4): such a session
// logs nobody in any more, so it is not listed, not counted against maxPerUser, and ended (with
// reason 'stale') where it is met. Shared by the memory-store and the Redis-store tests.
import type { TestContext } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import fastifyLogin, { UserMixin, type SessionStore } from 'fastify-login'
import { client, type Client } from './cookie-jar.js'
import { SECRET, SESSION_SECRET } from './app.js'
import type { EngineName } from './double-login.js'

/** A user whose auth hash follows its password. */
export class PasswordUser extends UserMixin {
  constructor (readonly id: string, public password: string) {
    super()
  }

  getSessionAuthHash (): string {
    return `auth:${this.password}`
  }
}

export interface StaleApp {
  app: FastifyInstance
  store: SessionStore
  users: Map<string, PasswordUser>
  /** sessionEnded events: [sessionId, userId, reason]. */
  ended: Array<[string, string, string]>
  browser (): Client
}

/**
 * An app on `engine` with tracked sessions in `store` (maxPerUser 3, `onLimit`): POST /login/:id,
 * GET /me, GET /devices (the ids of request.listSessions()). A user is made on first login.
 */
export async function staleApp (t: TestContext, engine: EngineName, store: SessionStore, onLimit: 'refuse' | 'revoke-oldest'): Promise<StaleApp> {
  const users = new Map<string, PasswordUser>()
  const app = Fastify()
  t.after(() => app.close())
  if (engine === 'session') {
    await app.register(fastifyCookie)
    await app.register(fastifySession, { secret: SESSION_SECRET, cookie: { secure: false }, saveUninitialized: false })
  }
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) ?? null, sessions: { store, maxPerUser: 3, onLimit } })
  const ended: Array<[string, string, string]> = []
  app.loginManager.on('sessionEnded', (sid, userId, reason) => { ended.push([sid, userId, reason]) })
  app.post<{ Params: { id: string } }>('/login/:id', async (request) => {
    if (!users.has(request.params.id)) users.set(request.params.id, new PasswordUser(request.params.id, 'first password'))
    return { ok: await request.loginUser(users.get(request.params.id) as PasswordUser) }
  })
  app.get('/me', async (request) => ({ user: request.currentUser.isAuthenticated ? request.currentUser.getId() : null }))
  app.get('/devices', async (request) => (await request.listSessions()).map((session) => session.id))
  await app.ready()
  return { app, store, users, ended, browser: () => client(app) }
}

async function logIn (setup: StaleApp, userId: string): Promise<boolean> {
  return (await setup.browser().request({ method: 'POST', url: `/login/${userId}` })).json().ok
}

/** onLimit 'refuse': after a password change, the sessions made before it no longer lock the user out. */
export async function staleDoNotLockOut (t: TestContext, setup: StaleApp, userId: string): Promise<void> {
  for (let i = 0; i < 3; i++) t.assert.strictEqual(await logIn(setup, userId), true)
  t.assert.strictEqual(await logIn(setup, userId), false, 'the limit holds for current sessions')
  const before = (await setup.store.list(userId)).map((entry) => entry.id).sort()
  ;(setup.users.get(userId) as PasswordUser).password = 'second password'
  const browser = setup.browser()
  t.assert.deepStrictEqual((await browser.request({ method: 'POST', url: `/login/${userId}` })).json(), { ok: true })
  const [own] = (await browser.request('/devices')).json()
  t.assert.deepStrictEqual((await browser.request('/devices')).json(), [own], 'only the new session is listed')
  t.assert.deepStrictEqual((await setup.store.list(userId)).map((entry) => entry.id), [own], 'the stale ones are gone from the store')
  t.assert.deepStrictEqual(setup.ended.filter(([, user]) => user === userId).map(([sid, , reason]) => [sid, reason]).sort(),
    before.map((sid) => [sid, 'stale']))
}

/** onLimit 'revoke-oldest': stale sessions do not push a current one out. */
export async function staleDoNotEvict (t: TestContext, setup: StaleApp, userId: string): Promise<void> {
  t.assert.strictEqual(await logIn(setup, userId), true)
  t.assert.strictEqual(await logIn(setup, userId), true)
  ;(setup.users.get(userId) as PasswordUser).password = 'second password'
  const current = setup.browser()
  await current.request({ method: 'POST', url: `/login/${userId}` })
  t.assert.strictEqual(await logIn(setup, userId), true)
  t.assert.strictEqual((await current.request('/me')).json().user, userId, 'the current session made after the change stays')
  t.assert.strictEqual((await current.request('/devices')).json().length, 2)
  t.assert.deepStrictEqual(setup.ended.filter(([, user]) => user === userId).map(([, , reason]) => reason), ['stale', 'stale'])
}

/** The listings leave stale sessions out and end them: the manager's given the user, the request's. */
export async function staleNotListed (t: TestContext, setup: StaleApp, userId: string): Promise<void> {
  const old = setup.browser()
  await old.request({ method: 'POST', url: `/login/${userId}` })
  const user = setup.users.get(userId) as PasswordUser
  t.assert.strictEqual((await setup.app.loginManager.listSessions(user)).length, 1)
  user.password = 'second password'
  t.assert.deepStrictEqual(await setup.app.loginManager.listSessions(user), [])
  t.assert.deepStrictEqual(setup.ended.filter(([, id]) => id === userId).map(([, , reason]) => reason), ['stale'])
  t.assert.deepStrictEqual(await setup.store.list(userId), [])
  t.assert.strictEqual((await old.request('/me')).json().user, null, 'the old session logs nobody in')
  const fresh = setup.browser()
  await fresh.request({ method: 'POST', url: `/login/${userId}` })
  user.password = 'third password'
  const again = setup.browser()
  await again.request({ method: 'POST', url: `/login/${userId}` })
  t.assert.strictEqual((await again.request('/devices')).json().length, 1, 'the request lists its own session only')
  t.assert.strictEqual((await setup.store.list(userId)).length, 1)
}
