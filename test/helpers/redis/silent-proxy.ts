// A loopback TCP proxy in front of a redis-server that can go silent: it keeps every connection
// open but stops forwarding in both directions, as a Redis that hangs (or a network that drops
// packets) looks to a client. Closed in `t.after`.
import type { TestContext } from 'node:test'
import { startRedisProxy } from './proxy.js'

export interface SilentProxy {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** From now on nothing is forwarded; connections stay open, new ones are accepted. */
  silence (): void
}

export async function startSilentProxy (t: Pick<TestContext, 'after'>, redisPort: number): Promise<SilentProxy> {
  let silent = false
  const { url } = await startRedisProxy(t, redisPort, { toRedis: () => !silent, toClient: () => !silent })
  return { url, silence: () => { silent = true } }
}
