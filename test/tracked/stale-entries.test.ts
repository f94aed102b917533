// Sessions made before the user's getSessionAuthHash() changed (issue 19, item 4): not listed, not
// counted against maxPerUser, ended as 'stale'. Memory store, on the suite's engine; the Redis
// store: test/redis/stale-entries.test.ts.
import { test, type TestContext } from 'node:test'
import { memorySessionStore } from 'fastify-login'
import { ENGINE } from '../helpers/app.js'
import { staleApp, staleDoNotEvict, staleDoNotLockOut, staleNotListed } from '../helpers/stale-entries.js'

test("onLimit 'refuse': sessions made before a password change do not lock the user out, and end as stale", async (t: TestContext) => {
  await staleDoNotLockOut(t, await staleApp(t, ENGINE, memorySessionStore(), 'refuse'), 'locked')
})

test("onLimit 'revoke-oldest': stale sessions are ended instead of a current one", async (t: TestContext) => {
  await staleDoNotEvict(t, await staleApp(t, ENGINE, memorySessionStore(), 'revoke-oldest'), 'evicted')
})

test("listSessions leaves stale sessions out and ends them: the manager's given the user, the request's", async (t: TestContext) => {
  await staleNotListed(t, await staleApp(t, ENGINE, memorySessionStore(), 'refuse'), 'listed')
})
