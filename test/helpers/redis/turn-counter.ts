// A loopback TCP proxy in front of a redis-server that counts round trips: how many times the
// clients behind it (every connection together) sent commands after Redis had answered. Commands
// that leave together (one pipelined write, or writes on several connections before any answer
// came back) are one round trip; a command sent once an answer arrived starts the next one.
// For clients in the test's own process serving a real HTTP request the count is deterministic:
// what one tick of the request writes reaches the proxy before any answer to it can.
// Closed in `t.after`.
import type { TestContext } from 'node:test'
import { startRedisProxy } from './proxy.js'

export interface TurnCounter {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** Round trips since the last `reset`. */
  turns (): number
  /** Starts counting from zero. */
  reset (): void
}

export async function startTurnCounter (t: Pick<TestContext, 'after'>, redisPort: number): Promise<TurnCounter> {
  let turns = 0
  /** The last bytes through the proxy were an answer (or nothing went through yet). */
  let answered = true
  const { url, port } = await startRedisProxy(t, redisPort, {
    toRedis: () => {
      if (answered) turns++
      answered = false
      return true
    },
    toClient: () => {
      answered = true
      return true
    }
  })
  return {
    url,
    port,
    turns: () => turns,
    reset: () => { turns = 0; answered = true }
  }
}
