// Tracked sessions on @fastify/session with a store that answers later (issue 22): a logged-in
// request's entry is read as @fastify/session starts reading the stored session, not once that
// read answered, so both reads can go out together (test/redis/round-trips.test.ts counts the
// Redis round trips). Seen here in the order of the two stores' calls; the same on both engine
// runs, since each test registers @fastify/session itself.
import { test, type TestContext } from 'node:test'
import Fastify from 'fastify'
import fastifyCookie, { Signer } from '@fastify/cookie'
import fastifySession from '@fastify/session'
import fastifyLogin, { memorySessionStore, type SessionStore } from 'fastify-login'
import { SECRET, SESSION_SECRET } from '../helpers/app.js'
import { client, type Client } from '../helpers/cookie-jar.js'
import { User } from '../helpers/users.js'

type Done = (error: Error | null, session?: unknown) => void

/** @fastify/session's store on a Map that answers on a later turn of the event loop, as a networked store does. */
class MapStore {
  constructor (readonly log: string[], readonly sessions = new Map<string, Record<string, unknown>>()) {}
  get (id: string, done: Done): void {
    this.log.push('session read')
    setImmediate(() => { this.log.push('session answered'); done(null, this.sessions.get(id)) })
  }

  set (id: string, session: Record<string, unknown>, done: Done): void {
    this.sessions.set(id, session)
    setImmediate(done, null)
  }

  destroy (id: string, done: Done): void {
    this.sessions.delete(id)
    setImmediate(done, null)
  }
}

/** A memory store that answers with promises only (as Redis does), logging its reads; `failing` makes them fail. */
function asyncStore (log: string[]) {
  const inner = memorySessionStore()
  const state = { failing: false }
  const store: SessionStore = {
    create: (session, limit) => inner.create(session, limit),
    get: async (id) => {
      log.push('entry read')
      if (state.failing) throw new Error('store down')
      return await inner.get(id)
    },
    update: (id, changes, expected) => inner.update(id, changes, expected),
    list: (userId) => inner.list(userId),
    destroy: (id) => inner.destroy(id),
    destroyAll: (userId, exceptId) => inner.destroyAll(userId, exceptId)
  }
  return { store, inner, state }
}

/**
 * An instance (one process of the application) on the two stores; every id is a user. A request
 * with `x-stop` is answered by a hook between @fastify/session and fastify-login.
 */
async function instance (t: TestContext, sessionStore: MapStore, tracked: SessionStore, rolling = false) {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyCookie)
  await app.register(fastifySession, { secret: SESSION_SECRET, store: sessionStore as never, cookie: { secure: false }, saveUninitialized: false, rolling })
  app.addHook('onRequest', (request, reply, done) => {
    if (request.headers['x-stop'] === undefined) done()
    else reply.code(204).send()
  })
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => new User(id, id), sessions: { store: tracked } })
  app.post<{ Params: { id: string } }>('/login/:id', async (request) => ({ ok: await request.loginUser(new User(request.params.id, request.params.id)) }))
  app.post('/logout', async (request) => ({ ok: await request.logoutUser() }))
  app.post('/visit', async (request) => {
    (request.session as unknown as { set (key: string, value: unknown): void }).set('visited', true)
    return { ok: true }
  })
  app.get('/whoami', async (request) => ({ user: request.currentUser.isAuthenticated ? request.currentUser.getId() : null }))
  app.get('/sid', async (request) => ({ sid: (await request.listSessions()).find((session) => session.current)?.id ?? null }))
  await app.ready()
  return app
}

async function setup (t: TestContext, options: { frozen?: boolean, rolling?: boolean } = {}) {
  const log: string[] = []
  const sessionStore = new MapStore(log)
  if (options.frozen === true) Object.freeze(sessionStore)
  const tracked = asyncStore(log)
  const app = await instance(t, sessionStore, tracked.store, options.rolling)
  return { log, sessionStore, tracked, app }
}

