// A redisSessionStore on a fresh client of the given kind, closed after the test.
import type { TestContext } from 'node:test'
import { Redis as IoRedis } from 'ioredis'
import { createClient } from 'redis'
import { redisSessionStore, type SessionStore } from 'fastify-login'

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
