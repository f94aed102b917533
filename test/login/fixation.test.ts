import { test, type TestContext } from 'node:test'
import { buildApp, ENGINE, SESSION_COOKIE } from '../helpers/app.js'
import { advance, browserWith, installClock, putInSession, REMEMBER, sessionRoutes, setCookie, type Client } from '../helpers/remember.js'

async function appWithSession (t: TestContext, options: Record<string, unknown> = {}) {
  return buildApp(t, options, { routes: sessionRoutes })
}

/** The session's application data (keys that are not fastify-login's own). */
async function appData (request: Client['request']): Promise<Record<string, unknown>> {
  const data = (await request('/session')).json() as Record<string, unknown>
  return Object.fromEntries(Object.entries(data).filter(([key]) => !['_user_id', '_fresh', '_id', '_auth_hash', '_login_at', '_seen_at'].includes(key)))
}

/** The session id inside a @fastify/session cookie (`<id>.<signature>`), or the whole cookie. */
function sessionIdOf (cookie: string | undefined): string | undefined {
  return ENGINE === 'session' ? cookie?.split('.')[0] : cookie
}

test(`loginUser gives the browser a new session; the planted one stays anonymous (SEC-01, ${ENGINE})`, async (t: TestContext) => {
  const { app, jar, request } = await appWithSession(t)
  await putInSession(request, 'cart', 'x')
  const planted = jar.get(SESSION_COOKIE)
  t.assert.ok(planted !== undefined)
  const login = await request({ method: 'POST', url: '/login/1' })
  const issued = setCookie(login, SESSION_COOKIE)
  t.assert.ok(issued !== undefined)
  t.assert.notStrictEqual(issued.value, planted)
  t.assert.notStrictEqual(sessionIdOf(issued.value), sessionIdOf(planted))
  t.assert.strictEqual((await request('/whoami')).json().name, 'Notch')
  const attacker = browserWith(app, { [SESSION_COOKIE]: planted })
  t.assert.strictEqual((await attacker.request('/whoami')).json().name, 'Anonymous')
  if (ENGINE === 'session') {
    // the planted id was destroyed in the store, not only left behind
    t.assert.deepStrictEqual(await appData(attacker.request), {})
  }
})

test('the application\'s keys survive a login when the session had no user or the same user', async (t: TestContext) => {
  const { request } = await appWithSession(t)
  await putInSession(request, 'cart', 'x')
  await request({ method: 'POST', url: '/login/1' })
  t.assert.deepStrictEqual(await appData(request), { cart: 'x' })
  await request({ method: 'POST', url: '/login/1?fresh=0' })
  t.assert.deepStrictEqual(await appData(request), { cart: 'x' })
})

test('logging in as another user over a session drops all its data (SEC-02)', async (t: TestContext) => {
  const { request } = await appWithSession(t)
  await request({ method: 'POST', url: '/login/1' })
  await putInSession(request, 'cart', 'x')
  await request({ method: 'POST', url: '/login/2' })
  t.assert.strictEqual((await request('/whoami')).json().name, 'Steve')
  t.assert.deepStrictEqual(await appData(request), {})
})

test('logging in as another user over a login that just timed out drops its data too', async (t: TestContext) => {
  const clock = installClock(t)
  const { request } = await appWithSession(t, { idleTimeout: 60 })
  await request({ method: 'POST', url: '/login/1' })
  await putInSession(request, 'cart', 'notch\'s cart')
  advance(clock, 61)
  await request({ method: 'POST', url: '/login/2' })
  t.assert.strictEqual((await request('/whoami')).json().name, 'Steve')
  t.assert.deepStrictEqual(await appData(request), {})
})

