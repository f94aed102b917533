// A login form submitted twice in one browser (issue 19, item 11) on the Redis store: no orphan
// entry, either answer logs in. Both engines, the store on `redis` and on `ioredis`, one real
// redis-server (the memory store: test/tracked/double-login.test.ts).
import { test, type TestContext } from 'node:test'
import { onEachEngineAndClient } from '../helpers/redis/store-on.js'
import { doubleLoginApp, doubleLoginWhileAnonymous, doubleLoginWhileLoggedIn } from '../helpers/double-login.js'

test('a login posted twice at once in one browser leaves one tracked session on Redis', async (t: TestContext) => {
  await onEachEngineAndClient(t, async (t, engine, store) => {
    const setup = await doubleLoginApp(t, engine, store)
    await doubleLoginWhileAnonymous(t, setup, 'plain', false)
    await doubleLoginWhileAnonymous(t, setup, 'remembered', true)
    await doubleLoginWhileLoggedIn(t, setup, 'again')
  })
})
