// Dead entries (issue 19, item 4) on an application's own @fastify/session: an entry whose stored
// session is gone is not listed and does not count against maxPerUser, and an entry never
// outlives the stored session it tracks when the cookie has no maxAge; a restore inside the
// rotation grace leaves no stored session behind a revocation (item 13).
import { test, type TestContext } from 'node:test'
import { client } from '../helpers/cookie-jar.js'
import { appOnMapStore } from '../helpers/session-map-store.js'

async function appOnSession (t: TestContext, cookie: Record<string, unknown>, login: Record<string, unknown> = {}) {
  const { app, users, sessionStore, tracked } = await appOnMapStore(t, { cookie, sessions: { maxPerUser: 3, onLimit: 'refuse' }, login })
  app.post<{ Querystring: { remember?: string } }>('/login', async (request) => ({ ok: await request.loginUser(users.get('1') as never, { remember: request.query.remember === '1' }) }))
  app.get('/whoami', async (request) => ({ anonymous: request.currentUser.isAnonymous }))
  app.get('/devices', async (request) => (await request.listSessions()).map((session) => session.current))
  await app.ready()
  return { app, sessionStore, tracked, browser: () => client(app) }
}

test('entries whose @fastify/session session is gone are not listed and do not count against maxPerUser', async (t: TestContext) => {
  const { app, sessionStore, tracked, browser } = await appOnSession(t, { maxAge: 3_600_000 })
  for (let i = 0; i < 3; i++) t.assert.deepStrictEqual((await browser().request({ method: 'POST', url: '/login' })).json(), { ok: true })
  t.assert.deepStrictEqual((await browser().request({ method: 'POST', url: '/login' })).json(), { ok: false }, 'the limit holds for live sessions')
  t.assert.strictEqual((await app.loginManager.listSessions('1')).length, 3)
  sessionStore.sessions.clear() // the stored sessions expired or were flushed
  t.assert.deepStrictEqual(await app.loginManager.listSessions('1'), [])
  const fourth = browser()
  t.assert.deepStrictEqual((await fourth.request({ method: 'POST', url: '/login' })).json(), { ok: true })
  t.assert.deepStrictEqual((await fourth.request('/devices')).json(), [true])
  t.assert.strictEqual((await tracked.list('1')).length, 1, 'the dead entries were removed from the store')
  // a stored session that cannot be checked fails closed
  sessionStore.fault = 'get'
  await t.assert.rejects(app.loginManager.listSessions('1'), { code: 'FST_LOGIN_STORE_UNAVAILABLE', statusCode: 503 })
})

test('on @fastify/session without cookie.maxAge, an entry lives a day after its last sighting, not the remember duration', async (t: TestContext) => {
  const { tracked, browser } = await appOnSession(t, {})
  await browser().request({ method: 'POST', url: '/login' })
  const [entry] = await tracked.list('1')
  t.assert.strictEqual((entry?.expiresAt as number) - (entry?.lastSeenAt as number), 86_400_000)
})

test('two tabs restoring with one remember cookie leave no stored session alive after the revocation', async (t: TestContext) => {
  const { app, sessionStore, browser } = await appOnSession(t, { maxAge: 3_600_000 }, { rememberCookie: { rotationGrace: 10 } })
  const owner = browser()
  await owner.request({ method: 'POST', url: '/login?remember=1' })
  const cookie = owner.jar.get('remember_token') as string
  sessionStore.sessions.clear() // the browser's session is gone; its remember cookie restores
  const tabs = await Promise.all([1, 2].map(() => app.inject({ url: '/whoami', cookies: { remember_token: cookie } })))
  t.assert.deepStrictEqual(tabs.map((tab) => tab.json()), [{ anonymous: false }, { anonymous: false }])
  t.assert.strictEqual(await app.loginManager.revokeAllSessions('1'), 1)
  const logins = [...sessionStore.sessions.values()].filter((stored) => (stored as { _user_id?: string })._user_id === '1')
  t.assert.deepStrictEqual(logins, [])
})
