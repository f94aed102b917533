// What a login costs on Redis when one user already has many sessions (issue 19): a measurement,
// not a test. Starts a throw-away redis-server, gives one user 10, 1 000 and 50 000 live entries,
// then times 50 logins (redisSessionStore.create) at each count: the wall time the client waits,
// and the time Redis spends in the script (INFO commandstats: while it runs, every other client
// of that Redis waits). Run after `npm run build`:
//   node --import tsx scripts/login-cost.ts               # this tree's dist/
//   STORE_FROM=/path/to/dist/index.js node --import tsx scripts/login-cost.ts   # another build
import { createClient } from 'redis'
import type { NewStoredSession, SessionLimit, SessionStore } from 'fastify-login'
import { startRedisServer } from '../test/helpers/redis-server.js'

const COUNTS = [10, 1_000, 50_000]
const LOGINS = 50
const BATCH = 500

type StoreFactory = (client: unknown, options?: { prefix?: string }) => SessionStore

function entry (userId: string): NewStoredSession {
  const now = Date.now()
  return { userId, createdAt: now, lastSeenAt: now, ip: '127.0.0.1', userAgent: 'login-cost', rememberHash: null, previousRememberHash: null, rotatedAt: null, engineId: null, expiresAt: now + 3_600_000 }
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/** Microseconds Redis spent per script call since the last reset (EVALSHA and EVAL together). */
async function scriptMicros (client: ReturnType<typeof createClient>): Promise<number> {
  const info = await client.info('commandstats')
  let calls = 0
  let usec = 0
  for (const match of info.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+),usec=(\d+)/g)) {
    calls += Number(match[1])
    usec += Number(match[2])
  }
  return calls === 0 ? 0 : usec / calls
}

async function measure (redisSessionStore: StoreFactory, fillWith: StoreFactory, client: ReturnType<typeof createClient>, count: number, limit: SessionLimit): Promise<string> {
  const userId = `user-${count}-${String(limit.maxPerUser)}`
  const fill = fillWith(client, { prefix: 'cost:' })
  const none: SessionLimit = { maxPerUser: null, onLimit: 'revoke-oldest', replaces: null }
  for (let made = 0; made < count; made += BATCH) {
    await Promise.all(Array.from({ length: Math.min(BATCH, count - made) }, () => fill.create(entry(userId), none)))
  }
  const store = redisSessionStore(client, { prefix: 'cost:' })
  await store.create(entry(userId), limit) // loads the script
  await client.configResetStat()
  const took: number[] = []
  for (let i = 0; i < LOGINS; i++) {
    const started = performance.now()
    await store.create(entry(userId), limit)
    took.push(performance.now() - started)
  }
  const server = await scriptMicros(client)
  return `| ${count.toLocaleString('en')} | ${String(limit.maxPerUser)} | ${median(took).toFixed(2)} ms | ${(server / 1000).toFixed(3)} ms |`
}

async function main (): Promise<void> {
  const from = process.env.STORE_FROM ?? 'fastify-login'
  const { redisSessionStore } = await import(from) as { redisSessionStore: StoreFactory }
  // the entries are made with this tree's store (same keys): an older store's create may cost O(n)
  const { redisSessionStore: fillWith } = await import('fastify-login') as { redisSessionStore: StoreFactory }
  const redis = await startRedisServer()
  const client = createClient({ url: redis.url })
  await client.connect()
  try {
    console.log(`login cost on Redis, store from ${from}; median of ${LOGINS} logins`)
    console.log('| sessions of the user | maxPerUser | client wall time | Redis time per login (blocks every client) |')
    console.log('|--:|--:|--:|--:|')
    for (const count of COUNTS) {
      await client.flushAll()
      console.log(await measure(redisSessionStore, fillWith, client, count, { maxPerUser: null, onLimit: 'revoke-oldest', replaces: null }))
    }
    // at the default cap the user has 100 sessions, and each login ends the oldest
    await client.flushAll()
    console.log(await measure(redisSessionStore, fillWith, client, 100, { maxPerUser: 100, onLimit: 'revoke-oldest', replaces: null }))
  } finally {
    client.destroy()
    await redis.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
