// redisSessionStore against real Redis: the SessionStore contract on node-redis and ioredis, on a
// standalone redis-server and on a 3-master Redis Cluster, with every key checked after each
// operation (a TTL, the index outliving its entries, one hash slot per user); parallel creates
// from two processes; a Redis that goes away.
import { test, type TestContext } from 'node:test'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import assert from 'node:assert/strict'
import { createClient, createCluster } from 'redis'
import { Cluster, Redis } from 'ioredis'
import { redisSessionStore, type NewStoredSession, type SessionLimit, type SessionStore } from 'fastify-login'
import { sessionStoreContract, type MakeStore } from 'fastify-login/testing'
import { startRedisServer } from '../helpers/redis-server.js'
import { startRedisCluster } from '../helpers/redis-cluster.js'
import { stopChild, track } from '../helpers/child-processes.js'

const NO_LIMIT: SessionLimit = { maxPerUser: null, onLimit: 'revoke-oldest', replaces: null }

type Raw = (args: string[]) => Promise<unknown>

// --- what Redis holds --------------------------------------------------------------------

/** CRC16/XMODEM, the checksum of Redis Cluster's key slots. */
function crc16 (data: Buffer): number {
  let crc = 0
  for (const byte of data) {
    crc ^= byte << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc
}

/** The hash slot Redis Cluster gives `key`: of its first non-empty {hash tag}, else of the whole key. */
function slotOf (key: string): number {
  const open = key.indexOf('{')
  const close = open === -1 ? -1 : key.indexOf('}', open + 1)
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key
  return crc16(Buffer.from(hashed)) % 16384
}

/** Plain node-redis connections to each node, for looking at keys. */
async function inspectors (t: TestContext, urls: readonly string[]): Promise<Raw[]> {
  return Promise.all(urls.map(async (url) => {
    const client = createClient({ url })
    client.on('error', () => {})
    await client.connect()
    t.after(() => client.destroy())
    return (args: string[]) => client.sendCommand(args)
  }))
}

async function keysOf (node: Raw, pattern: string): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await node(['SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000']) as [string, string[]]
    keys.push(...batch)
    cursor = next
  } while (cursor !== '0')
  return keys
}

/** Every key under `prefix` on every node: the layout, a TTL, the user's index in the same slot and outliving the entry. */
async function checkKeys (nodes: Raw[], prefix: string, cluster: boolean): Promise<void> {
  // s: an entry, u: a user's index, o: a login's origin (the join window of a form posted twice)
  const shape = /^\{([A-Za-z0-9_-]{8})\}:(s|u|o):(.+)$/s
  for (const node of nodes) {
    for (const key of await keysOf(node, `${prefix}*`)) {
      const match = shape.exec(key.slice(prefix.length))
      assert.ok(key.startsWith(prefix) && match !== null, `key layout: ${key}`)
      const pttl = await node(['PTTL', key]) as number
      if (pttl === -2) continue // expired between SCAN and PTTL
      assert.ok(pttl > 0, `${key} has a TTL (PTTL ${pttl})`)
      if (cluster) assert.strictEqual(await node(['CLUSTER', 'KEYSLOT', key]), slotOf(key))
      if (match![2] !== 's') continue
      assert.ok(match![3]!.startsWith(`${match![1]}.`), `the id embeds the key's tag: ${key}`)
      const userId = await node(['HGET', key, 'userId']) as string | null
      if (userId === null) continue
      const index = `${prefix}{${match![1]}}:u:${userId}`
      assert.strictEqual(slotOf(index), slotOf(key), `${key} and ${index} share a slot`)
      const [entryExpiry, indexExpiry] = [await node(['PEXPIRETIME', key]) as number, await node(['PEXPIRETIME', index]) as number]
      if (entryExpiry > 0) assert.ok(indexExpiry >= entryExpiry, `${index} outlives ${key}`)
    }
  }
}

// --- clients ------------------------------------------------------------------------------

const KINDS = ['node-redis', 'ioredis'] as const
type Kind = typeof KINDS[number]

/** A connected client that fails at once while Redis is unreachable (no offline queue). */
async function connect (t: TestContext, kind: Kind, url: string): Promise<unknown> {
  if (kind === 'ioredis') {
    const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 200 })
    client.on('error', () => {})
    await once(client, 'ready')
    t.after(() => client.disconnect())
    return client
  }
  const client = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 200 } })
  client.on('error', () => {})
  await client.connect()
  t.after(() => { if (client.isOpen) client.destroy() })
  return client
}

async function connectCluster (t: TestContext, kind: Kind, ports: readonly number[]): Promise<unknown> {
  if (kind === 'ioredis') {
    const cluster = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })))
    cluster.on('error', () => {})
    await once(cluster, 'ready')
    t.after(() => cluster.disconnect())
    return cluster
  }
  const cluster = createCluster({ rootNodes: ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })) })
  cluster.on('error', () => {})
  await cluster.connect()
  t.after(() => cluster.destroy())
  return cluster
}

