// sessions.recheckEvery: what no call announces (the auth hash changing, the user gone or
// inactive, a timeout, a store without notifications) closes a connection at the next recheck;
// a store outage alone closes nothing; a round reads each session once, not each connection.
import { test, type TestContext } from 'node:test'
import { memorySessionStore, type SessionStore, type StoredSession } from 'fastify-login'
import { liveApp, loggedIn, openSocket } from '../helpers/live.js'
import { HashedUser } from '../helpers/users.js'

const RECHECK = { recheckEvery: 0.05 }

/** An application's own store (no notifications) over a memory store; `get` can be made to fail. */
function ownStore () {
  const inner = memorySessionStore()
  const reads: string[][] = []
  let batch: string[] | null = null
  let failing = false
  let onFailedRead: (() => void) | null = null
  const store: SessionStore = {
    create: async (session, limit) => await inner.create(session, limit),
    get: async (id): Promise<StoredSession | null> => {
      if (batch === null) {
        batch = []
        reads.push(batch)
        queueMicrotask(() => { batch = null })
      }
      batch.push(id)
      if (failing) {
        onFailedRead?.()
        throw new Error('store down')
      }
      return await inner.get(id)
    },
    update: async (id, changes, expected) => await inner.update(id, changes, expected),
    list: async (userId) => await inner.list(userId),
    destroy: async (id) => await inner.destroy(id),
    destroyAll: async (userId, exceptId) => await inner.destroyAll(userId, exceptId)
  }
  return {
    store,
    inner,
    reads,
    /** Makes reads fail until `up()`; resolves after `count` failed reads. */
    down: async (count: number): Promise<void> => {
      failing = true
      let seen = 0
      await new Promise<void>((resolve) => { onFailedRead = () => { if (++seen === count) resolve() } })
    },
    up: () => { failing = false }
  }
}

test('the user\'s auth hash changed: the socket closes with "stale", the session ends in the store, sessionEnded fires', async (t: TestContext) => {
  const app = await liveApp(t, { sessions: RECHECK })
  const user = new HashedUser('5', 'Alex', 'first password')
  app.users.set('5', user)
  const ended: unknown[] = []
  app.app.loginManager.on('sessionEnded', (...args) => ended.push(args))
  const socket = await openSocket(app, '/live', await loggedIn(app, '5'))
  const [sid] = (await app.store.list('5')).map((entry) => entry.id)
  user.passwordHash = 'second password'
  t.assert.deepStrictEqual(await socket.closed, { code: 3000, reason: 'stale' })
  t.assert.deepStrictEqual(ended, [[sid, '5', 'stale']])
  t.assert.deepStrictEqual(await app.store.list('5'), [])
})

test('the user no longer loads, or is inactive: "stale"', async (t: TestContext) => {
  const app = await liveApp(t, { sessions: RECHECK })
  const gone = await openSocket(app, '/live', await loggedIn(app, '1'))
  const inactive = await openSocket(app, '/live', await loggedIn(app, '2'))
  app.users.delete('1')
  ;(app.users.get('2') as { active: boolean }).active = false
  t.assert.deepStrictEqual(await gone.closed, { code: 3000, reason: 'stale' })
  t.assert.deepStrictEqual(await inactive.closed, { code: 3000, reason: 'stale' })
})

test('idleTimeout passing with no HTTP request: the socket closes with "expired" (an open connection is not activity)', async (t: TestContext) => {
  const app = await liveApp(t, { idleTimeout: 1, sessions: RECHECK })
  const ended: unknown[] = []
  app.app.loginManager.on('sessionEnded', (_sid, userId, reason) => ended.push([userId, reason]))
  const socket = await openSocket(app, '/live', await loggedIn(app))
  t.assert.deepStrictEqual(await socket.closed, { code: 3000, reason: 'expired' })
  t.assert.deepStrictEqual(ended, [['1', 'expired']])
})

test('a store without notifications: a revocation through another registration closes the socket at the next recheck', async (t: TestContext) => {
  const own = ownStore()
  const a = await liveApp(t, { sessions: { ...RECHECK, store: own.store } })
  const b = await liveApp(t, { sessions: { store: own.store } })
  const socket = await openSocket(a, '/live', await loggedIn(a))
  t.assert.strictEqual(await b.app.loginManager.revokeAllSessions('1'), 1)
  t.assert.deepStrictEqual(await socket.closed, { code: 3000, reason: 'expired' })
})

test('a store outage alone closes nothing; a session ended during it is closed at the first successful recheck', async (t: TestContext) => {
  const own = ownStore()
  const app = await liveApp(t, { sessions: { ...RECHECK, store: own.store } })
  const ended = await openSocket(app, '/live', await loggedIn(app))
  const kept = await openSocket(app, '/live', await loggedIn(app))
  await own.down(4) // two rounds failed for both sessions
  t.assert.strictEqual(await ended.echo('during'), 'echo during')
  t.assert.strictEqual(await kept.echo('during'), 'echo during')
  // ended in the store while it was unreachable for the app (no call of the app announced it)
  const [victim] = await own.inner.list('1')
  await own.inner.destroy((victim as StoredSession).id)
  own.up()
  const closed = await Promise.race([ended.closed.then((how) => ['ended', how]), kept.closed.then((how) => ['kept', how])])
  t.assert.deepStrictEqual(closed[1], { code: 3000, reason: 'expired' })
  const survivor = closed[0] === 'ended' ? kept : ended
  t.assert.strictEqual(await survivor.echo('after'), 'echo after')
})

test('a recheck round reads each session once, however many connections it has', async (t: TestContext) => {
  const own = ownStore()
  const app = await liveApp(t, { sessions: { ...RECHECK, store: own.store } })
  const phone = await loggedIn(app)
  const laptop = await loggedIn(app)
  const sockets = await Promise.all([phone, phone, phone, laptop].map(async (browser) => await openSocket(app, '/live', browser)))
  const ids = (await own.inner.list('1')).map((entry) => entry.id).sort()
  const start = own.reads.length
  await own.down(2)
  own.up()
  const round = own.reads[start] as string[]
  t.assert.deepStrictEqual([...round].sort(), ids)
  for (const socket of sockets) t.assert.strictEqual(await socket.echo('ok'), 'echo ok')
})

test('sessions.recheckEvery must be a positive number', async (t: TestContext) => {
  for (const recheckEvery of [0, -1, Number.NaN, '60', Infinity]) {
    await t.assert.rejects(liveApp(t, { sessions: { recheckEvery } as never }), { code: 'FST_LOGIN_INVALID_OPTION', message: /sessions\.recheckEvery/ })
  }
})
