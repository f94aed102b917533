// The session stores without Redis: the whole SessionStore contract on memorySessionStore(), the
// memory store's own bookkeeping, and what redisSessionStore checks before any round trip.
import { test, type TestContext } from 'node:test'
import { queryObjects } from 'node:v8'
import { memorySessionStore, redisSessionStore, type SessionLimit, type SessionStore } from 'fastify-login'
import { sessionStoreContract } from 'fastify-login/testing'
import { Cluster, Redis } from 'ioredis'
import { installClock } from '../helpers/remember.js'

const NO_LIMIT: SessionLimit = { maxPerUser: null, onLimit: 'revoke-oldest', replaces: null }

/** Ids no store can have made. */
const MALFORMED_IDS: unknown[] = [
  undefined, null, 0, 1, true, {}, [], ['x'], Symbol('id'),
  '', ' ', '__proto__', 'constructor', 'hasOwnProperty', 'x'.repeat(129), 'x'.repeat(100_000),
  'a b', 'a\r\nb', 'a\u0000b', 'ünïcödé', '{tag}', 'fastify-login:{x}:s:y', '*', '../../etc'
]

test('memorySessionStore() meets the SessionStore contract (fastify-login/testing) with every capability, rejecting bad input with FST_LOGIN_INVALID_VALUE', async (t: TestContext) => {
  await sessionStoreContract(() => memorySessionStore(), {
    test: (name, run) => t.test(name, run),
    badInputError: { code: 'FST_LOGIN_INVALID_VALUE' },
    capabilities: ['origin', 'authDigest', 'rotate']
  })
})

test('memorySessionStore() instances share nothing', async (t: TestContext) => {
  const a = memorySessionStore()
  const b = memorySessionStore()
  const session = { userId: 'u1', createdAt: 1, lastSeenAt: 1, ip: '', userAgent: '', rememberHash: null, previousRememberHash: null, rotatedAt: null, engineId: null, expiresAt: Date.now() + 60_000 }
  const created = await a.create(session, NO_LIMIT)
  t.assert.strictEqual(await b.get(created!.id), null)
  t.assert.deepStrictEqual(await b.list('u1'), [])
})

test('memorySessionStore(): creates sweep away expired entries that nothing reads again', async (t: TestContext) => {
  const clock = installClock(t)
  const store = memorySessionStore()
  const users = 500
  const session = (userId: string, lifetime: number) => ({
    userId, createdAt: Date.now(), lastSeenAt: Date.now(), ip: '', userAgent: '', rememberHash: null, previousRememberHash: null, rotatedAt: null, engineId: null, expiresAt: Date.now() + lifetime
  })
  // the store keeps one Set of ids per user with a live entry: count them on the heap
  const sets = (): number => queryObjects(Set, { format: 'count' }) as number
  const before = sets()
  for (let i = 0; i < users; i++) await store.create(session(`gone-${i}`, 1000), NO_LIMIT)
  t.assert.ok(sets() - before >= users, 'one index per user while the entries live')
  clock.tick(1000)
  // logins of one other user only: nobody asks for the expired users again
  for (let i = 0; i < users; i++) await store.create(session('active', 60_000), NO_LIMIT)
  t.assert.ok(sets() - before < users / 10, `expired users' indexes are gone (${sets() - before} Sets left)`)
  t.assert.strictEqual((await store.list('active')).length, users)
})

test('memorySessionStore(): a login joins the entry of its origin for 10 s only, and forgets the origins it passed', async (t: TestContext) => {
  const clock = installClock(t)
  const store = memorySessionStore()
  const session = () => ({ userId: 'u1', createdAt: Date.now(), lastSeenAt: Date.now(), ip: '', userAgent: '', rememberHash: null, previousRememberHash: null, rotatedAt: null, engineId: null, expiresAt: Date.now() + 3_600_000 })
  const from = (origin: string) => ({ ...NO_LIMIT, origin })
  const first = (await store.create(session(), from('a')))!.id
  await store.create(session(), from('b'))
  clock.tick(9_999)
  t.assert.strictEqual((await store.create(session(), from('a')))!.id, first, 'inside the window')
  clock.tick(1)
  const later = (await store.create(session(), from('a')))!.id
  t.assert.notStrictEqual(later, first, 'the window has passed')
  t.assert.strictEqual((await store.create(session(), from('a')))!.id, later, 'the new entry holds the origin now')
  t.assert.strictEqual((await store.list('u1')).length, 3)
})

