// Two application instances in separate processes sharing one real redis-server,
// plus a plain client to look at the keys connect-redis writes.
import type { TestContext } from 'node:test'
import { randomBytes } from 'node:crypto'
import { createClient } from 'redis'
import { startRedisServer, type RedisServer } from '../redis-server.js'
import { startApp, type AppProcess } from './app-process.js'

/** connect-redis's default key prefix, also set explicitly by the fixture app. */
export const SESSION_PREFIX = 'sess:'

export interface Cluster {
  redis: RedisServer
  a: AppProcess
  b: AppProcess
  /** A plain client on the same Redis, for assertions on keys (`sess:<id>`). */
  inspect: InspectClient
}

function createInspectClient (url: string) {
  const client = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: false } })
  client.on('error', () => {}) // the outage test stops Redis under it; it is not used then
  return client
}
type InspectClient = ReturnType<typeof createInspectClient>

/** Starts Redis and two app instances with the same secrets; everything stops in `t.after`. */
export async function startCluster (t: Pick<TestContext, 'after'>): Promise<Cluster> {
  const redis = await startRedisServer()
  t.after(() => redis.stop())

  const env = {
    REDIS_URL: redis.url,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    LOGIN_SECRET: randomBytes(32).toString('hex')
  }
  const [a, b] = await Promise.all([startApp(env), startApp(env)])
  t.after(() => Promise.all([a.stop(), b.stop()]))

  const inspect = createInspectClient(redis.url)
  await inspect.connect()
  t.after(() => { if (inspect.isOpen) inspect.destroy() })

  return { redis, a, b, inspect }
}

/** Whether connect-redis holds a session under this id. */
export async function sessionInRedis (cluster: Cluster, sessionId: string): Promise<boolean> {
  return (await cluster.inspect.exists(SESSION_PREFIX + sessionId)) === 1
}

/** Every session id connect-redis holds. */
export async function sessionIdsInRedis (cluster: Cluster): Promise<string[]> {
  const keys = await cluster.inspect.keys(SESSION_PREFIX + '*')
  return keys.map((key) => key.slice(SESSION_PREFIX.length)).sort()
}
