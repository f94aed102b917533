// The SessionStore contract as subtests, for any store: the memory store runs it in the unit
// suite, the Redis store on node-redis and ioredis, standalone and Redis Cluster.
//
// Each case gets a fresh, empty store from the factory and a fake Date that starts at the real
// time (so a Redis store's PEXPIREAT stays in the future while the logical clock moves on).
// `check`, when the factory gives one, runs after every store operation (the Redis suites
// assert there that every key has a TTL and that each user's keys share a hash slot).
import type { TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type FakeTimers from '@sinonjs/fake-timers'
import type { NewStoredSession, SessionLimit, SessionStore, StoredSession } from 'fastify-login'
import { installClock } from './remember.js'

export interface ContractStore {
  store: SessionStore
  /** Backend invariants, checked after each operation. */
  check?: () => Promise<void>
}

export type StoreFactory = (t: TestContext) => Promise<ContractStore> | ContractStore

// Lifetimes are minutes, not milliseconds: a Redis key expires by the real clock, which must not
// catch up with the fake one while a case runs on a busy machine.
const MINUTE = 60_000
const HOUR = 60 * MINUTE
export const NO_LIMIT: SessionLimit = Object.freeze({ maxPerUser: null, onLimit: 'revoke-oldest', replaces: null })
const INVALID = { code: 'FST_LOGIN_INVALID_VALUE' }

/** Ids no store can have made: each must be "nothing there" (null/false), never a throw. */
export const MALFORMED_IDS: unknown[] = [
  undefined, null, 0, 1, true, {}, [], ['x'], Symbol('id'),
  '', ' ', '__proto__', 'constructor', 'hasOwnProperty', 'x'.repeat(129), 'x'.repeat(100_000),
  'a b', 'a\r\nb', 'a\u0000b', 'ünïcödé', '{tag}', 'fastify-login:{x}:s:y', '*', '../../etc'
]

interface Case {
  store: SessionStore
  clock: FakeTimers.Clock
  /** A new entry for `userId` (default 'u1') at the fake time, living an hour. */
  session (overrides?: Partial<NewStoredSession>): NewStoredSession
  /** Creates without a limit and returns the id. */
  add (overrides?: Partial<NewStoredSession>): Promise<string>
}

/** Runs `check` after each call of the store's methods, whether it resolved or rejected. */
function checked (store: SessionStore, check: () => Promise<void>): SessionStore {
  const wrap = <A extends unknown[], R>(method: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await method.apply(store, args)
    } finally {
      await check()
    }
  }
  return {
    create: wrap(store.create),
    get: wrap(store.get),
    update: wrap(store.update),
    list: wrap(store.list),
    destroy: wrap(store.destroy),
    destroyAll: wrap(store.destroyAll),
    ...(store.rotate === undefined ? {} : { rotate: wrap(store.rotate) })
  }
}

async function setup (t: TestContext, factory: StoreFactory): Promise<Case> {
  const clock = installClock(t)
  const made = await factory(t)
  const store = made.check === undefined ? made.store : checked(made.store, made.check)
  const session = (overrides: Partial<NewStoredSession> = {}): NewStoredSession => ({
    userId: 'u1',
    createdAt: Date.now(),
    lastSeenAt: Date.now(),
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
    rememberHash: null,
    previousRememberHash: null,
    rotatedAt: null,
    engineId: null,
    expiresAt: Date.now() + HOUR,
    authDigest: null,
    ...overrides
  })
  const add = async (overrides?: Partial<NewStoredSession>): Promise<string> => {
    const created = await store.create(session(overrides), NO_LIMIT)
    t.assert.ok(created !== null)
    return created.id
  }
  return { store, clock, session, add }
}

const ids = (entries: readonly StoredSession[]): string[] => entries.map((entry) => entry.id).sort()
const limit = (maxPerUser: number | null, onLimit: SessionLimit['onLimit'] = 'revoke-oldest', replaces: string | null = null): SessionLimit =>
  ({ maxPerUser, onLimit, replaces })

