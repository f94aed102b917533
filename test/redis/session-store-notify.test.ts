// redisSessionStore's notifications (announce / subscribe: Redis pub/sub) against real Redis, on
// node-redis and ioredis, on a redis-server and on a 3-master Redis Cluster: what one store
// announces every store of the same prefix hears, garbled messages are dropped, the subscriber
// connection closes with the last listener, comes back after a reconnect, and one that cannot
// connect delays nothing. Every wait is a hang guard, never a measure.
import { test, type TestContext } from 'node:test'
import { once } from 'node:events'
import { PassThrough } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify from 'fastify'
import { Cluster, Redis } from 'ioredis'
import { createClient, createCluster } from 'redis'
import fastifyLogin, { redisSessionStore, type SessionEndNotice, type SessionStore } from 'fastify-login'
import { startRedisCluster } from '../helpers/redis-cluster.js'
import { startRedisServer } from '../helpers/redis-server.js'
import { connectNodes, pubSubConnections, subscribers, until, type Raw } from '../helpers/redis/live-pair.js'

type Kind = 'node-redis' | 'ioredis' | 'ioredis (lazyConnect)'
const KINDS: Kind[] = ['node-redis', 'ioredis', 'ioredis (lazyConnect)']
const ID = 'AbCdEfGh.0123456789abcdefghijklmn'
const notice = (n: number, reason: SessionEndNotice['reason'] = 'revoked'): SessionEndNotice => ({ id: `${ID}${n}`, userId: `user-${n}`, reason })

async function client (t: TestContext, kind: Kind, url: string, connect = true): Promise<unknown> {
  if (kind === 'node-redis') {
    const redis = createClient({ url, socket: { reconnectStrategy: () => 100 } })
    redis.on('error', () => {})
    if (connect) await redis.connect()
    t.after(() => { redis.destroy() })
    return redis
  }
  const redis = new Redis(url, { lazyConnect: kind !== 'ioredis', retryStrategy: () => 100, maxRetriesPerRequest: 0 })
  redis.on('error', () => {})
  if (connect && kind !== 'ioredis') await redis.connect()
  if (connect && kind === 'ioredis') await once(redis, 'ready')
  t.after(() => { redis.disconnect() })
  return redis
}

/** A listener that keeps what it hears, and a way to wait for it. */
function hearing () {
  const heard: SessionEndNotice[] = []
  return {
    listener: (ended: SessionEndNotice) => { heard.push(ended) },
    /** The first `count` notices not yet taken. */
    async next (count = 1): Promise<SessionEndNotice[]> {
      await until(`${count} notice(s) heard`, async () => heard.length >= count)
      return heard.splice(0, count)
    },
    heard
  }
}

/** Subscribes `stores` (each its own listener); resolves once Redis counts them on their channel. */
async function listen (nodes: Raw[], prefix: string, stores: SessionStore[]) {
  const ears = stores.map(() => hearing())
  const stops = await Promise.all(stores.map(async (store, i) => await store.subscribe!(ears[i]!.listener)))
  await until('every store subscribed', async () => await subscribers({ nodes }, `${prefix}ended`) === stores.length)
  return { ears, stop: async () => { await Promise.all(stops.map(async (stop) => await stop())) } }
}

/** fastify-login's `process.emitWarning` messages while the test runs. */
function warnings (t: TestContext): string[] {
  const seen: string[] = []
  const onWarning = (warning: Error): void => { if (warning.message.startsWith('fastify-login')) seen.push(warning.message) }
  process.on('warning', onWarning)
  t.after(() => { process.off('warning', onWarning) })
  return seen
}

let prefixes = 0
const newPrefix = (): string => `notify-${process.pid}-${++prefixes}:`

/** Two stores of one prefix (each its own client) hear each other; a store of another prefix hears neither. */
async function heardByItsPrefixOnly (t: TestContext, nodes: Raw[], make: () => Promise<unknown>): Promise<void> {
  const [prefix, otherPrefix] = [newPrefix(), newPrefix()]
  const [a, b, other] = [redisSessionStore(await make(), { prefix }), redisSessionStore(await make(), { prefix }), redisSessionStore(await make(), { prefix: otherPrefix })]
  const mine = await listen(nodes, prefix, [a, b])
  const theirs = await listen(nodes, otherPrefix, [other])
  await a.announce!([notice(1, 'logout'), notice(2, 'theft')])
  await other.announce!([notice(3)])
  for (const ear of mine.ears) t.assert.deepStrictEqual(await ear.next(2), [notice(1, 'logout'), notice(2, 'theft')])
  t.assert.deepStrictEqual(await theirs.ears[0]!.next(), [notice(3)], 'the other prefix heard only its own')
  t.assert.deepStrictEqual(mine.ears.map((ear) => ear.heard), [[], []])
  t.assert.strictEqual(await pubSubConnections({ nodes }), 3, 'one subscriber connection per store')
  await Promise.all([mine.stop(), theirs.stop()])
  await until('the subscriber connections closed', async () => await pubSubConnections({ nodes }) === 0)
}

