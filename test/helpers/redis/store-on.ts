// A redisSessionStore on a fresh client of the given kind, closed after the test; and the loop of
// the suites that run one case on each engine × each client.
import type { TestContext } from 'node:test'
import { Redis as IoRedis } from 'ioredis'
import { createClient } from 'redis'
import { redisSessionStore, type SessionStore } from 'fastify-login'
import { startRedisServer } from '../redis-server.js'

export async function redisStoreOn (t: TestContext, client: 'redis' | 'ioredis', url: string, prefix: string): Promise<SessionStore> {
  if (client === 'ioredis') {
    const redis = new IoRedis(url, { lazyConnect: true })
    await redis.connect()
    t.after(() => redis.disconnect())
    return redisSessionStore(redis, { prefix })
  }
  const redis = createClient({ url })
  await redis.connect()
  t.after(() => redis.destroy())
  return redisSessionStore(redis, { prefix })
}

export type StoreEngine = 'secure-session' | 'session'

/**
 * One real redis-server for the test, and a subtest per engine × client, each given a store of
 * its own prefix on that server (closed after the subtest).
 */
export async function onEachEngineAndClient (t: TestContext, run: (t: TestContext, engine: StoreEngine, store: SessionStore) => Promise<void>): Promise<void> {
  const redis = await startRedisServer()
  t.after(() => redis.stop())
  for (const engine of ['secure-session', 'session'] as const) {
    for (const client of ['redis', 'ioredis'] as const) {
      await t.test(`${engine}, store on ${client}`, async (t: TestContext) => {
        await run(t, engine, await redisStoreOn(t, client, redis.url, `${engine}-${client}:`))
      })
    }
  }
}
