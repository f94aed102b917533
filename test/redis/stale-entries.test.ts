// Sessions made before the user's getSessionAuthHash() changed (issue 19, item 4) on the Redis
// store: not listed, not counted against maxPerUser (inside the store's atomic create), ended as
// 'stale'. Both engines, the store on `redis` and on `ioredis`, one real redis-server.
import { test, type TestContext } from 'node:test'
import { onEachEngineAndClient } from '../helpers/redis/store-on.js'
import { staleApp, staleDoNotEvict, staleDoNotLockOut, staleNotListed } from '../helpers/stale-entries.js'

test('stale sessions on Redis: not listed, not counted, ended', async (t: TestContext) => {
  await onEachEngineAndClient(t, async (t, engine, store) => {
    await staleDoNotLockOut(t, await staleApp(t, engine, store, 'refuse'), 'locked')
    await staleDoNotEvict(t, await staleApp(t, engine, store, 'revoke-oldest'), 'evicted')
    await staleNotListed(t, await staleApp(t, engine, store, 'refuse'), 'listed')
  })
})