let prefixes = 0
/** A store under a prefix of its own for each case, its keys checked after every call. */
function factory (client: unknown, nodes: Raw[], cluster: boolean): MakeStore {
  return () => {
    const prefix = `test-${process.pid}-${++prefixes}:`
    return { store: redisSessionStore(client, { prefix }), check: () => checkKeys(nodes, prefix, cluster) }
  }
}

/** The contract of fastify-login/testing as subtests of `t`, every capability, bad input rejected with the store's coded error. */
async function contract (t: TestContext, makeStore: MakeStore): Promise<void> {
  await sessionStoreContract(makeStore, {
    test: (name, run) => t.test(name, run),
    badInputError: { code: 'FST_LOGIN_INVALID_VALUE' },
    capabilities: ['origin', 'authDigest', 'rotate']
  })
}

function newSession (userId: string): NewStoredSession {
  const now = Date.now()
  return { userId, createdAt: now, lastSeenAt: now, ip: '127.0.0.1', userAgent: 'test', rememberHash: null, previousRememberHash: null, rotatedAt: null, engineId: null, expiresAt: now + 3_600_000 }
}

// --- a creator process ------------------------------------------------------------------------

interface Creator {
  run (job: { userId: string, count: number, maxPerUser: number, onLimit: 'revoke-oldest' | 'refuse' }): Promise<{ created: number, refused: number, ended: string[] }>
}

async function startCreator (t: TestContext, kind: Kind, url: string, prefix: string): Promise<Creator> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'session-store-creates.ts')], {
    env: { ...process.env, REDIS_URL: url, CLIENT: kind, PREFIX: prefix },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  track(child)
  t.after(() => stopChild(child))
  let log = ''
  child.stderr!.on('data', (chunk: Buffer) => { log = (log + chunk.toString()).slice(-4000) })
  const waiting: Array<(line: string) => void> = []
  const lines = createInterface({ input: child.stdout! })
  lines.on('line', (line) => waiting.shift()?.(line))
  const next = () => new Promise<string>((resolve, reject) => {
    waiting.push(resolve)
    child.once('exit', (code) => reject(new Error(`creator (${kind}) exited with ${code}:\n${log}`)))
  })
  t.assert.deepStrictEqual(JSON.parse(await next()), { ready: true })
  return {
    async run (job) {
      const answer = next()
      child.stdin!.write(JSON.stringify(job) + '\n')
      const result = JSON.parse(await answer)
      if ('error' in result) throw new Error(`creator (${kind}): ${result.error}\n${log}`)
      return result
    }
  }
}

// --- the tests ----------------------------------------------------------------------------

test('redisSessionStore on a standalone redis-server', async (t: TestContext) => {
  const redis = await startRedisServer()
  t.after(() => redis.stop())
  const nodes = await inspectors(t, [redis.url])

  await t.test('the test computes hash slots as Redis does', (t: TestContext) => {
    t.assert.strictEqual(crc16(Buffer.from('123456789')), 0x31c3)
    t.assert.strictEqual(slotOf('a{user1000}b'), slotOf('user1000'))
    t.assert.strictEqual(slotOf('a{}b'), crc16(Buffer.from('a{}b')) % 16384)
  })

  for (const kind of KINDS) {
    await t.test(`the SessionStore contract on ${kind}`, async (t: TestContext) => {
      await contract(t, factory(await connect(t, kind, redis.url), nodes, false))
    })
  }

  await t.test('keys go under "fastify-login:" by default, and under the prefix given', async (t: TestContext) => {
    const client = await connect(t, 'node-redis', redis.url)
    const byDefault = await redisSessionStore(client).create(newSession('prefix-user'), NO_LIMIT)
    const prefixed = await redisSessionStore(client, { prefix: 'app:' }).create(newSession('prefix-user'), NO_LIMIT)
    const [node] = nodes
    const keys = [...await keysOf(node!, 'fastify-login:*'), ...await keysOf(node!, 'app:*')].sort()
    const tag = byDefault!.id.split('.')[0]
    t.assert.deepStrictEqual(keys, [
      `app:{${tag}}:s:${prefixed!.id}`, `app:{${tag}}:u:prefix-user`,
      `fastify-login:{${tag}}:s:${byDefault!.id}`, `fastify-login:{${tag}}:u:prefix-user`
    ].sort())
    // a store with another prefix sees nothing of these
    t.assert.strictEqual(await redisSessionStore(client, { prefix: 'other:' }).get(byDefault!.id), null)
  })

  await t.test('a server that lost its script cache (SCRIPT FLUSH, a restart) gets the scripts again', async (t: TestContext) => {
    for (const kind of KINDS) {
      const store = redisSessionStore(await connect(t, kind, redis.url), { prefix: `flush-${kind}:` })
      const first = await store.create(newSession('flush'), NO_LIMIT)
      await nodes[0]!(['SCRIPT', 'FLUSH'])
      const second = await store.create(newSession('flush'), NO_LIMIT)
      t.assert.deepStrictEqual((await store.list('flush')).map((entry) => entry.id).sort(), [first!.id, second!.id].sort())
    }
  })

  await t.test('list answers at most 1 000 entries of one user (those that expire last); a limit met later trims all the others', async (t: TestContext) => {
    for (const kind of KINDS) {
      const store = redisSessionStore(await connect(t, kind, redis.url), { prefix: `many-${kind}:` })
      const now = Date.now()
      const made: string[] = []
      for (let from = 0; from < 1010; from += 101) {
        const batch = await Promise.all(Array.from({ length: 101 }, (_, i) =>
          store.create({ ...newSession('many'), expiresAt: now + 3_600_000 + from + i }, NO_LIMIT)))
        made.push(...batch.map((created) => created!.id))
      }
      const listed = await store.list('many')
      t.assert.strictEqual(listed.length, 1000, kind)
      t.assert.deepStrictEqual(listed.map((entry) => entry.id).sort(), made.slice(-1000).sort(), kind)
      const trimmed = await store.create(newSession('many'), { maxPerUser: 3, onLimit: 'revoke-oldest', replaces: null })
      t.assert.strictEqual(trimmed!.ended.length, 1008, kind)
      t.assert.strictEqual((await store.list('many')).length, 3, kind)
    }
  })

  await t.test('1 000 parallel creates of one user from two processes leave exactly maxPerUser live entries, every time', async (t: TestContext) => {
    const prefix = 'parallel:'
    const [a, b] = await Promise.all([startCreator(t, 'node-redis', redis.url, prefix), startCreator(t, 'ioredis', redis.url, prefix)])
    const store: SessionStore = redisSessionStore(await connect(t, 'node-redis', redis.url), { prefix })
    for (let round = 1; round <= 5; round++) {
      const onLimit = round % 2 === 0 ? 'refuse' : 'revoke-oldest'
      const job = { userId: `parallel-${round}`, count: 500, maxPerUser: 3, onLimit } as const
      const results = await Promise.all([a!.run(job), b!.run(job)])
      const live = (await store.list(job.userId)).map((entry) => entry.id)
      t.assert.strictEqual(live.length, 3, `round ${round} (${onLimit})`)
      const created = results[0].created + results[1].created
      const ended = [...results[0].ended, ...results[1].ended]
      if (onLimit === 'refuse') {
        t.assert.deepStrictEqual([created, ended.length], [3, 0], `round ${round}`)
      } else {
        // every entry created is either live or was ended exactly once
        t.assert.deepStrictEqual([created, ended.length, new Set([...ended, ...live]).size], [1000, 997, 1000], `round ${round}`)
      }
    }
  })
})

