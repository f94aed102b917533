// Tracked sessions under faults (issue 19), over real HTTP on a real redis-server, on both
// engines and with the store on `redis` and on `ioredis` (test/redis/fixtures/tracked-app.ts:
// `rotationGrace: 1`). SEC-26: a remember-token rotation whose answer never reached the browser
// (the client aborted, a hijacked reply) is undone, so it never becomes a false theft.
import { test, type TestContext } from 'node:test'
import { request as httpRequest } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import { Redis as IoRedis } from 'ioredis'
import { createClient } from 'redis'
import fastifyLogin, { redisSessionStore } from 'fastify-login'
import type { AppProcess } from '../helpers/redis/app-process.js'
import { startSilentProxy } from '../helpers/redis/silent-proxy.js'
import { startRedisServer } from '../helpers/redis-server.js'
import { Browser } from '../helpers/redis/browser.js'
import { allKeys, startPair, type ClientName, type EngineName, type Pair } from '../helpers/redis/tracked-pair.js'

const REMEMBER = 'remember_token'
const GRACE_MS = 1000

async function rememberedLogin (t: TestContext, app: AppProcess, userId: string): Promise<string> {
  const browser = new Browser()
  const answer = await browser.request(app.url, '/login', { json: { id: userId, remember: true } })
  t.assert.strictEqual(answer.status, 200, app.log())
  return browser.jar.get(REMEMBER) as string
}

/** The entry key of the user's one tracked session. */
async function entryKeyOf (pair: Pair, userId: string): Promise<string> {
  for (const key of await allKeys(pair, 'fastify-login:*:s:*')) {
    if (await pair.inspect.hGet(key, 'userId') === userId) return key
  }
  throw new Error(`no entry of ${userId}`)
}

/** Waits (at most 5 s) until the entry's remember hash is, or is no longer, `hash`. */
async function untilHash (pair: Pair, key: string, hash: string | null, equal: boolean): Promise<string | null> {
  const deadline = Date.now() + 5000
  for (;;) {
    const now = await pair.inspect.hGet(key, 'rememberHash') ?? null
    if ((now === hash) === equal || Date.now() > deadline) return now
    await sleep(10)
  }
}

async function me (app: AppProcess, cookie: string): Promise<{ user: string | null, setCookies: string[] }> {
  const answer = await new Browser().request(app.url, '/me', { cookie: `${REMEMBER}=${cookie}` })
  return { user: answer.body.user, setCookies: answer.setCookies }
}

async function thefts (app: AppProcess): Promise<string[]> {
  return (await new Browser().request(app.url, '/thefts')).body.thefts
}

/** A restore whose client aborts after the server rotated: undone, the old cookie logs in after the grace. */
async function abortedRestore (t: TestContext, pair: Pair): Promise<void> {
  const userId = 'aborted'
  const cookie = await rememberedLogin(t, pair.a, userId)
  const key = await entryKeyOf(pair, userId)
  const before = await pair.inspect.hmGet(key, ['rememberHash', 'previousRememberHash', 'rotatedAt'])
  const aborted = httpRequest(`${pair.a.url}/hold`, { headers: { cookie: `${REMEMBER}=${cookie}` } })
  aborted.on('error', () => {})
  aborted.end()
  t.assert.notStrictEqual(await untilHash(pair, key, before[0] ?? null, false), before[0], 'the server rotated the token')
  aborted.destroy()
  t.assert.strictEqual(await untilHash(pair, key, before[0] ?? null, true), before[0], 'the rotation was undone')
  t.assert.deepStrictEqual(await pair.inspect.hmGet(key, ['rememberHash', 'previousRememberHash', 'rotatedAt']), before)

  await sleep(GRACE_MS + 200)
  const again = await me(pair.b, cookie)
  t.assert.strictEqual(again.user, userId, 'the old cookie still logs in after the grace')
  t.assert.deepStrictEqual([await thefts(pair.a), await thefts(pair.b)], [[], []])

  // that answer was delivered: after the grace, the old cookie is theft
  t.assert.ok(again.setCookies.some((line) => line.startsWith(`${REMEMBER}=`)), 'the delivered restore rotated')
  await sleep(GRACE_MS + 200)
  t.assert.strictEqual((await me(pair.a, cookie)).user, null)
  t.assert.deepStrictEqual(await thefts(pair.a), [userId])
}