/** Who the browser is, and the stores' calls that request made. */
async function whoami (browser: Client, log: string[], headers: Record<string, string> = {}): Promise<{ user: unknown, calls: string[] }> {
  log.length = 0
  const response = await browser.request({ url: '/whoami', headers })
  return { user: response.json().user, calls: [...log] }
}

async function logIn (t: TestContext, browser: Client, id: string): Promise<string> {
  t.assert.deepStrictEqual((await browser.request({ method: 'POST', url: `/login/${id}` })).json(), { ok: true })
  return (await browser.request('/sid')).json().sid
}

const TOGETHER = ['entry read', 'session read', 'session answered']
const AFTER = ['session read', 'session answered', 'entry read']

test('a logged-in request reads its entry as its stored session is read, not after', async (t: TestContext) => {
  const { log, app } = await setup(t)
  const browser = client(app)
  await logIn(t, browser, 'u1')
  t.assert.deepStrictEqual(await whoami(browser, log), { user: 'u1', calls: TOGETHER })
  t.assert.deepStrictEqual(await whoami(browser, log), { user: 'u1', calls: TOGETHER })
})

test('another instance reads the entry after the session on its first request of it, then with it', async (t: TestContext) => {
  const { log, sessionStore, tracked, app } = await setup(t)
  const other = await instance(t, new MapStore(log, sessionStore.sessions), tracked.store)
  const browser = client(app)
  await logIn(t, browser, 'u2')
  const there = client(other, browser.jar)
  t.assert.deepStrictEqual(await whoami(there, log), { user: 'u2', calls: AFTER })
  t.assert.deepStrictEqual(await whoami(there, log), { user: 'u2', calls: TOGETHER })
})

test('an entry ended in the store alone between two requests: the very next request is anonymous', async (t: TestContext) => {
  const { log, tracked, app } = await setup(t)
  const browser = client(app)
  const sid = await logIn(t, browser, 'u3')
  t.assert.strictEqual((await whoami(browser, log)).user, 'u3')
  t.assert.notStrictEqual(await tracked.inner.destroy(sid), null)
  // the request that finds the entry gone removes the login from its session, and that save then
  // looks for a logout's mark (SEC-27): one more read, after the two that left together
  t.assert.deepStrictEqual(await whoami(browser, log), { user: null, calls: [...TOGETHER, 'session read', 'session answered'] })
  t.assert.deepStrictEqual(await whoami(browser, log), { user: null, calls: ['session read', 'session answered'] })
})

test('requests that are not logged in read no entry: a session without a login, after a logout, the cookie from before it', async (t: TestContext) => {
  const { log, app } = await setup(t)
  const visitor = client(app)
  await visitor.request({ method: 'POST', url: '/visit' })
  t.assert.deepStrictEqual(await whoami(visitor, log), { user: null, calls: ['session read', 'session answered'] })
  const browser = client(app)
  await logIn(t, browser, 'u4')
  const before = browser.jar.header()
  await browser.request({ method: 'POST', url: '/logout' })
  t.assert.deepStrictEqual(await whoami(browser, log), { user: null, calls: [] }, 'after the logout: no session cookie left')
  t.assert.deepStrictEqual(await whoami(client(app), log, { cookie: before }), { user: null, calls: ['session read', 'session answered'] })
})

test('a stored session that holds another entry than this process remembers is checked against the entry it holds', async (t: TestContext) => {
  const { log, sessionStore, app } = await setup(t)
  const first = client(app)
  await logIn(t, first, 'u5')
  const second = client(app)
  const secondSid = await logIn(t, second, 'u5')
  // the first browser's stored session is edited to hold the second entry (its id unchanged)
  for (const session of sessionStore.sessions.values()) {
    if (session._sid !== secondSid) session._sid = secondSid
  }
  t.assert.deepStrictEqual(await whoami(first, log), { user: 'u5', calls: [...TOGETHER, 'entry read'] })
  t.assert.deepStrictEqual(await whoami(first, log), { user: 'u5', calls: TOGETHER })
})