test('a Redis that is down makes every operation reject at once, on both clients', { timeout: 60_000 }, async (t: TestContext) => {
  const redis = await startRedisServer()
  t.after(() => redis.stop())
  for (const kind of KINDS) {
    const store = redisSessionStore(await connect(t, kind, redis.url), { prefix: `down-${kind}:` })
    const made = await store.create(newSession('down'), NO_LIMIT)
    t.assert.ok(made !== null)
    t.assert.strictEqual((await store.get(made.id))?.id, made.id)
    await redis.stop()
    const operations: Array<[string, () => Promise<unknown>]> = [
      ['create', () => store.create(newSession('down'), NO_LIMIT)],
      ['get', () => store.get(made.id)],
      ['update', () => store.update(made.id, { lastSeenAt: Date.now() })],
      ['list', () => store.list('down')],
      ['destroy', () => store.destroy(made.id)],
      ['destroyAll', () => store.destroyAll('down')]
    ]
    for (const [name, operation] of operations) {
      await t.assert.rejects(operation(), Error, `${kind}: ${name} rejects`)
    }
    await redis.restart()
  }
})

test('redisSessionStore on a Redis Cluster of three masters', async (t: TestContext) => {
  const cluster = await startRedisCluster(t)
  const nodes = await inspectors(t, cluster.urls)

  for (const kind of KINDS) {
    await t.test(`the SessionStore contract on a ${kind} cluster client`, async (t: TestContext) => {
      await contract(t, factory(await connectCluster(t, kind, cluster.ports), nodes, true))
    })
  }

  await t.test('users are spread over the masters, each user on one', async (t: TestContext) => {
    const store = redisSessionStore(await connectCluster(t, 'ioredis', cluster.ports), { prefix: 'spread:' })
    for (let i = 0; i < 30; i++) {
      await store.create(newSession(`user-${i}`), NO_LIMIT)
      await store.create(newSession(`user-${i}`), NO_LIMIT)
    }
    const perNode = await Promise.all(nodes.map((node) => keysOf(node, 'spread:*')))
    t.assert.ok(perNode.every((keys) => keys.length > 0), `keys on every master: ${perNode.map((keys) => keys.length)}`)
    t.assert.strictEqual(perNode.flat().length, 90)
    for (let i = 0; i < 30; i++) {
      const holding = perNode.filter((keys) => keys.some((key) => key.endsWith(`:u:user-${i}`)))
      t.assert.strictEqual(holding.length, 1)
      t.assert.strictEqual(holding[0]!.filter((key) => key.includes(':s:')).length >= 2, true)
      t.assert.strictEqual((await store.list(`user-${i}`)).length, 2)
    }
  })
})