/** A restore on a hijacked reply: undone, the old cookie is still current. */
async function hijackedRestore (t: TestContext, pair: Pair): Promise<void> {
  const userId = 'hijacked'
  const cookie = await rememberedLogin(t, pair.a, userId)
  const key = await entryKeyOf(pair, userId)
  const before = await pair.inspect.hmGet(key, ['rememberHash', 'previousRememberHash', 'rotatedAt'])
  const hijacked = await new Browser().request(pair.a.url, '/hijack', { cookie: `${REMEMBER}=${cookie}` })
  t.assert.deepStrictEqual([hijacked.body.user, hijacked.setCookies], [userId, []])
  t.assert.strictEqual(await untilHash(pair, key, before[0] ?? null, true), before[0])
  t.assert.deepStrictEqual(await pair.inspect.hmGet(key, ['rememberHash', 'previousRememberHash', 'rotatedAt']), before)
  await sleep(GRACE_MS + 200)
  t.assert.strictEqual((await me(pair.b, cookie)).user, userId)
  t.assert.deepStrictEqual(await thefts(pair.b), [])
}

/** Item 4: @fastify/session's stored sessions flushed; their entries neither listed nor counted (refuse). */
async function deadEntries (t: TestContext, pair: Pair): Promise<void> {
  const userId = 'dead'
  for (let i = 0; i < 3; i++) {
    t.assert.strictEqual((await new Browser().request(pair.a.url, '/login', { json: { id: userId } })).body.loggedIn, true)
  }
  t.assert.strictEqual((await new Browser().request(pair.b.url, '/login', { json: { id: userId } })).body.loggedIn, false, 'the limit holds')
  const stored = await allKeys(pair, 'sess:*')
  t.assert.ok(stored.length >= 3)
  await pair.inspect.del(stored)
  t.assert.deepStrictEqual((await new Browser().request(pair.a.url, `/admin/sessions/${userId}`)).body, [])
  const fourth = new Browser()
  t.assert.strictEqual((await fourth.request(pair.b.url, '/login', { json: { id: userId } })).body.loggedIn, true)
  t.assert.strictEqual((await fourth.request(pair.a.url, '/me')).body.user, userId)
  t.assert.strictEqual((await new Browser().request(pair.a.url, `/admin/sessions/${userId}`)).body.length, 1)
}

for (const client of ['redis', 'ioredis'] as ClientName[]) {
  test(`dead entries on session, store on ${client}, onLimit: 'refuse'`, async (t: TestContext) => {
    const pair = await startPair(t, { engine: 'session', client, onLimit: 'refuse' })
    await t.test('entries whose stored session was flushed are not listed and do not lock the user out', (t: TestContext) => deadEntries(t, pair))
  })
}

for (const engine of ['secure-session', 'session'] as EngineName[]) {
  for (const client of ['redis', 'ioredis'] as ClientName[]) {
    test(`tracked sessions under faults on ${engine}, store on ${client}`, async (t: TestContext) => {
      const pair = await startPair(t, { engine, client })
      await t.test('a restore whose client aborted after the server rotated is undone: no false theft (SEC-26)', (t: TestContext) => abortedRestore(t, pair))
      await t.test('a restore on a hijacked reply is undone (SEC-26)', (t: TestContext) => hijackedRestore(t, pair))
    })
  }
}

// A Redis that goes silent (issue 19, item 3): through a proxy that stops forwarding, every
// logged-in request ends with the coded 503, with a client that has no timeout of its own
// (sessions.timeout, default 2 s, ends the call) and with the client settings the docs show.
type Setup = 'no client timeout' | 'documented client timeouts'

