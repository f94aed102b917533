import { test, type TestContext } from 'node:test'
import { buildApp } from '../helpers/app.js'
import { advance, browserWith, installClock, isDeletion, REMEMBER, setCookie, type SetCookie } from '../helpers/remember.js'

const DAY = 24 * 60 * 60

/** Seconds from now until the cookie expires. */
function secondsLeft (cookie: SetCookie | undefined): number {
  return ((cookie?.expires?.getTime() ?? Number.NaN) - Date.now()) / 1000
}

function assertAbout (t: TestContext, actual: number, expected: number, what: string): void {
  t.assert.ok(Math.abs(actual - expected) <= 10, `${what}: ${actual} is not ${expected} ± 10 s`)
}

// Flask-Login: test_remember_me_uses_custom_cookie_parameters
test('the remember cookie uses the configured name, path and domain and expires after rememberCookie.duration', async (t: TestContext) => {
  const { request } = await buildApp(t, { rememberCookie: { name: 'remember', path: '/app', domain: 'localhost.local', duration: 2 * DAY } })
  const response = await request({ method: 'POST', url: '/login/1?remember=1' })
  const cookie = setCookie(response, 'remember')
  t.assert.strictEqual(setCookie(response, REMEMBER), undefined)
  t.assert.strictEqual(cookie?.path, '/app')
  t.assert.strictEqual(cookie?.domain, 'localhost.local')
  t.assert.strictEqual(cookie?.httpOnly, true)
  t.assert.strictEqual(cookie?.sameSite, 'Lax')
  assertAbout(t, secondsLeft(cookie), 2 * DAY, 'Expires')
  assertAbout(t, cookie?.maxAge as number, 2 * DAY, 'Max-Age')
})

// Flask-Login: test_remember_me_custom_duration_uses_custom_cookie
test('loginUser({ duration }) overrides rememberCookie.duration for that login', async (t: TestContext) => {
  const { request } = await buildApp(t, { rememberCookie: { name: 'remember', duration: 2 * DAY } })
  const cookie = setCookie(await request({ method: 'POST', url: `/login/1?remember=1&duration=${7 * 3600}` }), 'remember')
  assertAbout(t, secondsLeft(cookie), 7 * 3600, 'Expires')
  t.assert.strictEqual(cookie?.maxAge, 7 * 3600)
})

// Flask-Login: test_remember_me_accepts_duration_as_int
test('rememberCookie.duration is a number of seconds', async (t: TestContext) => {
  const { request } = await buildApp(t, { rememberCookie: { duration: 3600 } })
  const cookie = setCookie(await request({ method: 'POST', url: '/login/1?remember=1' }), REMEMBER)
  t.assert.strictEqual(cookie?.maxAge, 3600)
  assertAbout(t, secondsLeft(cookie), 3600, 'Expires')
})

test('the default duration is 365 days', async (t: TestContext) => {
  const { request } = await buildApp(t)
  const cookie = setCookie(await request({ method: 'POST', url: '/login/1?remember=1' }), REMEMBER)
  t.assert.strictEqual(cookie?.maxAge, 365 * DAY)
  assertAbout(t, secondsLeft(cookie), 365 * DAY, 'Expires')
})

// Flask-Login: test_remember_me_with_invalid_duration_returns_500_response,
// test_set_cookie_with_invalid_duration_raises_exception
test('an invalid rememberCookie.duration is refused at registration, naming the option', async (t: TestContext) => {
  for (const duration of ['123', -1, 0, Number.NaN, Number.POSITIVE_INFINITY, null]) {
    await t.assert.rejects(buildApp(t, { rememberCookie: { duration: duration as number } }), (error: Error & { code?: string }) => {
      t.assert.strictEqual(error.code, 'FST_LOGIN_INVALID_OPTION', String(duration))
      t.assert.ok(error instanceof TypeError)
      t.assert.match(error.message, /rememberCookie\.duration/)
      return true
    }, String(duration))
  }
})

