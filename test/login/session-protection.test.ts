import { test, type TestContext } from 'node:test'
import type { FastifyLoginOptions } from 'fastify-login'
import { buildApp, recordEvents, type BuildOptions } from '../helpers/app.js'
import { isDeletion, putInSession, REMEMBER, sessionRoutes, setCookie } from '../helpers/remember.js'

const OTHER_AGENT = { 'user-agent': 'Mozilla/5.0 (a different browser)' }

async function protectedApp (t: TestContext, sessionProtection: 'basic' | 'strong', options: Partial<FastifyLoginOptions> = {}, build: BuildOptions = {}) {
  const built = await buildApp(t, { sessionProtection, ...options }, { routes: sessionRoutes, ...build })
  return { ...built, events: recordEvents(built.app) }
}

function protections (events: Array<[string, string | undefined]>): number {
  return events.filter(([name]) => name === 'sessionProtected').length
}

// Flask-Login: test_session_protection_basic_passes_successive_requests,
// test_session_protection_strong_passes_successive_requests
test('successive requests from the same client stay logged in and fresh, in basic and strong mode', async (t: TestContext) => {
  for (const mode of ['basic', 'strong'] as const) {
    const { events, request } = await protectedApp(t, mode)
    await request({ method: 'POST', url: '/login/1' })
    for (let i = 0; i < 3; i++) {
      t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Notch', fresh: true, remembered: false, anonymous: false }, mode)
    }
    t.assert.strictEqual(protections(events), 0, mode)
  }
})

// Flask-Login: test_session_protection_basic_marks_session_unfresh
test('basic: a changed User-Agent keeps the user logged in but not fresh', async (t: TestContext) => {
  const { request } = await protectedApp(t, 'basic')
  await request({ method: 'POST', url: '/login/1' })
  t.assert.deepStrictEqual((await request({ url: '/whoami', headers: OTHER_AGENT })).json(), { name: 'Notch', fresh: false, remembered: false, anonymous: false })
  t.assert.strictEqual((await request({ url: '/needs-refresh', headers: OTHER_AGENT })).statusCode, 401)
  // the login stays marked not fresh, from either client
  t.assert.strictEqual((await request('/whoami')).json().fresh, false)
})

// Flask-Login: test_session_protection_basic_fires_signal
test('basic: the mismatch emits sessionProtected once in that request', async (t: TestContext) => {
  const { events, request } = await protectedApp(t, 'basic')
  await request({ method: 'POST', url: '/login/1' })
  await request({ url: '/whoami', headers: OTHER_AGENT })
  t.assert.strictEqual(protections(events), 1)
})

// Flask-Login: test_session_protection_basic_skips_when_remember_me,
// test_session_protection_strong_skips_when_remember_me
test('a login restored from the remember cookie is not protected against, in basic and strong mode', async (t: TestContext) => {
  for (const mode of ['basic', 'strong'] as const) {
    const { events, jar, request } = await protectedApp(t, mode)
    await request({ method: 'POST', url: '/login/1?remember=1' })
    jar.closeBrowser()
    t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Notch', fresh: false, remembered: true, anonymous: false }, mode)
    // the restore recorded the identifier: the next requests keep the login (Flask-Login #248)
    jar.delete(REMEMBER)
    for (let i = 0; i < 2; i++) {
      t.assert.strictEqual((await request('/whoami')).json().name, 'Notch', mode)
    }
    t.assert.strictEqual(protections(events), 0, mode)
  }
})

// Flask-Login: test_session_protection_strong_deletes_session
test('strong: a changed User-Agent logs the user out, removes the login keys and keeps the others', async (t: TestContext) => {
  const { jar, request } = await protectedApp(t, 'strong')
  await request({ method: 'POST', url: '/login/1?remember=1' })
  await putInSession(request, 'foo', 'bar')
  await putInSession(request, 'next', '/somewhere')
  const response = await request({ url: '/whoami', headers: OTHER_AGENT })
  t.assert.strictEqual(response.statusCode, 200)
  t.assert.strictEqual(response.json().name, 'Anonymous')
  t.assert.ok(isDeletion(setCookie(response, REMEMBER)))
  t.assert.ok(!jar.names().includes(REMEMBER))
  const session = (await request('/session')).json() as Record<string, unknown>
  t.assert.strictEqual(session.foo, 'bar')
  for (const key of ['_user_id', '_fresh', '_id', 'next']) {
    t.assert.strictEqual(session[key], undefined, key)
  }
  // back on the original client: still logged out
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})

test('strong: the remember cookie is not used to log the user back in on the refused request', async (t: TestContext) => {
  const { app, jar, request } = await protectedApp(t, 'strong')
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const loaded: string[] = []
  app.loginManager.on('loadedFromCookie', () => { loaded.push('cookie') })
  t.assert.strictEqual((await request({ url: '/secret', headers: OTHER_AGENT })).statusCode, 401)
  t.assert.deepStrictEqual(loaded, [])
  t.assert.deepStrictEqual(jar.names().filter((name) => name === REMEMBER), [])
})

