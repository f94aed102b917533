import { test, type TestContext } from 'node:test'
import type { FastifyLoginOptions } from 'fastify-login'
import { buildApp, recordEvents, SESSION_COOKIE } from '../helpers/app.js'
import { User } from '../helpers/users.js'
import { putInSession, REMEMBER, sessionRoutes, sessionWritten, setCookie } from '../helpers/remember.js'

async function appWithSession (t: TestContext, options: Partial<FastifyLoginOptions> = {}) {
  return buildApp(t, options, {
    routes: (app) => {
      sessionRoutes(app)
      app.get('/static', async () => ({ static: true }))
    }
  })
}

// Flask-Login: test_session_not_modified, test_static_loads_without_accessing_session
test('a request without a login or remember cookie sets no cookie, writes no session and emits nothing', async (t: TestContext) => {
  const { app, request } = await appWithSession(t)
  const events = recordEvents(app)
  for (const url of ['/static', '/whoami', '/secret']) {
    const response = await request(url)
    t.assert.strictEqual(response.headers['set-cookie'], undefined, url)
    t.assert.strictEqual(sessionWritten(response), false, url)
  }
  t.assert.deepStrictEqual(events, [['unauthorized', undefined]])
})

// Flask-Login: test_session_protection_skip_when_off_and_anonymous,
// test_session_protection_skip_when_basic_and_anonymous
test('anonymous requests emit no accessed or sessionProtected event and keep the session empty, protection off or basic', async (t: TestContext) => {
  for (const sessionProtection of [false, 'basic'] as const) {
    const { app, request } = await appWithSession(t, { sessionProtection })
    const events = recordEvents(app)
    const response = await request('/static')
    t.assert.strictEqual(response.headers['set-cookie'], undefined)
    t.assert.deepStrictEqual(events, [], String(sessionProtection))
    t.assert.deepStrictEqual((await request('/session')).json(), {})
  }
})

// Flask-Login: test_requests_without_accessing_session
test('with a login, each request emits accessed exactly once (the user is loaded in onRequest)', async (t: TestContext) => {
  const { app, request } = await appWithSession(t)
  await request({ method: 'POST', url: '/login/1' })
  const events = recordEvents(app)
  await request('/static')
  t.assert.deepStrictEqual(events, [['accessed', undefined]])
  await request('/whoami')
  t.assert.deepStrictEqual(events, [['accessed', undefined], ['accessed', undefined]])
})

test('an app with a requestLoader consults it on every request, but still sets no cookie', async (t: TestContext) => {
  const { app, request } = await appWithSession(t, { requestLoader: () => null })
  const events = recordEvents(app)
  const response = await request('/static')
  t.assert.deepStrictEqual(events, [['accessed', undefined]])
  t.assert.strictEqual(response.headers['set-cookie'], undefined)
})

test('requests of a logged-in user that change nothing do not write the session', async (t: TestContext) => {
  for (const sessionProtection of [false, 'basic', 'strong'] as const) {
    const { request } = await appWithSession(t, { sessionProtection })
    await request({ method: 'POST', url: '/login/1?remember=1' })
    for (let i = 0; i < 2; i++) {
      const response = await request('/whoami')
      t.assert.strictEqual(response.json().name, 'Notch')
      t.assert.strictEqual(sessionWritten(response), false, String(sessionProtection))
      t.assert.strictEqual(setCookie(response, REMEMBER), undefined)
    }
  }
})

test('malformed login values in the session make the request anonymous, never a 5xx', async (t: TestContext) => {
  const calls: unknown[] = []
  const { users, request } = await appWithSession(t, {
    userLoader: (id) => { calls.push(id); return users.get(String(id)) ?? null }
  })
  for (const value of [1, 0, '', {}, { toString: '1' }, ['1'], true, null]) {
    await putInSession(request, '_user_id', value)
    const response = await request('/whoami')
    t.assert.strictEqual(response.statusCode, 200, JSON.stringify(value))
    t.assert.strictEqual(response.json().name, 'Anonymous', JSON.stringify(value))
    t.assert.strictEqual((await request('/secret')).statusCode, 401)
  }
  t.assert.deepStrictEqual(calls, [])
})

test('a malformed _fresh or _id makes the login not fresh, never a 5xx', async (t: TestContext) => {
  const { request } = await appWithSession(t, { sessionProtection: 'basic' })
  await request({ method: 'POST', url: '/login/1' })
  await putInSession(request, '_fresh', 'yes')
  t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Notch', fresh: false, remembered: false, anonymous: false })
  await request({ method: 'POST', url: '/login/1' })
  await putInSession(request, '_id', { not: 'a hash' })
  const response = await request('/whoami')
  t.assert.strictEqual(response.statusCode, 200)
  t.assert.deepStrictEqual(response.json(), { name: 'Notch', fresh: false, remembered: false, anonymous: false })
})

test('user ids "__proto__" and "constructor" round-trip through the session, unchanged', async (t: TestContext) => {
  for (const id of ['__proto__', 'constructor']) {
    const seen: string[] = []
    const { request } = await buildApp(t, {
      userLoader: (userId) => { seen.push(userId); return userId === id ? new User(id, `user ${id}`) : null }
    }, { routes: (_app, users) => { users.set(id, new User(id, `user ${id}`)) } })
    t.assert.deepStrictEqual((await request({ method: 'POST', url: `/login/${id}` })).json(), { ok: true })
    const response = await request('/whoami')
    t.assert.strictEqual(response.statusCode, 200)
    t.assert.strictEqual(response.json().name, `user ${id}`)
    t.assert.deepStrictEqual(seen, [id])
  }
})

test('responses that set or clear login cookies carry Cache-Control: no-store (SEC-19)', async (t: TestContext) => {
  const { jar, request } = await appWithSession(t, { rememberCookie: { refreshEachRequest: true } })
  const cases: Array<[string, import('fastify').LightMyRequestResponse]> = []
  cases.push(['login', await request({ method: 'POST', url: '/login/1?remember=1' })])
  cases.push(['refresh', await request('/whoami')])
  jar.closeBrowser()
  cases.push(['restore', await request('/whoami')])
  cases.push(['confirm', await request({ method: 'POST', url: '/confirm' })])
  cases.push(['logout', await request({ method: 'POST', url: '/logout' })])
  jar.set(REMEMBER, 'forged')
  cases.push(['invalid cookie cleared', await request('/whoami')])
  for (const [name, response] of cases) {
    t.assert.ok(response.headers['set-cookie'] !== undefined, name)
    t.assert.match(String(response.headers['cache-control']), /no-store/, name)
  }
})

test('responses for a loaded user carry Vary: Cookie, merged with the route\'s own Vary (SEC-19)', async (t: TestContext) => {
  const { jar, request } = await buildApp(t, {}, {
    routes: (app) => {
      app.get('/gzip', async (_req, reply) => { reply.header('vary', 'Accept-Encoding'); return {} })
      app.get('/already', async (_req, reply) => { reply.header('vary', 'cookie'); return {} })
    }
  })
  await request({ method: 'POST', url: '/login/1?remember=1' })
  t.assert.strictEqual((await request('/whoami')).headers.vary, 'Cookie')
  t.assert.strictEqual((await request('/gzip')).headers.vary, 'Accept-Encoding, Cookie')
  t.assert.strictEqual((await request('/already')).headers.vary, 'cookie')
  jar.delete(SESSION_COOKIE)
  t.assert.strictEqual((await request('/whoami')).headers.vary, 'Cookie')
})
