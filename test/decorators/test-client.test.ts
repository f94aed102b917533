import { test, type TestContext } from 'node:test'
import { buildApp, SESSION_COOKIE } from '../helpers/app.js'
import { REMEMBER } from '../helpers/remember.js'

/** `name=value` pairs of a Cookie header. */
function cookiePairs (header: string): Map<string, string> {
  return new Map(header.split('; ').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]))
}

// Flask-Login: test_no_args_to_test_client
test('a request without the cookie of sessionCookieFor is anonymous', async (t: TestContext) => {
  const { app } = await buildApp(t)
  t.assert.deepStrictEqual((await app.inject('/whoami')).json(), { name: 'Anonymous', fresh: false, remembered: false, anonymous: true })
})

// Flask-Login: test_user_arg_to_test_client
test('sessionCookieFor(user) makes a request arrive logged in and fresh', async (t: TestContext) => {
  const { app, users } = await buildApp(t)
  const cookie = await app.loginManager.sessionCookieFor(users.get('1') as never)
  t.assert.deepStrictEqual([...cookiePairs(cookie).keys()], [SESSION_COOKIE])
  for (let i = 0; i < 2; i++) {
    t.assert.deepStrictEqual((await app.inject({ url: '/whoami', headers: { cookie } })).json(), { name: 'Notch', fresh: true, remembered: false, anonymous: false })
  }
  t.assert.strictEqual((await app.inject({ url: '/needs-refresh', headers: { cookie } })).statusCode, 200)
})

// Flask-Login: test_fresh_login_arg_to_test_client
test('sessionCookieFor(user, { fresh: false }) makes a logged-in, not fresh request', async (t: TestContext) => {
  const { app, users } = await buildApp(t)
  const cookie = await app.loginManager.sessionCookieFor(users.get('2') as never, { fresh: false })
  t.assert.deepStrictEqual((await app.inject({ url: '/whoami', headers: { cookie } })).json(), { name: 'Steve', fresh: false, remembered: false, anonymous: false })
  t.assert.strictEqual((await app.inject({ url: '/needs-refresh', headers: { cookie } })).statusCode, 401)
})

// Flask-Login: test_session_protection_modes
test('sessionCookieFor works for inject\'s defaults with session protection off, basic and strong', async (t: TestContext) => {
  for (const sessionProtection of [false, null, 'basic', 'strong'] as const) {
    const { app, users } = await buildApp(t, { sessionProtection })
    for (const fresh of [true, false]) {
      const cookie = await app.loginManager.sessionCookieFor(users.get('1') as never, { fresh })
      const me = (await app.inject({ url: '/whoami', headers: { cookie } })).json()
      t.assert.deepStrictEqual(me, { name: 'Notch', fresh, remembered: false, anonymous: false }, `${String(sessionProtection)}, fresh ${fresh}`)
    }
    // the identifier is the real one: another client is caught by strong protection
    const cookie = await app.loginManager.sessionCookieFor(users.get('1') as never)
    const other = (await app.inject({ url: '/whoami', headers: { cookie, 'user-agent': 'curl/8' } })).json()
    t.assert.strictEqual(other.name, sessionProtection === 'strong' ? 'Anonymous' : 'Notch', String(sessionProtection))
  }
})

test('sessionCookieFor(user, { remember: true }) adds a remember cookie that restores the login alone', async (t: TestContext) => {
  const { app, users } = await buildApp(t)
  const cookie = await app.loginManager.sessionCookieFor(users.get('佐藤') as never, { remember: true })
  const pairs = cookiePairs(cookie)
  t.assert.deepStrictEqual([...pairs.keys()], [SESSION_COOKIE, REMEMBER])
  t.assert.deepStrictEqual((await app.inject({ url: '/whoami', headers: { cookie } })).json(), { name: 'Müller', fresh: true, remembered: true, anonymous: false })
  const rememberOnly = `${REMEMBER}=${pairs.get(REMEMBER) as string}`
  t.assert.deepStrictEqual((await app.inject({ url: '/whoami', headers: { cookie: rememberOnly } })).json(), { name: 'Müller', fresh: false, remembered: true, anonymous: false })
})

test('sessionCookieFor works with idleTimeout and absoluteTimeout', async (t: TestContext) => {
  const { app, users } = await buildApp(t, { idleTimeout: 600, absoluteTimeout: 3600 })
  const cookie = await app.loginManager.sessionCookieFor(users.get('1') as never)
  t.assert.strictEqual((await app.inject({ url: '/whoami', headers: { cookie } })).json().name, 'Notch')
})

test('a cookie from sessionCookieFor is honoured by the guards like a real login (inactive users refused)', async (t: TestContext) => {
  const { app, users } = await buildApp(t)
  const active = await app.loginManager.sessionCookieFor(users.get('1') as never)
  const inactive = await app.loginManager.sessionCookieFor(users.get('3') as never)
  t.assert.strictEqual((await app.inject({ url: '/secret', headers: { cookie: active } })).statusCode, 200)
  t.assert.strictEqual((await app.inject({ url: '/secret', headers: { cookie: inactive } })).statusCode, 401)
})

// docs/testing.md "Carry cookies across requests": the recipe, as written there
function cookieJar () {
  const cookies = new Map<string, string>()
  return {
    take (response: import('fastify').LightMyRequestResponse) {
      for (const line of ([] as string[]).concat(response.headers['set-cookie'] ?? [])) {
        const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
        const name = pair.slice(0, pair.indexOf('='))
        const deleted = pair.endsWith('=') || attributes.some((attribute) =>
          /^max-age=0$/i.test(attribute) ||
          (/^expires=/i.test(attribute) && Date.parse(attribute.slice(8)) <= Date.now()))
        if (deleted) cookies.delete(name)
        else cookies.set(name, pair)
      }
      return response
    },
    header () { return [...cookies.values()].join('; ') }
  }
}

test('the cookie recipe of docs/testing.md carries a login across inject calls, and the logout ends it', async (t: TestContext) => {
  const { app } = await buildApp(t)
  const jar = cookieJar()
  jar.take(await app.inject({ method: 'POST', url: '/login/1?remember=1' }))
  const page = await app.inject({ url: '/secret', headers: { cookie: jar.header() } })
  t.assert.strictEqual(page.statusCode, 200)
  t.assert.strictEqual(page.json().name, 'Notch')
  jar.take(await app.inject({ method: 'POST', url: '/logout', headers: { cookie: jar.header() } }))
  t.assert.strictEqual((await app.inject({ url: '/secret', headers: { cookie: jar.header() } })).statusCode, 401)
})