// Flask-Login: test_session_protection_strong_fires_signal_user_agent
test('strong: the mismatch emits sessionProtected once', async (t: TestContext) => {
  const { events, request } = await protectedApp(t, 'strong')
  await request({ method: 'POST', url: '/login/1' })
  await request({ url: '/whoami', headers: OTHER_AGENT })
  await request({ url: '/whoami', headers: OTHER_AGENT })
  t.assert.strictEqual(protections(events), 1)
})

test('an anonymous session that only holds application data is never protected against (Flask-Login #569)', async (t: TestContext) => {
  for (const mode of ['basic', 'strong'] as const) {
    const { events, request } = await protectedApp(t, mode)
    await putInSession(request, 'cart', 'x')
    t.assert.strictEqual((await request({ url: '/whoami', headers: OTHER_AGENT })).json().name, 'Anonymous')
    t.assert.deepStrictEqual((await request({ url: '/session', headers: OTHER_AGENT })).json(), { cart: 'x' })
    t.assert.strictEqual(protections(events), 0, mode)
  }
})

test('sessionProtection false ignores a changed User-Agent', async (t: TestContext) => {
  const { app, request } = await buildApp(t, { sessionProtection: false })
  const events = recordEvents(app)
  await request({ method: 'POST', url: '/login/1' })
  t.assert.deepStrictEqual((await request({ url: '/whoami', headers: OTHER_AGENT })).json(), { name: 'Notch', fresh: true, remembered: false, anonymous: false })
  t.assert.strictEqual(protections(events), 0)
})

test('with trustProxy, an IP change seen through X-Forwarded-For counts (strong logs out)', async (t: TestContext) => {
  const { events, request } = await protectedApp(t, 'strong', {}, { server: { trustProxy: true } })
  await request({ method: 'POST', url: '/login/1', headers: { 'x-forwarded-for': '203.0.113.7' } })
  t.assert.strictEqual((await request({ url: '/whoami', headers: { 'x-forwarded-for': '203.0.113.7' } })).json().name, 'Notch')
  t.assert.strictEqual((await request({ url: '/whoami', headers: { 'x-forwarded-for': '198.51.100.9' } })).json().name, 'Anonymous')
  t.assert.strictEqual(protections(events), 1)
})

test('without trustProxy, X-Forwarded-For is ignored: a client cannot change its identifier with it', async (t: TestContext) => {
  const { events, request } = await protectedApp(t, 'strong')
  await request({ method: 'POST', url: '/login/1', headers: { 'x-forwarded-for': '203.0.113.7' } })
  t.assert.deepStrictEqual((await request({ url: '/whoami', headers: { 'x-forwarded-for': '198.51.100.9' } })).json(), { name: 'Notch', fresh: true, remembered: false, anonymous: false })
  t.assert.strictEqual(protections(events), 0)
})

test('basic: an IP change through a trusted proxy marks the login not fresh', async (t: TestContext) => {
  const { events, request } = await protectedApp(t, 'basic', {}, { server: { trustProxy: true } })
  await request({ method: 'POST', url: '/login/1', headers: { 'x-forwarded-for': '203.0.113.7' } })
  t.assert.deepStrictEqual((await request({ url: '/whoami', headers: { 'x-forwarded-for': '198.51.100.9' } })).json(), { name: 'Notch', fresh: false, remembered: false, anonymous: false })
  t.assert.strictEqual(protections(events), 1)
})

test('a garbage or missing User-Agent never gives a 5xx', async (t: TestContext) => {
  const { app, request } = await protectedApp(t, 'strong')
  await request({ method: 'POST', url: '/login/1' })
  for (const agent of ['', 'x'.repeat(65_536), '\u00ff\u00fe\u0080']) {
    const response = await request({ url: '/whoami', headers: { 'user-agent': agent } })
    t.assert.strictEqual(response.statusCode, 200)
  }
  t.assert.strictEqual((await app.inject({ url: '/whoami', headers: { 'user-agent': undefined } })).statusCode, 200)
})

test('confirmLogin records the new client: after it, the changed User-Agent is the expected one', async (t: TestContext) => {
  const { events, request } = await protectedApp(t, 'basic')
  await request({ method: 'POST', url: '/login/1' })
  await request({ url: '/whoami', headers: OTHER_AGENT })
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/confirm', headers: OTHER_AGENT })).json(), { fresh: true })
  const before = protections(events)
  t.assert.deepStrictEqual((await request({ url: '/whoami', headers: OTHER_AGENT })).json(), { name: 'Notch', fresh: true, remembered: false, anonymous: false })
  t.assert.strictEqual(protections(events), before)
})