test('a CSRF secret (_csrf) is always dropped by loginUser (SEC-02)', async (t: TestContext) => {
  const { request } = await appWithSession(t)
  await putInSession(request, '_csrf', 'anonymous-secret')
  await request({ method: 'POST', url: '/login/1' })
  t.assert.strictEqual(((await request('/session')).json() as Record<string, unknown>)._csrf, undefined)
  await putInSession(request, '_csrf', 'notch-secret')
  await putInSession(request, 'cart', 'x')
  await request({ method: 'POST', url: '/login/1' })
  t.assert.deepStrictEqual(await appData(request), { cart: 'x' })
})

test(`logoutUser gives the browser a new session and keeps the application's keys (SEC-04, ${ENGINE})`, async (t: TestContext) => {
  const { app, jar, request } = await appWithSession(t)
  await request({ method: 'POST', url: '/login/1' })
  await putInSession(request, 'flash', 'bye')
  await putInSession(request, '_csrf', 'secret')
  const loggedIn = jar.get(SESSION_COOKIE)
  const logout = await request({ method: 'POST', url: '/logout' })
  const issued = setCookie(logout, SESSION_COOKIE)
  t.assert.ok(issued !== undefined)
  t.assert.notStrictEqual(sessionIdOf(issued.value), sessionIdOf(loggedIn))
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
  t.assert.deepStrictEqual(await appData(request), { flash: 'bye' })
  if (ENGINE === 'session') {
    // the logged-in session was destroyed: replaying its cookie is anonymous
    t.assert.strictEqual((await browserWith(app, { [SESSION_COOKIE]: loggedIn }).request('/whoami')).json().name, 'Anonymous')
  }
})

test(`confirmLogin gives the browser a new session and drops _csrf (SEC-03, ${ENGINE})`, async (t: TestContext) => {
  const { app, jar, request } = await appWithSession(t)
  await request({ method: 'POST', url: '/login/1?fresh=0' })
  await putInSession(request, 'cart', 'x')
  await putInSession(request, '_csrf', 'secret')
  const before = jar.get(SESSION_COOKIE)
  const confirm = await request({ method: 'POST', url: '/confirm' })
  t.assert.deepStrictEqual(confirm.json(), { fresh: true })
  t.assert.notStrictEqual(sessionIdOf(setCookie(confirm, SESSION_COOKIE)?.value), sessionIdOf(before))
  t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Notch', fresh: true, remembered: false, anonymous: false })
  t.assert.deepStrictEqual(await appData(request), { cart: 'x' })
  if (ENGINE === 'session') {
    t.assert.strictEqual((await browserWith(app, { [SESSION_COOKIE]: before }).request('/whoami')).json().name, 'Anonymous')
  }
})

test(`a login restored from the remember cookie also gets a new session (${ENGINE})`, async (t: TestContext) => {
  const { app, jar, request } = await appWithSession(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const remember = jar.get(REMEMBER)
  // an attacker plants an anonymous session in the victim's browser, which still has the remember cookie
  const attacker = browserWith(app, {})
  await putInSession(attacker.request, 'cart', 'planted')
  const planted = attacker.jar.get(SESSION_COOKIE)
  const victim = browserWith(app, { [SESSION_COOKIE]: planted, [REMEMBER]: remember })
  const restore = await victim.request('/whoami')
  t.assert.strictEqual(restore.json().name, 'Notch')
  t.assert.notStrictEqual(sessionIdOf(setCookie(restore, SESSION_COOKIE)?.value), sessionIdOf(planted))
  t.assert.strictEqual((await browserWith(app, { [SESSION_COOKIE]: planted }).request('/whoami')).json().name, 'Anonymous')
})

test('a refused login (inactive user) leaves the session as it was', async (t: TestContext) => {
  const { jar, request } = await appWithSession(t)
  await putInSession(request, '_csrf', 'secret')
  const before = jar.get(SESSION_COOKIE)
  const response = await request({ method: 'POST', url: '/login/3' })
  t.assert.deepStrictEqual(response.json(), { ok: false })
  t.assert.strictEqual(jar.get(SESSION_COOKIE), before)
  t.assert.strictEqual(((await request('/session')).json() as Record<string, unknown>)._csrf, 'secret')
})