export async function runSessionStoreContract (t: TestContext, factory: StoreFactory): Promise<void> {
  const it = (name: string, body: (t: TestContext, c: Case) => Promise<void>) =>
    t.test(name, async (t: TestContext) => body(t, await setup(t, factory)))

  await it('create makes a URL-safe id of at most 128 characters, a new one each time, and ends nothing', async (t: TestContext, c: Case) => {
    const made = new Set<string>()
    for (let i = 0; i < 40; i++) {
      const created = await c.store.create(c.session(), NO_LIMIT)
      t.assert.ok(created !== null)
      t.assert.match(created.id, /^[A-Za-z0-9._~-]{22,128}$/)
      t.assert.deepStrictEqual(created.ended, [])
      made.add(created.id)
    }
    t.assert.strictEqual(made.size, 40)
  })

  await it('get returns every field as it was given, for null and non-null values alike', async (t: TestContext, c: Case) => {
    const plain = c.session()
    const full = c.session({
      userId: 'user {with} "odd" chars: ü, 佐藤, \r\n;,',
      createdAt: Date.now() - 1234.5,
      lastSeenAt: Date.now() - 0.25,
      ip: '2001:db8::1',
      userAgent: '',
      rememberHash: 'h'.repeat(43),
      previousRememberHash: '',
      rotatedAt: Date.now() - 5000,
      engineId: 'engine-id.with.dots',
      expiresAt: Date.now() + HOUR + 0.5
    })
    for (const session of [plain, full]) {
      const id = (await c.store.create(session, NO_LIMIT))!.id
      t.assert.deepStrictEqual(await c.store.get(id), { id, ...session })
    }
  })

  await it('a caller changing what it passed or got back does not change the entry', async (t: TestContext, c: Case) => {
    const session = { ...c.session() }
    const id = (await c.store.create(session, NO_LIMIT))!.id
    session.ip = 'changed by the caller'
    const got = await c.store.get(id) as { ip: string }
    try {
      got.ip = 'changed by the caller'
    } catch {} // a store may hand out frozen entries
    t.assert.strictEqual((await c.store.get(id))!.ip, '203.0.113.7')
  })

  await it('extra properties of a new session are not stored', async (t: TestContext, c: Case) => {
    const id = (await c.store.create({ ...c.session(), id: 'chosen-by-caller', extra: 1 } as NewStoredSession, NO_LIMIT))!.id
    t.assert.notStrictEqual(id, 'chosen-by-caller')
    t.assert.deepStrictEqual(await c.store.get(id), { id, ...c.session() })
  })

  await it('an entry is gone for every method once Date.now() reaches expiresAt', async (t: TestContext, c: Case) => {
    const id = await c.add({ expiresAt: Date.now() + MINUTE })
    const other = await c.add()
    c.clock.tick(MINUTE - 1)
    t.assert.strictEqual((await c.store.get(id))?.id, id)
    c.clock.tick(1)
    t.assert.strictEqual(await c.store.get(id), null)
    t.assert.strictEqual(await c.store.update(id, { lastSeenAt: Date.now() }), false)
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), [other])
    t.assert.strictEqual(await c.store.destroy(id), null)
    t.assert.deepStrictEqual(ids(await c.store.destroyAll('u1')), [other])
  })

  await it('an expired entry is gone for destroy and destroyAll too, and still gone later', async (t: TestContext, c: Case) => {
    const a = await c.add({ expiresAt: Date.now() + MINUTE })
    const b = await c.add({ expiresAt: Date.now() + MINUTE })
    c.clock.tick(MINUTE)
    t.assert.strictEqual(await c.store.destroy(a), null)
    t.assert.deepStrictEqual(await c.store.destroyAll('u1'), [])
    t.assert.strictEqual(await c.store.get(b), null)
    t.assert.deepStrictEqual(await c.store.list('u1'), [])
  })

  await it('an entry created already expired is gone at once', async (t: TestContext, c: Case) => {
    const id = await c.add({ expiresAt: Date.now() })
    t.assert.strictEqual(await c.store.get(id), null)
    t.assert.deepStrictEqual(await c.store.list('u1'), [])
  })

  await it('expired entries do not count against the limit and are not reported as ended', async (t: TestContext, c: Case) => {
    await c.add({ expiresAt: Date.now() + MINUTE })
    await c.add({ expiresAt: Date.now() + MINUTE })
    const live = await c.add({ expiresAt: Date.now() + HOUR })
    c.clock.tick(MINUTE)
    const created = await c.store.create(c.session(), limit(2, 'refuse'))
    t.assert.ok(created !== null)
    t.assert.deepStrictEqual(created.ended, [])
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), [created.id, live].sort())
  })

  await it('revoke-oldest ends the least recently seen entry and returns it', async (t: TestContext, c: Case) => {
    const a = await c.add({ lastSeenAt: Date.now() - 3000 })
    const b = await c.add({ lastSeenAt: Date.now() - 1000 })
    const d = await c.add({ lastSeenAt: Date.now() - 2000 })
    const bEntry = await c.store.get(b)
    // seeing a again makes b the least recently seen
    t.assert.strictEqual(await c.store.update(a, { lastSeenAt: Date.now() }), true)
    t.assert.strictEqual(await c.store.update(d, { lastSeenAt: Date.now() - 500 }), true)
    const created = await c.store.create(c.session(), limit(3))
    t.assert.ok(created !== null)
    t.assert.deepStrictEqual(created.ended, [bEntry])
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), [a, d, created.id].sort())
    t.assert.strictEqual(await c.store.get(b), null)
  })

  await it('revoke-oldest breaks a tie of lastSeenAt by the oldest createdAt', async (t: TestContext, c: Case) => {
    const seen = Date.now()
    const young = await c.add({ lastSeenAt: seen, createdAt: seen - 10 })
    const old = await c.add({ lastSeenAt: seen, createdAt: seen - 20 })
    const created = await c.store.create(c.session({ lastSeenAt: seen }), limit(2))
    t.assert.deepStrictEqual(ids(created!.ended), [old])
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), [young, created!.id].sort())
  })

  await it('revoke-oldest ends as many as needed to leave maxPerUser entries', async (t: TestContext, c: Case) => {
    const made = []
    for (let i = 0; i < 5; i++) made.push(await c.add({ lastSeenAt: Date.now() - 5000 + i }))
    const created = await c.store.create(c.session(), limit(2))
    t.assert.deepStrictEqual(ids(created!.ended), made.slice(0, 4).sort())
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), [made[4], created!.id].sort())
  })

  await it('refuse returns null and changes nothing, not even the entry it would replace', async (t: TestContext, c: Case) => {
    const a = await c.add()
    const b = await c.add()
    const before = ids(await c.store.list('u1'))
    t.assert.strictEqual(await c.store.create(c.session(), limit(2, 'refuse')), null)
    // replacing a leaves b, one entry: refused under maxPerUser 1, and a is not ended
    t.assert.strictEqual(await c.store.create(c.session(), limit(1, 'refuse', a)), null)
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), before)
    t.assert.strictEqual((await c.store.get(a))?.id, a)
    t.assert.strictEqual((await c.store.get(b))?.id, b)
  })

  await it('below the limit, refuse and revoke-oldest both create', async (t: TestContext, c: Case) => {
    await c.add()
    t.assert.ok(await c.store.create(c.session(), limit(3, 'refuse')))
    t.assert.deepStrictEqual((await c.store.create(c.session(), limit(3)))!.ended, [])
    t.assert.strictEqual((await c.store.list('u1')).length, 3)
  })

  await it('replaces: the replaced entry is ended, returned, and not counted', async (t: TestContext, c: Case) => {
    const a = await c.add()
    const b = await c.add()
    const aEntry = await c.store.get(a)
    const created = await c.store.create(c.session(), limit(2, 'refuse', a))
    t.assert.ok(created !== null)
    t.assert.deepStrictEqual(created.ended, [aEntry])
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), [b, created.id].sort())
    t.assert.strictEqual(await c.store.get(a), null)
  })

  await it('replaces with revoke-oldest at the limit: the replaced one and the oldest others end', async (t: TestContext, c: Case) => {
    const old = await c.add({ lastSeenAt: Date.now() - 9000 })
    const replaced = await c.add({ lastSeenAt: Date.now() })
    const keep = await c.add({ lastSeenAt: Date.now() - 1000 })
    const created = await c.store.create(c.session(), limit(2, 'revoke-oldest', replaced))
    t.assert.deepStrictEqual(ids(created!.ended), [old, replaced].sort())
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), [keep, created!.id].sort())
  })

  await it('replaces ignores an entry of another user, an expired one, an unknown or malformed id', async (t: TestContext, c: Case) => {
    const theirs = await c.add({ userId: 'u2' })
    const expired = await c.add({ expiresAt: Date.now() + MINUTE })
    const mine = await c.add()
    c.clock.tick(MINUTE)
    for (const replaces of [theirs, expired, mine.slice(0, -1) + (mine.endsWith('A') ? 'B' : 'A'), '__proto__', 'x'.repeat(300)]) {
      const created = await c.store.create(c.session(), limit(null, 'revoke-oldest', replaces))
      t.assert.deepStrictEqual(created!.ended, [], replaces)
    }
    t.assert.strictEqual((await c.store.get(theirs))?.userId, 'u2')
    t.assert.strictEqual((await c.store.get(mine))?.id, mine)
  })

  await it('limits are per user: entries of other users are neither counted nor ended', async (t: TestContext, c: Case) => {
    const theirs = [await c.add({ userId: 'u2' }), await c.add({ userId: 'u2' })]
    const created = await c.store.create(c.session(), limit(1, 'refuse'))
    t.assert.ok(created !== null)
    const second = await c.store.create(c.session(), limit(1))
    t.assert.deepStrictEqual(ids(second!.ended), [created.id])
    t.assert.deepStrictEqual(ids(await c.store.list('u2')), theirs.sort())
  })

  await it('parallel creates of one user never leave more than maxPerUser live entries', async (t: TestContext, c: Case) => {
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) =>
      c.store.create(c.session({ lastSeenAt: Date.now() + i }), limit(3))))
    const live = await c.store.list('u1')
    t.assert.strictEqual(live.length, 3)
    const ended = results.flatMap((result) => result!.ended.map((entry) => entry.id))
    t.assert.strictEqual(ended.length, 57)
    t.assert.strictEqual(new Set([...ended, ...live.map((entry) => entry.id)]).size, 60)
    const refused = await Promise.all(Array.from({ length: 20 }, () => c.store.create(c.session(), limit(3, 'refuse'))))
    t.assert.deepStrictEqual(refused, Array(20).fill(null))
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), ids(live))
  })

  await it('update changes the given fields, sets null ones, and leaves undefined ones', async (t: TestContext, c: Case) => {
    const id = await c.add({ rememberHash: 'old', engineId: 'e1', rotatedAt: 5 })
    const before = (await c.store.get(id))!
    const changes = { lastSeenAt: Date.now() + 60_000.5, ip: '198.51.100.1', userAgent: undefined, rememberHash: null, previousRememberHash: 'old', rotatedAt: null, engineId: null }
    t.assert.strictEqual(await c.store.update(id, changes), true)
    t.assert.deepStrictEqual(await c.store.get(id), {
      ...before, lastSeenAt: changes.lastSeenAt, ip: '198.51.100.1', rememberHash: null, previousRememberHash: 'old', rotatedAt: null, engineId: null
    })
    t.assert.strictEqual(await c.store.update(id, { rememberHash: 'new', rotatedAt: 7, engineId: 'e2' }), true)
    t.assert.deepStrictEqual(await c.store.get(id), {
      ...before, lastSeenAt: changes.lastSeenAt, ip: '198.51.100.1', rememberHash: 'new', previousRememberHash: 'old', rotatedAt: 7, engineId: 'e2'
    })
    t.assert.strictEqual(await c.store.update(id, {}), true)
  })

  await it('update with expectRememberHash is a compare-and-set on rememberHash', async (t: TestContext, c: Case) => {
    const id = await c.add({ rememberHash: 'h1' })
    t.assert.strictEqual(await c.store.update(id, { rememberHash: 'h2', previousRememberHash: 'h1' }, 'h0'), false)
    t.assert.strictEqual(await c.store.update(id, { rememberHash: 'h2' }, null), false)
    t.assert.strictEqual((await c.store.get(id))!.rememberHash, 'h1')
    t.assert.strictEqual(await c.store.update(id, { rememberHash: 'h2', previousRememberHash: 'h1' }, 'h1'), true)
    t.assert.strictEqual(await c.store.update(id, { rememberHash: 'h3' }, 'h1'), false)
    t.assert.deepStrictEqual([(await c.store.get(id))!.rememberHash, (await c.store.get(id))!.previousRememberHash], ['h2', 'h1'])
    t.assert.strictEqual(await c.store.update(id, { rememberHash: null }, 'h2'), true)
    t.assert.strictEqual(await c.store.update(id, { rememberHash: 'h4' }, 'h2'), false)
    t.assert.strictEqual(await c.store.update(id, { rememberHash: 'h4' }, null), true)
    t.assert.strictEqual((await c.store.get(id))!.rememberHash, 'h4')
  })

  await it('parallel compare-and-sets with the same expected hash: exactly one applies', async (t: TestContext, c: Case) => {
    const id = await c.add({ rememberHash: 'h0' })
    const applied = await Promise.all(Array.from({ length: 20 }, (_, i) => c.store.update(id, { rememberHash: `h${i + 1}` }, 'h0')))
    t.assert.strictEqual(applied.filter(Boolean).length, 1)
    t.assert.strictEqual((await c.store.get(id))!.rememberHash, `h${applied.indexOf(true) + 1}`)
  })

  await it('update of expiresAt moves the expiry both ways', async (t: TestContext, c: Case) => {
    const id = await c.add({ expiresAt: Date.now() + 2 * MINUTE })
    const other = await c.add({ expiresAt: Date.now() + 2 * MINUTE })
    t.assert.strictEqual(await c.store.update(id, { expiresAt: Date.now() + 10 * MINUTE }), true)
    t.assert.strictEqual(await c.store.update(other, { expiresAt: Date.now() + MINUTE }), true)
    c.clock.tick(MINUTE)
    t.assert.strictEqual(await c.store.get(other), null)
    c.clock.tick(8 * MINUTE)
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), [id])
    t.assert.strictEqual((await c.store.get(id))!.expiresAt, Date.now() + MINUTE)
    c.clock.tick(MINUTE)
    t.assert.deepStrictEqual(await c.store.list('u1'), [])
  })

  await it('update to an expiresAt already past ends the entry', async (t: TestContext, c: Case) => {
    const id = await c.add()
    t.assert.strictEqual(await c.store.update(id, { expiresAt: Date.now() - 1 }), true)
    t.assert.strictEqual(await c.store.get(id), null)
    t.assert.deepStrictEqual(await c.store.list('u1'), [])
  })

  await it('update rejects changes that are not allowed or of the wrong type, with a coded error', async (t: TestContext, c: Case) => {
    const id = await c.add()
    const bad: unknown[] = [
      null, 'ip', { id: 'x' }, { userId: 'u2' }, { createdAt: 1 }, { unknown: 1 }, { __proto__: null, constructor: 1 },
      { lastSeenAt: '1' }, { lastSeenAt: NaN }, { lastSeenAt: Infinity }, { lastSeenAt: 1e300 }, { lastSeenAt: null },
      { ip: 1 }, { ip: null }, { userAgent: {} }, { rememberHash: 1 }, { rotatedAt: '1' }, { engineId: false }, { expiresAt: null }
    ]
    for (const changes of bad) {
      await t.assert.rejects(c.store.update(id, changes as never), INVALID, JSON.stringify(changes))
    }
    for (const expected of [1, {}, false]) {
      await t.assert.rejects(c.store.update(id, { ip: 'x' }, expected as never), INVALID)
    }
    t.assert.deepStrictEqual(await c.store.get(id), { id, ...c.session() })
  })

  await it('list returns the live entries of one user only; an unknown user has none', async (t: TestContext, c: Case) => {
    const a = await c.add()
    const b = await c.add()
    const theirs = await c.add({ userId: 'u2' })
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), [a, b].sort())
    t.assert.deepStrictEqual(ids(await c.store.list('u2')), [theirs])
    t.assert.deepStrictEqual((await c.store.list('u1')).find((entry) => entry.id === a), await c.store.get(a))
    for (const userId of ['u3', '', 'U1', 'u1 ', '__proto__', 'constructor', 1, null, undefined, {}]) {
      t.assert.deepStrictEqual(await c.store.list(userId as string), [], String(userId))
    }
  })

  await it('user ids such as __proto__ and constructor are ordinary ids', async (t: TestContext, c: Case) => {
    const proto = await c.add({ userId: '__proto__' })
    const ctor = await c.add({ userId: 'constructor' })
    t.assert.deepStrictEqual(ids(await c.store.list('__proto__')), [proto])
    t.assert.deepStrictEqual(ids(await c.store.destroyAll('constructor')), [ctor])
    t.assert.strictEqual((await c.store.get(proto))!.userId, '__proto__')
  })

  await it('list prunes expired entries and keeps the rest across many users', async (t: TestContext, c: Case) => {
    const short = await c.add({ expiresAt: Date.now() + MINUTE })
    const long = await c.add({ expiresAt: Date.now() + 2 * MINUTE })
    c.clock.tick(MINUTE)
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), [long])
    t.assert.strictEqual(await c.store.get(short), null)
    c.clock.tick(MINUTE)
    t.assert.deepStrictEqual(await c.store.list('u1'), [])
    const again = await c.add()
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), [again])
  })

  await it('destroy removes the entry and returns it once; other entries stay', async (t: TestContext, c: Case) => {
    const id = await c.add()
    const other = await c.add()
    const entry = await c.store.get(id)
    t.assert.deepStrictEqual(await c.store.destroy(id), entry)
    t.assert.strictEqual(await c.store.destroy(id), null)
    t.assert.strictEqual(await c.store.get(id), null)
    t.assert.strictEqual(await c.store.update(id, { ip: 'x' }), false)
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), [other])
  })

  await it('destroyAll ends every entry of the user except exceptId, and returns them', async (t: TestContext, c: Case) => {
    const keep = await c.add()
    const a = await c.add()
    const b = await c.add()
    const theirs = await c.add({ userId: 'u2' })
    const entries = [await c.store.get(a), await c.store.get(b)]
    const ended = await c.store.destroyAll('u1', keep)
    t.assert.deepStrictEqual(ended.sort((x, y) => x.id < y.id ? -1 : 1), entries.sort((x, y) => x!.id < y!.id ? -1 : 1))
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), [keep])
    t.assert.deepStrictEqual(ids(await c.store.list('u2')), [theirs])
    // exceptId of another user keeps nothing of this one
    t.assert.deepStrictEqual(ids(await c.store.destroyAll('u1', theirs)), [keep])
    t.assert.deepStrictEqual(ids(await c.store.list('u2')), [theirs])
  })

  await it('destroyAll without exceptId (or with null, or a malformed one) ends all; an unknown user ends none', async (t: TestContext, c: Case) => {
    for (const exceptId of [undefined, null, '__proto__', 1]) {
      const made = [await c.add(), await c.add()]
      t.assert.deepStrictEqual(ids(await c.store.destroyAll('u1', exceptId as string)), made.sort(), String(exceptId))
      t.assert.deepStrictEqual(await c.store.list('u1'), [])
    }
    for (const userId of ['nobody', '__proto__', 7, null]) {
      t.assert.deepStrictEqual(await c.store.destroyAll(userId as string), [])
    }
  })

  await it('malformed and unknown ids are nothing: null or false, never a throw', async (t: TestContext, c: Case) => {
    const id = await c.add()
    const unknown = [...MALFORMED_IDS, id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A'), id + 'x', id.toUpperCase() === id ? id.toLowerCase() : id.toUpperCase()]
    for (const bad of unknown) {
      const label = typeof bad === 'symbol' ? 'a symbol' : JSON.stringify(bad)?.slice(0, 40) ?? 'undefined'
      t.assert.strictEqual(await c.store.get(bad as string), null, label)
      t.assert.strictEqual(await c.store.update(bad as string, { ip: 'x' }), false, label)
      t.assert.strictEqual(await c.store.update(bad as string, { ip: 'x' }, null), false, label)
      t.assert.strictEqual(await c.store.destroy(bad as string), null, label)
    }
    t.assert.deepStrictEqual(await c.store.get(id), { id, ...c.session() })
  })

  await it('create rejects a malformed session or limit with a coded error, and creates nothing', async (t: TestContext, c: Case) => {
    const good = c.session()
    const sessions: unknown[] = [
      null, 'session', 1,
      { ...good, userId: '' }, { ...good, userId: 1 }, { ...good, userId: undefined },
      { ...good, createdAt: '1' }, { ...good, lastSeenAt: NaN }, { ...good, expiresAt: undefined }, { ...good, expiresAt: -Infinity },
      { ...good, ip: null }, { ...good, userAgent: 1 }, { ...good, rememberHash: undefined }, { ...good, previousRememberHash: 1 },
      { ...good, rotatedAt: 'now' }, { ...good, engineId: {} }
    ]
    for (const session of sessions) {
      await t.assert.rejects(c.store.create(session as NewStoredSession, NO_LIMIT), INVALID, JSON.stringify(session))
    }
    const limits: unknown[] = [
      null, 3, {}, { ...NO_LIMIT, maxPerUser: 0 }, { ...NO_LIMIT, maxPerUser: -1 }, { ...NO_LIMIT, maxPerUser: 1.5 },
      { ...NO_LIMIT, maxPerUser: '3' }, { ...NO_LIMIT, maxPerUser: undefined }, { ...NO_LIMIT, maxPerUser: Infinity },
      { ...NO_LIMIT, onLimit: 'drop' }, { ...NO_LIMIT, onLimit: undefined }
    ]
    for (const bad of limits) {
      await t.assert.rejects(c.store.create(good, bad as SessionLimit), INVALID, JSON.stringify(bad))
    }
    t.assert.deepStrictEqual(await c.store.list('u1'), [])
  })

  await it('a create with the origin of a live entry of the same user and remember hash joins it, even at the limit', async (t: TestContext, c: Case) => {
    const first = await c.store.create(c.session({ rememberHash: 'r1' }), { ...limit(1, 'refuse'), origin: 'cookie-digest_1' })
    t.assert.ok(first !== null)
    const second = await c.store.create(c.session({ rememberHash: 'r1' }), { ...limit(1, 'refuse'), origin: 'cookie-digest_1' })
    t.assert.deepStrictEqual(second, { id: first.id, ended: [] })
    const plain = await c.store.create(c.session(), { ...limit(null), origin: 'cookie-digest_2' })
    t.assert.deepStrictEqual(await c.store.create(c.session(), { ...limit(null), origin: 'cookie-digest_2' }), { id: plain!.id, ended: [] })
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), [first.id, plain!.id].sort())
  })

  await it('no join for another user, origin or remember hash, an ended entry, or an origin that is not a digest', async (t: TestContext, c: Case) => {
    const origin = 'cookie-digest'
    const first = (await c.store.create(c.session({ rememberHash: 'r1' }), { ...limit(null), origin }))!.id
    const made = [first]
    const again = async (session: NewStoredSession, from: unknown): Promise<void> => {
      const created = await c.store.create(session, { ...limit(null), origin: from } as SessionLimit)
      t.assert.ok(created !== null && !made.includes(created.id), JSON.stringify([session.userId, session.rememberHash, from]))
      made.push(created.id)
    }
    await again(c.session({ userId: 'u2', rememberHash: 'r1' }), origin)
    await again(c.session({ rememberHash: 'r1' }), 'another-digest')
    await again(c.session({ rememberHash: 'r2' }), origin)
    await again(c.session({ rememberHash: null }), origin)
    for (const from of ['', 'a b', 'x:y', 'x'.repeat(65), 42, null, undefined]) await again(c.session({ rememberHash: 'r1' }), from)
    // the last create from `origin` (rememberHash null) holds it now; once that entry ends, a new one is made
    await c.store.destroyAll('u1')
    await again(c.session({ rememberHash: null }), origin)
  })

  await it('the auth digest is stored as given, absent reads as null, and update cannot change it', async (t: TestContext, c: Case) => {
    const id = await c.add({ authDigest: 'digest-of-the-auth-hash' })
    t.assert.strictEqual((await c.store.get(id))?.authDigest, 'digest-of-the-auth-hash')
    const { authDigest: _left, ...older } = c.session()
    const created = await c.store.create(older, NO_LIMIT)
    t.assert.strictEqual((await c.store.get(created!.id))?.authDigest, null)
    await t.assert.rejects(c.store.update(id, { authDigest: 'other' } as never), INVALID)
    await t.assert.rejects(c.store.create(c.session({ authDigest: 1 as never }), NO_LIMIT), INVALID)
  })

  await it('entries with another auth digest are not counted against the limit, and a create ends them', async (t: TestContext, c: Case) => {
    const stale = [await c.add({ authDigest: 'old', lastSeenAt: Date.now() - 10 }), await c.add({ authDigest: 'old' })]
    const legacy = await c.add({ authDigest: null, lastSeenAt: Date.now() - 5 }) // made without a digest: never stale
    const created = await c.store.create(c.session({ authDigest: 'new' }), limit(2, 'refuse'))
    t.assert.ok(created !== null)
    t.assert.deepStrictEqual(ids(created.ended), stale.sort())
    t.assert.deepStrictEqual(ids(await c.store.list('u1')), [legacy, created.id].sort())
    t.assert.strictEqual(await c.store.create(c.session({ authDigest: 'new' }), limit(2, 'refuse')), null, 'current ones count')
    const other = await c.add({ authDigest: 'older' })
    t.assert.strictEqual(await c.store.create(c.session({ authDigest: null }), limit(3, 'refuse')), null, 'a login without a digest judges none stale')
    const refused = await c.store.create(c.session({ authDigest: 'new' }), limit(1, 'refuse'))
    t.assert.strictEqual(refused, null, 'a refused create ends nothing')
    t.assert.strictEqual((await c.store.get(other))?.id, other)
    const evicting = await c.store.create(c.session({ authDigest: 'new', lastSeenAt: Date.now() + 1 }), limit(2))
    t.assert.deepStrictEqual(ids(evicting!.ended), [other, legacy].sort(), 'the stale one ends as well as the oldest current one')
  })

  await it('rotate (optional): the current token rotates once, the previous one is in its grace, any other is theft', async (t: TestContext, c: Case) => {
    if (c.store.rotate === undefined) return
    const id = await c.add({ rememberHash: 'h1' })
    const seen = { lastSeenAt: Date.now() + 1000, ip: '198.51.100.9', expiresAt: Date.now() + 2 * HOUR }
    const rotations = await Promise.all([1, 2, 3].map(() => c.store.rotate!(id, { presented: 'h1', next: 'h2', graceMs: MINUTE, changes: seen })))
    t.assert.deepStrictEqual(rotations.sort(), ['grace', 'grace', 'rotated'], 'one of parallel rotations wins')
    const rotated = (await c.store.get(id))!
    t.assert.deepStrictEqual({ ...rotated, rotatedAt: typeof rotated.rotatedAt }, { ...c.session(), id, rememberHash: 'h2', previousRememberHash: 'h1', rotatedAt: 'number', ...seen })
    t.assert.strictEqual(await c.store.rotate(id, { presented: 'h2', next: null, graceMs: MINUTE, changes: {} }), 'current')
    t.assert.strictEqual(await c.store.rotate(id, { presented: 'h1', next: 'h3', graceMs: MINUTE, changes: {} }), 'grace')
    t.assert.strictEqual(await c.store.rotate(id, { presented: 'other', next: 'h3', graceMs: MINUTE, changes: {} }), 'theft')
    t.assert.deepStrictEqual(await c.store.get(id), rotated, 'judging writes nothing')
    // the grace is judged by the store's clock (Redis: TIME; memory: Date.now()): let both move on
    c.clock.tick(20)
    await sleep(20)
    t.assert.strictEqual(await c.store.rotate(id, { presented: 'h1', next: null, graceMs: 10, changes: {} }), 'theft')
  })

  await it('rotate (optional): gone for an unknown, malformed or expired id; a wrong rotation is a coded error', async (t: TestContext, c: Case) => {
    if (c.store.rotate === undefined) return
    const id = await c.add({ rememberHash: 'h1', expiresAt: Date.now() + MINUTE })
    const judge = { presented: 'h1', next: null, graceMs: 0, changes: {} }
    for (const bad of ['unknown', ...MALFORMED_IDS]) t.assert.strictEqual(await c.store.rotate(bad as string, judge), 'gone', String(bad))
    for (const rotation of [null, { ...judge, presented: '' }, { ...judge, next: 1 }, { ...judge, graceMs: -1 }, { ...judge, graceMs: '1' }, { ...judge, changes: { rememberHash: 'x' } }, { ...judge, changes: null }]) {
      await t.assert.rejects(c.store.rotate(id, rotation as never), INVALID, JSON.stringify(rotation))
    }
    c.clock.tick(MINUTE)
    t.assert.strictEqual(await c.store.rotate(id, judge), 'gone')
  })
}
