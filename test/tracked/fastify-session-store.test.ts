// Tracked sessions on an application's own @fastify/session: the entry lives as long as the
// session cookie's maxAge, and a store that cannot destroy a revoked session is a coded 503.
import { test, type TestContext } from 'node:test'
import { client } from '../helpers/cookie-jar.js'
import { appOnMapStore } from '../helpers/session-map-store.js'

async function appOnSession (t: TestContext, maxAge: number) {
  const { app, users, sessionStore, tracked } = await appOnMapStore(t, { cookie: { maxAge } })
  app.post('/login', async (request) => ({ ok: await request.loginUser(users.get('1') as never) }))
  app.get('/whoami', async (request) => ({ anonymous: request.currentUser.isAnonymous }))
  await app.ready()
  return { app, sessionStore, tracked, browser: client(app) }
}

test('on @fastify/session with a cookie maxAge, an entry lives as long as that maxAge', async (t: TestContext) => {
  const { tracked, browser } = await appOnSession(t, 3_600_000)
  await browser.request({ method: 'POST', url: '/login' })
  const [entry] = await tracked.list('1')
  t.assert.strictEqual((entry?.expiresAt as number) - (entry?.createdAt as number), 3_600_000)
})

test('a @fastify/session store that cannot destroy a revoked session makes the revocation fail with FST_LOGIN_STORE_UNAVAILABLE', async (t: TestContext) => {
  const { app, tracked, sessionStore, browser } = await appOnSession(t, 3_600_000)
  await browser.request({ method: 'POST', url: '/login' })
  const [entry] = await tracked.list('1')
  sessionStore.fault = 'destroy'
  await t.assert.rejects(app.loginManager.revokeSession(entry?.id as string), { code: 'FST_LOGIN_STORE_UNAVAILABLE', statusCode: 503 })
  // the tracked session is gone all the same: the browser is anonymous
  t.assert.deepStrictEqual((await browser.request('/whoami')).json(), { anonymous: true })
})
