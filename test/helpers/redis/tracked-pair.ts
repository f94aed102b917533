// Two instances of test/redis/fixtures/tracked-app.ts (tracked sessions on Redis) in separate
// processes sharing one real redis-server, plus a plain client to look into Redis.
import type { TestContext } from 'node:test'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { createClient } from 'redis'
import { startRedisServer, type RedisServer } from '../redis-server.js'
import { startApp, type AppProcess } from './app-process.js'

const FIXTURE = join(__dirname, '..', '..', 'redis', 'fixtures', 'tracked-app.ts')

export type EngineName = 'secure-session' | 'session'
export type ClientName = 'redis' | 'ioredis'

export interface PairOptions {
  engine: EngineName
  client: ClientName
  /** @fastify/session's `rolling` (default true, as @fastify/session's own default). */
  rolling?: boolean
  /** `sessions.onLimit` of the apps (default 'revoke-oldest'). */
  onLimit?: 'revoke-oldest' | 'refuse'
  /** More environment for both apps, and for `a` only (e.g. GRACE; CLOCK_OFFSET_MS). */
  env?: Record<string, string>
  envOfA?: Record<string, string>
}

export interface Pair {
  redis: RedisServer
  a: AppProcess
  b: AppProcess
  inspect: InspectClient
  /** The session cookie's name on this engine. */
  sessionCookie: string
}

function createInspectClient (url: string) {
  const client = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: false } })
  client.on('error', () => {}) // the outage test stops Redis under it; it is not used then
  return client
}
type InspectClient = ReturnType<typeof createInspectClient>

/** Starts Redis and two app instances with the same secrets; everything stops in `t.after`. */
export async function startPair (t: Pick<TestContext, 'after'>, options: PairOptions): Promise<Pair> {
  const redis = await startRedisServer()
  t.after(() => redis.stop())
  const env = {
    REDIS_URL: redis.url,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    LOGIN_SECRET: randomBytes(32).toString('hex'),
    ENGINE: options.engine,
    CLIENT: options.client,
    ROLLING: String(options.rolling ?? true),
    ON_LIMIT: options.onLimit ?? 'revoke-oldest',
    ...options.env
  }
  const [a, b] = await Promise.all([startApp({ ...env, ...options.envOfA }, FIXTURE), startApp(env, FIXTURE)])
  t.after(() => Promise.all([a.stop(), b.stop()]))
  const inspect = createInspectClient(redis.url)
  await inspect.connect()
  t.after(() => { if (inspect.isOpen) inspect.destroy() })
  return { redis, a, b, inspect, sessionCookie: options.engine === 'session' ? 'sessionId' : 'session' }
}

/** Every key in Redis (SCAN, not KEYS), sorted. */
export async function allKeys (pair: Pair, match = '*'): Promise<string[]> {
  const keys: string[] = []
  for await (const batch of pair.inspect.scanIterator({ MATCH: match, COUNT: 1000 })) {
    keys.push(...batch)
  }
  return keys.sort()
}

/** What a key holds, as strings (a hash: its fields and values; a sorted set: members and scores). */
export async function valuesOf (pair: Pair, key: string): Promise<string[]> {
  const type = await pair.inspect.type(key)
  switch (type) {
    case 'string':
      return [String(await pair.inspect.get(key))]
    case 'hash':
      return Object.entries(await pair.inspect.hGetAll(key)).flat()
    case 'zset':
      return (await pair.inspect.zRangeWithScores(key, 0, -1)).flatMap(({ value, score }) => [value, String(score)])
    case 'set':
      return pair.inspect.sMembers(key)
    case 'list':
      return pair.inspect.lRange(key, 0, -1)
    default:
      throw new Error(`unexpected type ${type} of key ${key}`)
  }
}
