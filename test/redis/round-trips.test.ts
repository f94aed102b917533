// Redis round trips of one request, with tracked sessions on @fastify/session + connect-redis
// (issue 22): the stored session's GET and the tracked entry's HMGET go to Redis together, so a
// logged-in request waits for one round trip, as it does without tracked sessions. Counted by a
// loopback proxy in front of a real redis-server (test/helpers/redis/turn-counter.ts), over real
// HTTP, with the tracked store on the engine's own node-redis client, on a client of its own, and
// on ioredis (with and without enableAutoPipelining). connect-redis 9 takes node-redis only.
import { after, before, test, type TestContext } from 'node:test'
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import { RedisStore } from 'connect-redis'
import { Redis as IoRedis } from 'ioredis'
import { createClient } from 'redis'
import fastifyLogin, { redisSessionStore } from 'fastify-login'
import { Browser } from '../helpers/redis/browser.js'
import { startTurnCounter, type TurnCounter } from '../helpers/redis/turn-counter.js'
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js'

const SESSION_SECRET = 'a-session-secret-for-the-round-trip-test'
const LOGIN_SECRET = 'a-login-secret-for-the-round-trip-test!!'

/** The tracked store's client: the engine's own, another node-redis client, or ioredis. */
type TrackedClient = 'the engine\'s node-redis client' | 'a node-redis client of its own' | 'ioredis' | 'ioredis with enableAutoPipelining'
const CLIENTS: TrackedClient[] = ['the engine\'s node-redis client', 'a node-redis client of its own', 'ioredis', 'ioredis with enableAutoPipelining']

interface Setup { readonly client: TrackedClient, readonly rolling?: boolean }

async function nodeRedis (t: TestContext, url: string) {
  const client = createClient({ url })
  client.on('error', () => {})
  t.after(() => { if (client.isOpen) client.destroy() })
  await client.connect()
  return client
}

async function trackedClientFor (t: TestContext, url: string, client: TrackedClient, engineClient: unknown): Promise<unknown> {
  if (client === 'the engine\'s node-redis client') return engineClient
  if (client === 'a node-redis client of its own') return await nodeRedis(t, url)
  const ioredis = new IoRedis(url, { lazyConnect: true, enableAutoPipelining: client === 'ioredis with enableAutoPipelining' })
  ioredis.on('error', () => {})
  t.after(() => ioredis.disconnect())
  await ioredis.connect()
  return ioredis
}