test('redisSessionStore notifications on a redis-server', async (t: TestContext) => {
  const redis = await startRedisServer()
  t.after(() => redis.stop())
  const suite = t
  const nodes = await connectNodes(suite, [redis.url])

  for (const kind of KINDS) {
    await t.test(`${kind}: an announce is heard by every store of the prefix (its own too), and by no other prefix`, async (t: TestContext) => {
      await heardByItsPrefixOnly(t, nodes, async () => await client(t, kind, redis.url))
    })
  }

  await t.test('garbled or hostile messages are dropped whole, never a crash; the next good one is heard', async (t: TestContext) => {
    const prefix = newPrefix()
    const store = redisSessionStore(await client(t, 'node-redis', redis.url), { prefix })
    const { ears: [ear], stop } = await listen(nodes, prefix, [store])
    const good = [ID, 'user', 'revoked']
    const junk: unknown[] = [
      'not json', '', '{}', 'null', '[1]', '[2, []]', '[1, {}]', '[1, [], 3]',
      [1, [good, ['bad id!', 'user', 'revoked']]], [1, [[ID, '', 'revoked']]], [1, [[ID, 7, 'revoked']]],
      [1, [[ID, 'user', 'bored']]], [1, [[ID, 'user']]], [1, [good, 'x']], [1, [null]], [1, Array(101).fill(good)],
      JSON.stringify([1, [good]]) + ' '.repeat(1 << 20)
    ]
    for (const message of junk) {
      await nodes[0]!(['PUBLISH', `${prefix}ended`, typeof message === 'string' ? message : JSON.stringify(message)])
    }
    await store.announce!([notice(4)])
    t.assert.deepStrictEqual(await ear!.next(), [notice(4)], 'the first notice heard is the good one')
    await stop()
  })

  await t.test('many ended sessions go out in messages of at most 100, heard in order; an empty announce sends nothing', async (t: TestContext) => {
    const prefix = newPrefix()
    const store = redisSessionStore(await client(t, 'ioredis', redis.url), { prefix })
    const { ears: [ear], stop } = await listen(nodes, prefix, [store])
    const raw = createClient({ url: redis.url })
    await raw.connect()
    t.after(() => { raw.destroy() })
    const messages: string[] = []
    await raw.subscribe(`${prefix}ended`, (message) => { messages.push(message) })
    const all = Array.from({ length: 250 }, (_, i) => notice(i))
    await store.announce!([])
    await store.announce!(all)
    t.assert.deepStrictEqual(await ear!.next(250), all)
    t.assert.deepStrictEqual(messages.map((message) => (JSON.parse(message) as [number, unknown[]])[1].length), [100, 100, 50])
    await stop()
  })

  await t.test('announce and subscribe refuse what is not notices or a function, with a coded error', async (t: TestContext) => {
    const store = redisSessionStore(await client(t, 'node-redis', redis.url), { prefix: newPrefix() })
    for (const bad of ['x', [null], [{ id: 'no spaces allowed', userId: 'u', reason: 'revoked' }], [{ id: ID, userId: 'u', reason: 'bored' }]]) {
      await t.assert.rejects(store.announce!(bad as SessionEndNotice[]), { code: 'FST_LOGIN_INVALID_VALUE' })
    }
    await t.assert.rejects(store.subscribe!('listener' as unknown as () => void), { code: 'FST_LOGIN_INVALID_VALUE' })
  })

  await t.test('a listener that throws is warned about, and the other listeners still hear', async (t: TestContext) => {
    const seen = warnings(t)
    const prefix = newPrefix()
    const store = redisSessionStore(await client(t, 'node-redis', redis.url), { prefix })
    const stopThrowing = await store.subscribe!(() => { throw new Error('listener bug') })
    const { ears: [ear], stop } = await listen(nodes, prefix, [store])
    await store.announce!([notice(5)])
    t.assert.deepStrictEqual(await ear!.next(), [notice(5)])
    await until('the warning', async () => seen.length > 0)
    t.assert.match(seen[0]!, /fastify-login: redisSessionStore notifications: Error: listener bug/)
    await Promise.all([stop(), stopThrowing()])
  })

  await t.test('the subscriptions of one store share one connection, closed with the last; stopping twice is harmless', async (t: TestContext) => {
    const prefix = newPrefix()
    const store = redisSessionStore(await client(t, 'node-redis', redis.url), { prefix })
    const first = hearing()
    const stopFirst = await store.subscribe!(first.listener)
    const stopSecond = await store.subscribe!(first.listener)
    await until('subscribed', async () => await subscribers({ nodes }, `${prefix}ended`) === 1)
    await store.announce!([notice(6)])
    t.assert.deepStrictEqual(await first.next(2), [notice(6), notice(6)], 'the same function subscribed twice hears twice')
    await stopFirst()
    await stopFirst()
    t.assert.strictEqual(await subscribers({ nodes }, `${prefix}ended`), 1, 'still subscribed for the second subscription')
    await stopSecond()
    await until('the subscriber connection closed', async () => await pubSubConnections({ nodes }) === 0)
  })

  for (const kind of KINDS) {
    await t.test(`${kind}: after its connection is killed (CLIENT KILL), the subscriber subscribes again and hears`, async (t: TestContext) => {
      const prefix = newPrefix()
      const store = redisSessionStore(await client(t, kind, redis.url), { prefix })
      const { ears: [ear], stop } = await listen(nodes, prefix, [store])
      await nodes[0]!(['CLIENT', 'KILL', 'TYPE', 'pubsub'])
      await until('subscribed again', async () => await subscribers({ nodes }, `${prefix}ended`) === 1)
      await store.announce!([notice(7)])
      t.assert.deepStrictEqual(await ear!.next(), [notice(7)])
      await stop()
    })
  }

  await t.test('Redis ACL: a user without the channel is refused (warned once; announce rejects); the rules the docs give make both work', async (t: TestContext) => {
    const seen = warnings(t)
    const prefix = newPrefix()
    await nodes[0]!(['ACL', 'SETUSER', 'app', 'on', '>app-password', '~*', '+@all', '-subscribe', '-unsubscribe', '-publish', 'resetchannels'])
    const url = `redis://app:app-password@127.0.0.1:${redis.port}`
    const refused = redisSessionStore(await client(t, 'node-redis', url), { prefix })
    const stopRefused = await refused.subscribe!(() => {})
    await until('the warning', async () => seen.length > 0)
    t.assert.match(seen[0]!, /NOPERM/)
    await t.assert.rejects(refused.announce!([notice(11)]), /NOPERM/)
    await stopRefused()
    // docs/session-engines-and-redis.md, "Redis ACL", for this prefix
    await nodes[0]!(['ACL', 'SETUSER', 'app', `&${prefix}ended`, '+subscribe', '+unsubscribe', '+publish'])
    for (const kind of KINDS) {
      const store = redisSessionStore(await client(t, kind, url), { prefix })
      const { ears: [ear], stop } = await listen(nodes, prefix, [store])
      await store.announce!([notice(12)])
      t.assert.deepStrictEqual(await ear!.next(), [notice(12)], kind)
      await stop()
    }
  })

  for (const kind of KINDS) {
    await t.test(`${kind}: with Redis down, subscribe resolves at once and warns once; the subscriber hears once Redis is back`, async (t: TestContext) => {
      const seen = warnings(t)
      const prefix = newPrefix()
      await redis.stop()
      const store = redisSessionStore(await client(t, kind, redis.url, false), { prefix })
      const ear = hearing()
      const stop = await store.subscribe!(ear.listener)
      await until('a warning', async () => seen.length > 0)
      await sleep(500) // several failed attempts: still one warning
      await redis.restart()
      const fresh = await connectNodes(suite, [redis.url])
      await until('subscribed once Redis is back', async () => await subscribers({ nodes: fresh }, `${prefix}ended`) === 1)
      await redisSessionStore(await client(t, 'node-redis', redis.url), { prefix }).announce!([notice(8)])
      t.assert.deepStrictEqual(await ear.next(), [notice(8)])
      t.assert.strictEqual(seen.length, 1, seen.join('\n'))
      t.assert.match(seen[0]!, /fastify-login: redisSessionStore notifications/)
      await stop()
      nodes.splice(0, 1, ...fresh)
    })
  }

  await t.test('node-redis without reconnecting: a subscriber that cannot connect is warned about once; stopping it is harmless', async (t: TestContext) => {
    const seen = warnings(t)
    const closed = createClient({ url: 'redis://127.0.0.1:1', socket: { reconnectStrategy: false } })
    closed.on('error', () => {})
    const stop = await redisSessionStore(closed, { prefix: newPrefix() }).subscribe!(() => {})
    await until('a warning', async () => seen.length > 0)
    await stop()
    t.assert.strictEqual(seen.length, 1)
  })

  await t.test('an app whose Redis is down starts, serves HTTP and logs the warning; it closes cleanly', async (t: TestContext) => {
    const log = new PassThrough()
    const lines: string[] = []
    log.on('data', (chunk: Buffer) => { lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)) })
    const down = createClient({ url: 'redis://127.0.0.1:1', socket: { reconnectStrategy: () => 100 } })
    down.on('error', () => {})
    const app = Fastify({ logger: { level: 'warn', stream: log } })
    await app.register(fastifyLogin, { secret: 'a-test-secret-that-is-32-bytes-long!!', userLoader: () => null, sessions: { store: redisSessionStore(down, { prefix: newPrefix() }) } })
    app.get('/public', async () => ({ ok: true }))
    await app.ready()
    t.assert.deepStrictEqual((await app.inject('/public')).json(), { ok: true })
    await until('the warning in the app\'s log', async () => lines.some((line) => line.includes('the store\'s notifications failed')))
    await app.close()
  })
})