function trackedClient (client: ClientName, setup: Setup, url: string): { store: unknown, connect (): Promise<unknown>, close (): void } {
  if (client === 'ioredis') {
    const redis = setup === 'no client timeout'
      ? new IoRedis(url, { lazyConnect: true })
      : new IoRedis(url, { lazyConnect: true, commandTimeout: 1000, enableOfflineQueue: false, maxRetriesPerRequest: 0 })
    redis.on('error', () => {})
    return { store: redis, connect: () => redis.connect(), close: () => redis.disconnect() }
  }
  const redis = setup === 'no client timeout'
    ? createClient({ url })
    : createClient({ url, disableOfflineQueue: true, socket: { socketTimeout: 1000, connectTimeout: 1000 } })
  redis.on('error', () => {})
  return { store: redis, connect: () => redis.connect(), close: () => { if (redis.isOpen) redis.destroy() } }
}

async function silentApp (t: TestContext, engine: EngineName, client: ClientName, setup: Setup, redisPort: number) {
  const proxy = await startSilentProxy(t, redisPort)
  const redis = trackedClient(client, setup, proxy.url)
  await redis.connect()
  const app = Fastify()
  t.after(async () => { await app.close(); redis.close() })
  if (engine === 'session') {
    await app.register(fastifyCookie)
    await app.register(fastifySession, { secret: 'a-secret-for-the-silent-store-test!', cookie: { secure: false }, saveUninitialized: false })
  }
  await app.register(fastifyLogin, {
    secret: 'a-login-secret-for-the-silent-store-test',
    userLoader: (id) => ({ id, isAuthenticated: true, isActive: true, isAnonymous: false, getId: () => id }),
    sessions: { store: redisSessionStore(redis.store) }
  })
  app.post<{ Body: { id: string } }>('/login', async (request) => ({ loggedIn: await request.loginUser({ id: request.body.id, isAuthenticated: true, isActive: true, isAnonymous: false, getId: () => request.body.id } as never) }))
  app.get('/me', async (request) => ({ user: request.currentUser.isAuthenticated ? request.currentUser.getId() : null }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, proxy }
}

async function silentStore (t: TestContext, engine: EngineName, client: ClientName, setup: Setup, redisPort: number): Promise<void> {
  const { url, proxy } = await silentApp(t, engine, client, setup, redisPort)
  const browser = new Browser()
  t.assert.strictEqual((await browser.request(url, '/login', { json: { id: 'silent' } })).body.loggedIn, true)
  t.assert.strictEqual((await browser.request(url, '/me')).body.user, 'silent')
  proxy.silence()
  const took: number[] = []
  for (let i = 0; i < 2; i++) {
    const started = performance.now()
    const answer = await browser.request(url, '/me')
    took.push(Math.round(performance.now() - started))
    t.assert.strictEqual(answer.status, 503)
    t.assert.strictEqual(answer.body.code, 'FST_LOGIN_STORE_UNAVAILABLE')
  }
  const login = await new Browser().request(url, '/login', { json: { id: 'silent-2' } })
  t.assert.deepStrictEqual([login.status, login.body.code, login.setCookies.filter((line) => !/=;|max-age=0/i.test(line))], [503, 'FST_LOGIN_STORE_UNAVAILABLE', []])
  t.diagnostic(`${engine}, ${client}, ${setup}: GET /me became a 503 in ${took.join(' ms, then ')} ms`)
}

test('a Redis that goes silent: every logged-in request ends with the coded 503', async (t: TestContext) => {
  const redis = await startRedisServer()
  t.after(() => redis.stop())
  for (const engine of ['secure-session', 'session'] as EngineName[]) {
    for (const client of ['redis', 'ioredis'] as ClientName[]) {
      for (const setup of ['no client timeout', 'documented client timeouts'] as Setup[]) {
        await t.test(`${engine}, store on ${client}, ${setup}`, (t: TestContext) => silentStore(t, engine, client, setup, redis.port))
      }
    }
  }
})
