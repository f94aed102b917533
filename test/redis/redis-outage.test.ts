// Redis stops while two instances use it: requests that need the session store get a quick,
// clear 503 (never a hang), and the instances serve sessions again once Redis is back.
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Browser, type Answer } from '../helpers/redis/browser.js'
import { startCluster } from '../helpers/redis/cluster.js'

const UNAVAILABLE = {
  statusCode: 503,
  code: 'SESSION_STORE_UNAVAILABLE',
  error: 'Service Unavailable',
  message: 'The session store is unavailable, try again shortly.'
}

// Errors the fail-fast client raises at once. A client that queued commands while offline
// would fail later with a TimeoutError (its command timeout), or hang without one.
const FAILED_AT_ONCE = ['ClientOfflineError', 'SocketClosedUnexpectedlyError', 'ECONNRESET']

function assertUnavailableAtOnce (t: TestContext, answer: Answer): void {
  t.assert.strictEqual(answer.status, 503)
  const { reason, ...body } = answer.body
  t.assert.deepStrictEqual(body, UNAVAILABLE)
  t.assert.ok(FAILED_AT_ONCE.includes(reason), `the store failed at once, not after waiting (reason: ${reason})`)
  t.assert.strictEqual(answer.headers.get('retry-after'), '1')
}

/** Repeats `attempt` until it answers something other than 503; the client reconnects on its own. */
async function untilNot503 (attempt: () => Promise<Answer>): Promise<Answer> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const answer = await attempt()
    if (answer.status !== 503 || Date.now() > deadline) return answer
    await sleep(100)
  }
}

test('Redis going away and coming back', async (t: TestContext) => {
  const cluster = await startCluster(t)
  const { a, b, redis } = cluster
  const browser = new Browser()
  t.assert.strictEqual((await browser.request(a.url, '/login', { json: { id: '1' } })).status, 200)
  const loggedInCookie = browser.cookieHeader()

  await redis.stop()

  await t.test('a request carrying a session cookie gets a 503 from the session layer on each instance', async (t: TestContext) => {
    for (const app of [a, b]) {
      assertUnavailableAtOnce(t, await browser.request(app.url, '/me'))
    }
  })

  await t.test('a login while Redis is down gets a 503, not a session', async (t: TestContext) => {
    const login = await new Browser().request(b.url, '/login', { json: { id: '2' } })
    assertUnavailableAtOnce(t, login)
    t.assert.deepStrictEqual(login.setCookies, [])
  })

  await t.test('an anonymous request without a session cookie is still served', async (t: TestContext) => {
    const me = await new Browser().request(a.url, '/me')
    t.assert.strictEqual(me.status, 200)
    t.assert.deepStrictEqual(me.body, { user: null, anonymous: true })
  })

  await redis.restart()

  await t.test('once Redis is back both instances answer again; the old session died with the data', async (t: TestContext) => {
    // this Redis keeps nothing on disk, so the login made before the outage is gone
    for (const app of [a, b]) {
      const me = await untilNot503(() => new Browser().request(app.url, '/me', { cookie: loggedInCookie }))
      t.assert.strictEqual(me.status, 200, app.log())
      t.assert.deepStrictEqual(me.body, { user: null, anonymous: true })
    }
  })

  await t.test('after the outage a login on B is seen by A', async (t: TestContext) => {
    const again = new Browser()
    const login = await again.request(b.url, '/login', { json: { id: '2' } })
    t.assert.strictEqual(login.status, 200)
    t.assert.deepStrictEqual((await again.request(a.url, '/me')).body, { user: '2', anonymous: false })
  })
})
