import { test, type TestContext } from 'node:test'
import { buildApp, SESSION_COOKIE } from '../helpers/app.js'
import { HashedUser } from '../helpers/users.js'
import { browserWith, client, isDeletion, putInSession, REMEMBER, sessionRoutes, setCookie } from '../helpers/remember.js'

/** An app with a user "h" whose getSessionAuthHash() follows its password hash. */
async function hashedApp (t: TestContext) {
  const user = new HashedUser('h', 'Hana', 'pw-1')
  const built = await buildApp(t, {}, {
    routes: (app, users) => { users.set('h', user); sessionRoutes(app) }
  })
  return { ...built, user }
}

test('changing the auth hash ends every other session and remember cookie; the browser that logs in again stays (SEC-05)', async (t: TestContext) => {
  const { app, user } = await hashedApp(t)
  const a = client(app)
  const b = client(app)
  await a.request({ method: 'POST', url: '/login/h?remember=1' })
  await b.request({ method: 'POST', url: '/login/h?remember=1' })
  const aOldRemember = a.jar.get(REMEMBER)
  const bSession = b.jar.get(SESSION_COOKIE)
  const bRemember = b.jar.get(REMEMBER)
  t.assert.strictEqual((await b.request('/whoami')).json().name, 'Hana')

  // A changes the password and logs in again
  user.passwordHash = 'pw-2'
  t.assert.deepStrictEqual((await a.request({ method: 'POST', url: '/login/h?remember=1' })).json(), { ok: true })
  t.assert.deepStrictEqual((await a.request('/whoami')).json(), { name: 'Hana', fresh: true, remembered: true, anonymous: false })
  a.jar.closeBrowser()
  t.assert.strictEqual((await a.request('/whoami')).json().name, 'Hana')

  // B: its session alone, its remember cookie alone, and both together are anonymous
  t.assert.strictEqual((await browserWith(app, { [SESSION_COOKIE]: bSession }).request('/whoami')).json().name, 'Anonymous')
  t.assert.strictEqual((await browserWith(app, { [REMEMBER]: bRemember }).request('/whoami')).json().name, 'Anonymous')
  const both = await b.request('/whoami')
  t.assert.strictEqual(both.statusCode, 200)
  t.assert.strictEqual(both.json().name, 'Anonymous')
  t.assert.ok(isDeletion(setCookie(both, REMEMBER)))
  // and so is A's remember cookie from before the change
  t.assert.strictEqual((await browserWith(app, { [REMEMBER]: aOldRemember }).request('/whoami')).json().name, 'Anonymous')
})

test('a session whose auth hash no longer matches is flushed: anonymous, and its data is dropped (SEC-05)', async (t: TestContext) => {
  const { request, user } = await hashedApp(t)
  await request({ method: 'POST', url: '/login/h' })
  await putInSession(request, 'cart', 'x')
  user.passwordHash = 'pw-2'
  const response = await request('/whoami')
  t.assert.strictEqual(response.statusCode, 200)
  t.assert.strictEqual(response.json().name, 'Anonymous')
  // the login does not come back when the hash does
  user.passwordHash = 'pw-1'
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
  // Django's get_user(): a hash mismatch flushes the session, not only the login keys
  const data = (await request('/session')).json() as Record<string, unknown>
  t.assert.deepStrictEqual(Object.keys(data).filter((key) => !key.startsWith('_')), [])
})

test('an unchanged auth hash keeps the session and the remember cookie working', async (t: TestContext) => {
  const { jar, request } = await hashedApp(t)
  await request({ method: 'POST', url: '/login/h?remember=1' })
  for (let i = 0; i < 2; i++) {
    t.assert.strictEqual((await request('/whoami')).json().name, 'Hana')
  }
  jar.closeBrowser()
  t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Hana', fresh: false, remembered: true, anonymous: false })
})

test('logging in again after a hash change drops the session data of the old login (SEC-02)', async (t: TestContext) => {
  const { request, user } = await hashedApp(t)
  await request({ method: 'POST', url: '/login/h' })
  await putInSession(request, 'cart', 'x')
  user.passwordHash = 'pw-2'
  await request({ method: 'POST', url: '/login/h' })
  t.assert.deepStrictEqual(Object.keys((await request('/session')).json()).filter((key) => !key.startsWith('_')), [])
})

test('sessionCookieFor binds the auth hash too', async (t: TestContext) => {
  const { app, user } = await hashedApp(t)
  const cookie = await app.loginManager.sessionCookieFor(user, { remember: true })
  t.assert.strictEqual((await app.inject({ url: '/whoami', headers: { cookie } })).json().name, 'Hana')
  user.passwordHash = 'pw-3'
  t.assert.strictEqual((await app.inject({ url: '/whoami', headers: { cookie } })).json().name, 'Anonymous')
})