// Flask-Login: test_remember_me_with_invalid_custom_duration_returns_500_resp
test('loginUser with an invalid duration answers 500 with FST_LOGIN_INVALID_DURATION and logs nobody in', async (t: TestContext) => {
  for (const duration of ['-1', 'NaN', '0', 'Infinity']) {
    const { jar, request } = await buildApp(t)
    const response = await request({ method: 'POST', url: `/login/1?remember=1&duration=${duration}` })
    t.assert.strictEqual(response.statusCode, 500, duration)
    t.assert.strictEqual(response.json().code, 'FST_LOGIN_INVALID_DURATION', duration)
    t.assert.deepStrictEqual(jar.names(), [], duration)
    t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous', duration)
  }
})

// Flask-Login: test_set_cookie_with_invalid_custom_duration_raises_exception
test('loginUser({ duration: "123" }) rejects with a TypeError coded FST_LOGIN_INVALID_DURATION', async (t: TestContext) => {
  const { request } = await buildApp(t, {}, {
    routes: (app, users) => {
      app.post<{ Body: { duration: unknown } }>('/login-with', async (req) => {
        try {
          await req.loginUser(users.get('1') as never, { remember: true, duration: req.body.duration as number })
          return { rejected: false }
        } catch (error) {
          const e = error as Error & { code?: string }
          return { rejected: true, typeError: e instanceof TypeError, code: e.code, message: e.message }
        }
      })
    }
  })
  for (const duration of ['123', -1, null, {}, true]) {
    const result = (await request({ method: 'POST', url: '/login-with', payload: { duration } })).json()
    t.assert.strictEqual(result.rejected, true, JSON.stringify(duration))
    t.assert.strictEqual(result.typeError, true)
    t.assert.strictEqual(result.code, 'FST_LOGIN_INVALID_DURATION')
    t.assert.match(result.message, /duration/)
  }
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/login-with', payload: { duration: 123 } })).json(), { rejected: false })
})

// Flask-Login: test_remember_me_no_refresh_every_request
test('by default the remember cookie is not re-issued by later requests', async (t: TestContext) => {
  const clock = installClock(t)
  const { jar, request } = await buildApp(t, { rememberCookie: { duration: 3600 } })
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const issued = jar.get(REMEMBER)
  advance(clock, 600)
  t.assert.strictEqual(setCookie(await request('/whoami'), REMEMBER), undefined)
  jar.closeBrowser()
  advance(clock, 600)
  const restore = await request('/whoami')
  t.assert.strictEqual(restore.json().name, 'Notch')
  t.assert.strictEqual(setCookie(restore, REMEMBER), undefined)
  t.assert.strictEqual(jar.get(REMEMBER), issued)
})

// Flask-Login: test_remember_me_refresh_each_request
test('refreshEachRequest re-issues the cookie with a new expiry, extending the server-side lifetime too', async (t: TestContext) => {
  const clock = installClock(t)
  const { jar, request } = await buildApp(t, { rememberCookie: { duration: 100, refreshEachRequest: true } })
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const issued = jar.get(REMEMBER)
  advance(clock, 60)
  const refreshed = setCookie(await request('/whoami'), REMEMBER)
  t.assert.ok(refreshed !== undefined && !isDeletion(refreshed))
  t.assert.notStrictEqual(refreshed.value, issued)
  assertAbout(t, secondsLeft(refreshed), 100, 'Expires after the refresh')
  // 120 s after the login, 60 s after the refresh: only the refreshed cookie is still valid
  advance(clock, 60)
  jar.closeBrowser()
  const restore = await request('/whoami')
  t.assert.strictEqual(restore.json().name, 'Notch')
  // a request restored from the cookie refreshes it as well
  t.assert.ok(!isDeletion(setCookie(restore, REMEMBER)) && setCookie(restore, REMEMBER) !== undefined)
  const { app } = await buildApp(t, { rememberCookie: { duration: 100, refreshEachRequest: true } })
  t.assert.strictEqual((await browserWith(app, { [REMEMBER]: issued }).request('/whoami')).json().name, 'Anonymous')
})

