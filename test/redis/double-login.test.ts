// A login form submitted twice in one browser (issue 19, item 11) on the Redis store: no orphan
// entry, either answer logs in. Both engines, the store on `redis` and on `ioredis`, one real
// redis-server (the memory store: test/tracked/double-login.test.ts).
import { test, type TestContext } from 'node:test'
import { startRedisServer } from '../helpers/redis-server.js'
import { redisStoreOn } from '../helpers/redis/store-on.js'
import { doubleLoginApp, doubleLoginWhileAnonymous, doubleLoginWhileLoggedIn, type EngineName } from '../helpers/double-login.js'

test('a login posted twice at once in one browser leaves one tracked session on Redis', async (t: TestContext) => {
  const redis = await startRedisServer()
  t.after(() => redis.stop())
  for (const engine of ['secure-session', 'session'] as EngineName[]) {
    for (const client of ['redis', 'ioredis'] as const) {
      await t.test(`${engine}, store on ${client}`, async (t: TestContext) => {
        const setup = await doubleLoginApp(t, engine, await redisStoreOn(t, client, redis.url, `${engine}-${client}:`))
        await doubleLoginWhileAnonymous(t, setup, 'plain', false)
        await doubleLoginWhileAnonymous(t, setup, 'remembered', true)
        await doubleLoginWhileLoggedIn(t, setup, 'again')
      })
    }
  }
})
