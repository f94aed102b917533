// fastify-login on @fastify/session + connect-redis, two instances in separate processes
// sharing one real redis-server, talked to over real HTTP.
import { test, type TestContext } from 'node:test'
import { Browser, sessionIdOf } from '../helpers/redis/browser.js'
import { sessionIdsInRedis, sessionInRedis, startCluster } from '../helpers/redis/cluster.js'

const COOKIE = 'sessionId'

test('two instances sharing one Redis', async (t: TestContext) => {
  const cluster = await startCluster(t)
  const { a, b } = cluster

  await t.test('an anonymous request writes no session to Redis and sets no cookie', async (t: TestContext) => {
    const before = await sessionIdsInRedis(cluster)
    const browser = new Browser()

    const me = await browser.request(a.url, '/me')

    t.assert.strictEqual(me.status, 200)
    t.assert.deepStrictEqual(me.body, { user: null, anonymous: true })
    t.assert.deepStrictEqual(me.setCookies, [])
    t.assert.deepStrictEqual(await sessionIdsInRedis(cluster), before)
  })

  await t.test('a login on instance A is seen by instance B', async (t: TestContext) => {
    const browser = new Browser()

    const login = await browser.request(a.url, '/login', { json: { id: '1' } })
    t.assert.strictEqual(login.status, 200)
    t.assert.deepStrictEqual(login.body, { loggedIn: true, user: '1', anonymous: false })
    t.assert.ok(await sessionInRedis(cluster, sessionIdOf(browser.jar.get(COOKIE))))

    const me = await browser.request(b.url, '/me')
    t.assert.deepStrictEqual(me.body, { user: '1', anonymous: false })
    const page = await browser.request(b.url, '/protected')
    t.assert.strictEqual(page.status, 200)
    t.assert.deepStrictEqual(page.body, { user: '1', anonymous: false })
  })

  await t.test('the session id rotates on login: the pre-login id is gone from Redis, the app keys stay', async (t: TestContext) => {
    const browser = new Browser()
    await browser.request(a.url, '/note', { json: { note: 'cart: 3 items' } })
    const preLoginId = sessionIdOf(browser.jar.get(COOKIE))
    t.assert.ok(await sessionInRedis(cluster, preLoginId), 'writing to the session stored it in Redis')

    const login = await browser.request(b.url, '/login', { json: { id: '2' } })
    t.assert.strictEqual(login.status, 200)
    const loginId = sessionIdOf(browser.jar.get(COOKIE))

    t.assert.notStrictEqual(loginId, preLoginId)
    t.assert.strictEqual(await sessionInRedis(cluster, preLoginId), false)
    t.assert.ok(await sessionInRedis(cluster, loginId))
    t.assert.deepStrictEqual((await browser.request(a.url, '/note')).body, { note: 'cart: 3 items' })
    t.assert.deepStrictEqual((await browser.request(a.url, '/me')).body, { user: '2', anonymous: false })

    // an attacker who planted the pre-login cookie gets nothing from it
    const planted = await new Browser().request(a.url, '/me', { cookie: `${COOKIE}=${encodeURIComponent(preLoginId)}` })
    t.assert.deepStrictEqual(planted.body, { user: null, anonymous: true })
  })

  await t.test('a logout on B ends the session everywhere: the old cookie replayed on A is anonymous', async (t: TestContext) => {
    const browser = new Browser()
    await browser.request(a.url, '/login', { json: { id: '1' } })
    await browser.request(a.url, '/note', { json: { note: 'keep me' } })
    const loggedInCookie = browser.cookieHeader()
    const loggedInId = sessionIdOf(browser.jar.get(COOKIE))
    t.assert.deepStrictEqual((await browser.request(b.url, '/me')).body, { user: '1', anonymous: false })

    const logout = await browser.request(b.url, '/logout', { method: 'POST' })
    t.assert.strictEqual(logout.status, 200)
    t.assert.deepStrictEqual(logout.body, { user: null, anonymous: true })

    t.assert.strictEqual(await sessionInRedis(cluster, loggedInId), false, 'logout removed the old session id')
    const replayed = new Browser()
    t.assert.deepStrictEqual((await replayed.request(a.url, '/me', { cookie: loggedInCookie })).body, { user: null, anonymous: true })
    const refused = await replayed.request(a.url, '/protected', { cookie: loggedInCookie })
    t.assert.strictEqual(refused.status, 401)

    // the browser itself is logged out on both instances, and keeps its own keys
    t.assert.deepStrictEqual((await browser.request(a.url, '/me')).body, { user: null, anonymous: true })
    t.assert.deepStrictEqual((await browser.request(b.url, '/me')).body, { user: null, anonymous: true })
    t.assert.deepStrictEqual((await browser.request(a.url, '/note')).body, { note: 'keep me' })
    t.assert.notStrictEqual(sessionIdOf(browser.jar.get(COOKIE)), loggedInId)
  })

  for (const [variant, query] of [['only reads it', ''], ['changes it', '?write=1']]) {
    await t.test(`a request in flight on A during a logout on B does not bring the session back (it ${variant})`, async (t: TestContext) => {
      const browser = new Browser()
      await browser.request(a.url, '/login', { json: { id: '1' } })
      const loggedInCookie = browser.cookieHeader()
      const loggedInId = sessionIdOf(browser.jar.get(COOKIE))
      const control = new Browser()

      // A loads the logged-in session, then waits until told to finish
      const held = browser.request(a.url, '/test/hold' + query, { cookie: loggedInCookie })
      t.assert.strictEqual((await control.request(a.url, '/test/held', { method: 'POST' })).status, 204)
      await browser.request(b.url, '/logout', { method: 'POST' })
      t.assert.strictEqual(await sessionInRedis(cluster, loggedInId), false)
      t.assert.strictEqual((await control.request(a.url, '/test/release', { method: 'POST' })).status, 204)
      const finished = await held

      t.assert.strictEqual(finished.status, 200)
      t.assert.deepStrictEqual(finished.body, { user: '1', anonymous: false }, 'A answered with the session it had loaded')
      t.assert.strictEqual(await sessionInRedis(cluster, loggedInId), false, 'A did not write the old session back')
      t.assert.deepStrictEqual((await control.request(a.url, '/me', { cookie: loggedInCookie })).body, { user: null, anonymous: true })
    })
  }

  await t.test('sessionCookieFor on A makes a request to B arrive logged in', async (t: TestContext) => {
    const made = await new Browser().request(a.url, '/test/session-cookie', { json: { id: '2' } })
    t.assert.strictEqual(made.status, 200)
    const cookie: string = made.body.cookie
    t.assert.match(cookie, new RegExp(`^${COOKIE}=`))
    t.assert.ok(await sessionInRedis(cluster, sessionIdOf(cookie.slice(COOKIE.length + 1))))

    const me = await new Browser().request(b.url, '/me', { cookie })
    t.assert.deepStrictEqual(me.body, { user: '2', anonymous: false })
  })
})
