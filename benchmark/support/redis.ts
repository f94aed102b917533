// The Redis session store of (e) and (f): connect-redis on a node-redis client, at REDIS_URL
// (set by the runner, which starts its own redis-server on a loopback port).
import { createClient } from 'redis'
import { RedisStore } from 'connect-redis'

export interface RedisSessionStore {
  store: RedisStore
  close: () => Promise<unknown>
}

function newClient (url: string) {
  return createClient({ url })
}

export interface RedisConnection {
  client: ReturnType<typeof newClient>
  close: () => Promise<unknown>
}

/** A node-redis client at REDIS_URL. */
export async function connectRedis (): Promise<RedisConnection> {
  const url = process.env.REDIS_URL
  if (url === undefined || url === '') throw new Error('benchmark server: REDIS_URL is not set (the runner sets it)')
  const client = newClient(url)
  let closing = false
  // node-redis throws on an 'error' event nobody listens to; a Redis that goes away mid-run shows
  // as failed requests in the runner's table, so here it is only reported
  client.on('error', (err: Error) => {
    if (!closing) console.error(`benchmark server: redis client: ${err.message}`)
  })
  await client.connect()
  return {
    client,
    close: () => {
      closing = true
      return client.quit()
    }
  }
}

export async function connectRedisStore (prefix: string): Promise<RedisSessionStore> {
  const { client, close } = await connectRedis()
  return { store: new RedisStore({ client, prefix }), close }
}