test('the package exports both stores', (t: TestContext) => {
  t.assert.strictEqual(typeof memorySessionStore, 'function')
  t.assert.strictEqual(typeof redisSessionStore, 'function')
})

/** A node-redis-shaped client that records what it is asked and never answers. */
function recordingClient () {
  const sent: unknown[][] = []
  return { sent, sendCommand: async (args: unknown[]) => { sent.push(args); throw new Error('no Redis in this test') } }
}

test('redisSessionStore: a client of no known kind is a coded registration error', (t: TestContext) => {
  for (const client of [undefined, null, 'redis://localhost', 42, {}, { sendCommand: 'x' }, { call: true }]) {
    t.assert.throws(() => redisSessionStore(client), { code: 'FST_LOGIN_INVALID_OPTION', message: /"client"/ }, String(client))
  }
})

test('redisSessionStore: an ioredis client or Cluster with a keyPrefix is refused (the store has its own prefix)', (t: TestContext) => {
  const clients = [new Redis({ lazyConnect: true, keyPrefix: 'app:' }), new Cluster([], { lazyConnect: true, keyPrefix: 'app:' })]
  for (const client of clients) {
    t.assert.throws(() => redisSessionStore(client), { code: 'FST_LOGIN_INVALID_OPTION', message: /keyPrefix/ })
  }
  // without one (or with an empty one) the client is accepted; nothing connects
  for (const client of [new Redis({ lazyConnect: true }), new Redis({ lazyConnect: true, keyPrefix: '' }), { call: async () => null }]) {
    t.assert.doesNotThrow(() => redisSessionStore(client))
  }
})

test('redisSessionStore: a prefix must be a string without braces', (t: TestContext) => {
  for (const prefix of ['app:{x}:', 'a{', 'b}', 1, {}]) {
    t.assert.throws(() => redisSessionStore(recordingClient(), { prefix: prefix as string }), { code: 'FST_LOGIN_INVALID_OPTION', message: /"prefix"/ }, String(prefix))
  }
  for (const options of [undefined, {}, { prefix: null as unknown as string }, { prefix: '' }, { prefix: 'my-app:sessions:' }]) {
    t.assert.doesNotThrow(() => redisSessionStore(recordingClient(), options))
  }
})

test('redisSessionStore: malformed ids and user ids are answered without a round trip', async (t: TestContext) => {
  const client = recordingClient()
  const store: SessionStore = redisSessionStore(client)
  const wellShaped = 'AAAAAAAA.' + 'B'.repeat(24)
  for (const id of [...MALFORMED_IDS, wellShaped + 'x', 'AAAAAAA.' + 'B'.repeat(24), 'AAAAAAAA-' + 'B'.repeat(24), 'AAAAAAAA.' + 'B'.repeat(23) + '=']) {
    t.assert.strictEqual(await store.get(id as string), null)
    t.assert.strictEqual(await store.update(id as string, { ip: 'x' }, 'h'), false)
    t.assert.strictEqual(await store.destroy(id as string), null)
  }
  for (const userId of [1, null, undefined, {}, ['u1']]) {
    t.assert.deepStrictEqual(await store.list(userId as string), [])
    t.assert.deepStrictEqual(await store.destroyAll(userId as string), [])
  }
  t.assert.deepStrictEqual(client.sent, [])
  // a well-shaped id does go to Redis, and the client's failure is the store's failure
  await t.assert.rejects(store.get(wellShaped), /no Redis in this test/)
  t.assert.strictEqual(client.sent.length, 1)
})

test('redisSessionStore: bad entries and changes are coded errors before any round trip', async (t: TestContext) => {
  const client = recordingClient()
  const store = redisSessionStore(client)
  await t.assert.rejects(store.create({ userId: 1 } as never, NO_LIMIT), { code: 'FST_LOGIN_INVALID_VALUE' })
  await t.assert.rejects(store.update('AAAAAAAA.' + 'B'.repeat(24), { userId: 'u2' } as never), { code: 'FST_LOGIN_INVALID_VALUE' })
  await t.assert.rejects(store.update('AAAAAAAA.' + 'B'.repeat(24), {}, 5 as never), { code: 'FST_LOGIN_INVALID_VALUE' })
  t.assert.deepStrictEqual(client.sent, [])
})