test('redisSessionStore notifications on a Redis Cluster of three masters', async (t: TestContext) => {
  const cluster = await startRedisCluster(t)
  const nodes = await connectNodes(t, cluster.urls)
  const rootNodes = cluster.ports.map((port) => ({ url: `redis://127.0.0.1:${port}` }))

  const nodeRedis = async (t: TestContext, connect = true) => {
    const redis = createCluster({ rootNodes })
    redis.on('error', () => {})
    if (connect) await redis.connect()
    t.after(() => { redis.destroy() })
    return redis
  }
  const ioredis = async (t: TestContext): Promise<Cluster> => {
    const redis = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })))
    redis.on('error', () => {})
    await once(redis, 'ready')
    t.after(() => { redis.disconnect() })
    return redis
  }

  await t.test('node-redis cluster: heard by every store of the prefix, on the cluster\'s own pub/sub connection', async (t: TestContext) => {
    await heardByItsPrefixOnly(t, nodes, async () => await nodeRedis(t))
  })
  await t.test('ioredis Cluster: heard by every store of the prefix, on its duplicate\'s subscriber connection', async (t: TestContext) => {
    await heardByItsPrefixOnly(t, nodes, async () => await ioredis(t))
  })

  await t.test('a node-redis cluster the application connects after subscribing: heard once it is connected', async (t: TestContext) => {
    const prefix = newPrefix()
    const late = await nodeRedis(t, false)
    const store = redisSessionStore(late, { prefix })
    const ear = hearing()
    const stop = await store.subscribe!(ear.listener)
    await late.connect()
    await until('subscribed', async () => await subscribers({ nodes }, `${prefix}ended`) === 1)
    await store.announce!([notice(9)])
    t.assert.deepStrictEqual(await ear.next(), [notice(9)])
    await stop()
  })

  await t.test('a node-redis cluster the application closed first: stopping still resolves, nothing left open', async (t: TestContext) => {
    const prefix = newPrefix()
    const redis = await nodeRedis(t)
    const { stop } = await listen(nodes, prefix, [redisSessionStore(redis, { prefix })])
    redis.destroy()
    await stop()
    await until('no subscriber connection', async () => await pubSubConnections({ nodes }) === 0)
  })

  await t.test('both cluster clients subscribe again after their connections are killed (CLIENT KILL on every node)', async (t: TestContext) => {
    const prefix = newPrefix()
    const stores = [redisSessionStore(await nodeRedis(t), { prefix }), redisSessionStore(await ioredis(t), { prefix })]
    const { ears, stop } = await listen(nodes, prefix, stores)
    await Promise.all(nodes.map(async (node) => await node(['CLIENT', 'KILL', 'TYPE', 'pubsub'])))
    await until('subscribed again', async () => await subscribers({ nodes }, `${prefix}ended`) === 2)
    await stores[0]!.announce!([notice(10)])
    for (const ear of ears) t.assert.deepStrictEqual(await ear.next(), [notice(10)])
    await stop()
  })
})
