// Where the tracked sessions (the devices page) live: in this process's memory by default, in
// Redis when a URL is given (REDIS_URL), so that several instances of the app share them and a
// session ended on one is ended on all.
import type { FastifyInstance } from 'fastify'
import { memorySessionStore, redisSessionStore, type SessionStore } from 'fastify-login'
import { createClient } from 'redis'

const RECONNECT_MAX_DELAY_MS = 2_000

/** A node-redis client connected to `url`; rejects when the first connection fails. */
async function connectRedis (url: string, app: FastifyInstance) {
  let connected = false
  const client = createClient({
    url,
    // while Redis is unreachable, commands fail at once (fastify-login answers 503) instead of waiting
    disableOfflineQueue: true,
    socket: {
      // give up on the first connection (a wrong REDIS_URL stops the start); later, keep retrying
      reconnectStrategy: (retries, cause) => connected ? Math.min(100 * 2 ** retries, RECONNECT_MAX_DELAY_MS) : cause
    }
  })
  client.on('error', (err: Error) => {
    if (connected) app.log.warn({ err }, 'redis connection problem')
  })
  try {
    await client.connect()
  } catch (err) {
    throw new Error(`cannot connect to Redis at REDIS_URL (${redactPassword(url)}): ${(err as Error).message}`)
  }
  connected = true
  return client
}

function redactPassword (url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return 'an unparsable URL'
  }
}

/** memorySessionStore(), or redisSessionStore() on a client for `redisUrl` that closes with `app`. */
export async function createSessionStore (app: FastifyInstance, redisUrl: string | undefined): Promise<SessionStore> {
  if (redisUrl === undefined || redisUrl === '') return memorySessionStore()
  const client = await connectRedis(redisUrl, app)
  app.addHook('onClose', async () => { await client.close() })
  return redisSessionStore(client, { prefix: 'fastify-login-example:' })
}
