// The Redis session store of (e) and (f): connect-redis on a node-redis client, at REDIS_URL
// (set by the runner, which starts its own redis-server on a loopback port).
import { createClient } from 'redis'
import { RedisStore } from 'connect-redis'

export interface RedisSessionStore {
  store: RedisStore
  close: () => Promise<unknown>
}

export async function connectRedisStore (prefix: string): Promise<RedisSessionStore> {
  const url = process.env.REDIS_URL
  if (url === undefined || url === '') throw new Error('benchmark server: REDIS_URL is not set (the runner sets it)')
  const client = createClient({ url })
  let closing = false
  // node-redis throws on an 'error' event nobody listens to; a Redis that goes away mid-run shows
  // as failed requests in the runner's table, so here it is only reported
  client.on('error', (err: Error) => {
    if (!closing) console.error(`benchmark server: redis client: ${err.message}`)
  })
  await client.connect()
  return {
    store: new RedisStore({ client, prefix }),
    close: () => {
      closing = true
      return client.quit()
    }
  }
}