/** One application instance (as one process) on `redisUrl`, listening on loopback: its base URL. */
async function startApp (t: TestContext, redisUrl: string, setup: Setup): Promise<string> {
  const engineClient = await nodeRedis(t, redisUrl)
  const tracked = await trackedClientFor(t, redisUrl, setup.client, engineClient)
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyCookie)
  await app.register(fastifySession, {
    secret: SESSION_SECRET,
    store: new RedisStore({ client: engineClient, prefix: 'sess:' }),
    saveUninitialized: false,
    rolling: setup.rolling ?? false,
    cookie: { secure: false }
  })
  const user = (id: string) => ({ id, isAuthenticated: true, isActive: true, isAnonymous: false, getId: () => id })
  await app.register(fastifyLogin, { secret: LOGIN_SECRET, userLoader: user, sessions: { store: redisSessionStore(tracked) } })
  app.post<{ Body: { id: string } }>('/login', async (request) => ({ loggedIn: await request.loginUser(user(request.body.id)) }))
  app.post('/logout', async (request) => ({ loggedOut: await request.logoutUser() }))
  app.get('/me', async (request) => ({ user: request.currentUser.isAuthenticated ? request.currentUser.getId() : null }))
  app.get('/sid', async (request) => ({ sid: (await request.listSessions()).find((session) => session.current)?.id ?? null }))
  app.post<{ Body: { id: string } }>('/revoke', async (request) => ({ revoked: await app.loginManager.revokeSession(request.body.id) }))
  // a session with the application's data and no login
  app.post('/visit', async (request) => {
    (request.session as unknown as { set (key: string, value: unknown): void }).set('visited', true)
    return { ok: true }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
}

/** The user `GET /me` answers for, and the Redis round trips that request made. */
async function me (counter: TurnCounter, browser: Browser, url: string, cookie?: string): Promise<{ user: string | null, turns: number }> {
  counter.reset()
  const answer = await browser.request(url, '/me', cookie === undefined ? {} : { cookie })
  return { user: answer.body.user, turns: counter.turns() }
}

async function logIn (t: TestContext, browser: Browser, url: string, id: string): Promise<void> {
  t.assert.strictEqual((await browser.request(url, '/login', { json: { id } })).body.loggedIn, true)
}

/** How many HMGETs Redis ran so far (the tracked entry's read): INFO commandstats. */
async function entryReads (redis: RedisServer): Promise<number> {
  const client = createClient({ url: redis.url })
  await client.connect()
  try {
    return Number(/cmdstat_hmget:calls=(\d+)/.exec(await client.info('commandstats'))?.[1] ?? 0)
  } finally {
    client.destroy()
  }
}

let redis: RedisServer
before(async () => { redis = await startRedisServer() })
after(() => redis.stop())

for (const client of CLIENTS) {
  test(`tracked store on ${client}: a logged-in request on @fastify/session is one Redis round trip`, async (t: TestContext) => {
    const counter = await startTurnCounter(t, redis.port)
    const url = await startApp(t, counter.url, { client })
    const browser = new Browser()
    await logIn(t, browser, url, 'one-trip')
    const reads = await entryReads(redis)
    t.assert.deepStrictEqual(await me(counter, browser, url), { user: 'one-trip', turns: 1 })
    t.assert.deepStrictEqual(await me(counter, browser, url), { user: 'one-trip', turns: 1 })
    t.assert.strictEqual(await entryReads(redis) - reads, 2, 'one entry read per request')
  })

  test(`tracked store on ${client}: a request that is not logged in reads no entry`, async (t: TestContext) => {
    const counter = await startTurnCounter(t, redis.port)
    const url = await startApp(t, counter.url, { client })
    const visitor = new Browser()
    await visitor.request(url, '/visit', { method: 'POST' })
    const reads = await entryReads(redis)
    t.assert.deepStrictEqual(await me(counter, new Browser(), url), { user: null, turns: 0 }, 'no session cookie: no round trip')
    t.assert.deepStrictEqual(await me(counter, visitor, url), { user: null, turns: 1 }, 'a session without a login: its GET only')
    t.assert.strictEqual(await entryReads(redis) - reads, 0)

    const browser = new Browser()
    await logIn(t, browser, url, 'leaves')
    const loggedIn = browser.cookieHeader()
    t.assert.strictEqual((await me(counter, browser, url)).user, 'leaves')
    await browser.request(url, '/logout', { method: 'POST' })
    const afterLogout = await entryReads(redis)
    t.assert.deepStrictEqual(await me(counter, browser, url), { user: null, turns: 0 }, 'after the logout (no session cookie left)')
    t.assert.deepStrictEqual(await me(counter, new Browser(), url, loggedIn), { user: null, turns: 1 }, 'the cookie from before the logout')
    t.assert.strictEqual(await entryReads(redis) - afterLogout, 0)
  })
}

test('another instance reads the entry after the session on its first request of that session, then with it; revocations are seen at once', async (t: TestContext) => {
  const counter = await startTurnCounter(t, redis.port)
  const a = await startApp(t, counter.url, { client: 'the engine\'s node-redis client' })
  const b = await startApp(t, counter.url, { client: 'ioredis' })
  const browser = new Browser()
  await logIn(t, browser, a, 'two-instances')
  t.assert.deepStrictEqual(await me(counter, browser, b), { user: 'two-instances', turns: 2 }, 'b has not seen this session')
  t.assert.deepStrictEqual(await me(counter, browser, b), { user: 'two-instances', turns: 1 })

  // the entry ends in the store alone (the stored session stays): b's very next request is anonymous
  const { sid } = (await browser.request(a, '/sid')).body
  const inspect = await nodeRedis(t, redis.url)
  t.assert.notStrictEqual(await redisSessionStore(inspect).destroy(sid), null)
  // (its early read saw the end; the session then drops the login, which is a write: a second
  // trip; and that save looks for a logout's mark after writing (SEC-27): a third)
  t.assert.deepStrictEqual(await me(counter, browser, b), { user: null, turns: 3 })

  // a revocation through the other instance
  const second = new Browser()
  await logIn(t, second, a, 'two-instances')
  t.assert.deepStrictEqual(await me(counter, second, b), { user: 'two-instances', turns: 2 })
  t.assert.deepStrictEqual(await me(counter, second, b), { user: 'two-instances', turns: 1 })
  const { sid: revoked } = (await second.request(a, '/sid')).body
  t.assert.strictEqual((await new Browser().request(a, '/revoke', { json: { id: revoked } })).body.revoked, true)
  t.assert.strictEqual((await me(counter, second, b)).user, null)
})

test('with rolling: true a logged-in request is three round trips: the reads together, then the in-flight check and the save', async (t: TestContext) => {
  const counter = await startTurnCounter(t, redis.port)
  const url = await startApp(t, counter.url, { client: 'the engine\'s node-redis client', rolling: true })
  const browser = new Browser()
  await logIn(t, browser, url, 'rolling')
  t.assert.deepStrictEqual(await me(counter, browser, url), { user: 'rolling', turns: 3 })
})