test('an early read that fails is a 503 for its request; one that no request takes fails unseen', async (t: TestContext) => {
  const { log, tracked, app } = await setup(t)
  const browser = client(app)
  await logIn(t, browser, 'u6')
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => { unhandled.push(reason) }
  process.on('unhandledRejection', onUnhandled)
  t.after(() => process.off('unhandledRejection', onUnhandled))
  tracked.state.failing = true
  log.length = 0
  const failed = await browser.request('/whoami')
  t.assert.deepStrictEqual([failed.statusCode, failed.json().code, log], [503, 'FST_LOGIN_STORE_UNAVAILABLE', TOGETHER])
  log.length = 0
  const stopped = await browser.request({ url: '/whoami', headers: { 'x-stop': '1' } })
  t.assert.deepStrictEqual([stopped.statusCode, log], [204, TOGETHER])
  await new Promise((resolve) => setImmediate(resolve))
  t.assert.deepStrictEqual(unhandled, [])
  tracked.state.failing = false
  t.assert.deepStrictEqual(await whoami(browser, log), { user: 'u6', calls: TOGETHER })
})

test('an instance that closed reads nothing early any more; the next one on the same store objects does', async (t: TestContext) => {
  const log: string[] = []
  const sessionStore = new MapStore(log)
  const tracked = asyncStore(log)
  const first = await instance(t, sessionStore, tracked.store)
  const browser = client(first)
  await logIn(t, browser, 'u8')
  t.assert.deepStrictEqual(await whoami(browser, log), { user: 'u8', calls: TOGETHER })
  await first.close()
  const next = client(await instance(t, sessionStore, tracked.store), browser.jar)
  t.assert.deepStrictEqual(await whoami(next, log), { user: 'u8', calls: AFTER }, 'the closed instance started no read')
  t.assert.deepStrictEqual(await whoami(next, log), { user: 'u8', calls: TOGETHER })
})

test('a @fastify/session store that cannot be watched (frozen): the entry is read after the session, as before', async (t: TestContext) => {
  const { log, app } = await setup(t, { frozen: true, rolling: true })
  const browser = client(app)
  await logIn(t, browser, 'u7')
  // rolling: the save first checks that the session still exists (a third read of the session)
  t.assert.deepStrictEqual(await whoami(browser, log), { user: 'u7', calls: [...AFTER, 'session read', 'session answered'] })
  await browser.request({ method: 'POST', url: '/logout' })
  t.assert.strictEqual((await whoami(browser, log)).user, null)
})

test('a process remembers the entries of the last 10 000 stored sessions it saw', async (t: TestContext) => {
  const { log, sessionStore, app } = await setup(t)
  const first = client(app)
  await logIn(t, first, 'oldest')
  const second = client(app)
  await logIn(t, second, 'second')
  t.assert.deepStrictEqual(await whoami(first, log), { user: 'oldest', calls: TOGETHER })
  // 9 999 more stored sessions, each seen once: copies of the second browser's under ids of their own
  const template = JSON.stringify([...sessionStore.sessions.values()].find((session) => session._user_id === 'second'))
  const signer = new Signer(SESSION_SECRET)
  for (let done = 0; done < 9_999; done += 500) {
    await Promise.all(Array.from({ length: Math.min(500, 9_999 - done) }, async (_, i) => {
      const id = `copy-${done + i}`
      sessionStore.sessions.set(id, JSON.parse(template))
      const response = await app.inject({ url: '/whoami', headers: { cookie: `sessionId=${encodeURIComponent(signer.sign(id))}` } })
      t.assert.strictEqual(response.json().user, 'second')
    }))
  }
  // 'oldest' was seen after 'second': 'second' is the one forgotten
  t.assert.deepStrictEqual(await whoami(first, log), { user: 'oldest', calls: TOGETHER })
  t.assert.deepStrictEqual(await whoami(second, log), { user: 'second', calls: AFTER })
})