test('refreshEachRequest never creates a remember cookie for a login without remember (Flask-Login #424, SEC-14)', async (t: TestContext) => {
  const { jar, request } = await buildApp(t, { rememberCookie: { refreshEachRequest: true } })
  t.assert.strictEqual(setCookie(await request({ method: 'POST', url: '/login/1' }), REMEMBER), undefined)
  for (let i = 0; i < 3; i++) {
    const response = await request('/whoami')
    t.assert.strictEqual(response.json().name, 'Notch')
    t.assert.strictEqual(setCookie(response, REMEMBER), undefined)
  }
  jar.closeBrowser()
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})

test('refreshEachRequest does not re-issue an invalid cookie or the cookie of another user', async (t: TestContext) => {
  const { app, jar, request } = await buildApp(t, { rememberCookie: { refreshEachRequest: true } })
  const other = browserWith(app, {})
  await other.request({ method: 'POST', url: '/login/2?remember=1' })
  await request({ method: 'POST', url: '/login/1' })
  for (const value of ['garbage', other.jar.get(REMEMBER) as string]) {
    jar.set(REMEMBER, value)
    const response = await request('/whoami')
    t.assert.strictEqual(response.json().name, 'Notch')
    const cookie = setCookie(response, REMEMBER)
    t.assert.ok(cookie === undefined || isDeletion(cookie), value)
    t.assert.strictEqual(response.json().remembered, false)
  }
})

test('the remember cookie is refused on the server after its duration, whatever the browser sends (SEC-06)', async (t: TestContext) => {
  const clock = installClock(t)
  const { app, jar, request } = await buildApp(t, { rememberCookie: { duration: 3600 } })
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const cookie = jar.get(REMEMBER)
  advance(clock, 3599)
  t.assert.strictEqual((await browserWith(app, { [REMEMBER]: cookie }).request('/whoami')).json().name, 'Notch')
  advance(clock, 2)
  const late = await browserWith(app, { [REMEMBER]: cookie }).request('/whoami')
  t.assert.strictEqual(late.statusCode, 200)
  t.assert.strictEqual(late.json().name, 'Anonymous')
  t.assert.ok(isDeletion(setCookie(late, REMEMBER)))
})

test('a per-login duration is enforced on the server as well', async (t: TestContext) => {
  const clock = installClock(t)
  const { app, jar, request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1&duration=60' })
  const cookie = jar.get(REMEMBER)
  advance(clock, 59)
  t.assert.strictEqual((await browserWith(app, { [REMEMBER]: cookie }).request('/whoami')).json().name, 'Notch')
  advance(clock, 2)
  t.assert.strictEqual((await browserWith(app, { [REMEMBER]: cookie }).request('/whoami')).json().name, 'Anonymous')
})

test('rememberCookie.secure "auto" (the default) marks the cookie Secure over HTTPS only', async (t: TestContext) => {
  const { request } = await buildApp(t, {}, { server: { trustProxy: true } })
  const plain = setCookie(await request({ method: 'POST', url: '/login/1?remember=1' }), REMEMBER)
  const https = setCookie(await request({ method: 'POST', url: '/login/1?remember=1', headers: { 'x-forwarded-proto': 'https' } }), REMEMBER)
  t.assert.strictEqual(plain?.secure, undefined)
  t.assert.strictEqual(https?.secure, true)
  const cleared = setCookie(await request({ method: 'POST', url: '/logout', headers: { 'x-forwarded-proto': 'https' } }), REMEMBER)
  t.assert.ok(isDeletion(cleared))
  t.assert.strictEqual(cleared?.secure, true)
})
