import { test, type TestContext } from 'node:test'
import { buildApp } from '../helpers/app.js'
import { advance, installClock, putInSession, REMEMBER, sessionRoutes, sessionWritten } from '../helpers/remember.js'

test('idleTimeout ends a session login after that many seconds without a request', async (t: TestContext) => {
  const clock = installClock(t)
  const { request } = await buildApp(t, { idleTimeout: 600 }, { routes: sessionRoutes })
  await request({ method: 'POST', url: '/login/1' })
  advance(clock, 599)
  t.assert.strictEqual((await request('/whoami')).json().name, 'Notch')
  advance(clock, 601)
  const response = await request('/whoami')
  t.assert.strictEqual(response.statusCode, 200)
  t.assert.strictEqual(response.json().name, 'Anonymous')
  // the login is gone from the session, not just hidden for one request
  t.assert.strictEqual(((await request('/session')).json() as Record<string, unknown>)._user_id, undefined)
})

test('idleTimeout: each request restarts the idle clock', async (t: TestContext) => {
  const clock = installClock(t)
  const { request } = await buildApp(t, { idleTimeout: 600 })
  await request({ method: 'POST', url: '/login/1' })
  for (let i = 0; i < 5; i++) {
    advance(clock, 500)
    t.assert.strictEqual((await request('/whoami')).json().name, 'Notch', `request ${i}`)
  }
  advance(clock, 601)
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})

test('idleTimeout: the last-seen time is written at most once per tenth of idleTimeout', async (t: TestContext) => {
  const clock = installClock(t)
  const { request } = await buildApp(t, { idleTimeout: 600 }, { routes: sessionRoutes })
  await request({ method: 'POST', url: '/login/1' })
  advance(clock, 30)
  const soon = await request('/whoami')
  t.assert.strictEqual(soon.json().name, 'Notch')
  t.assert.strictEqual(sessionWritten(soon), false)
  advance(clock, 31)
  t.assert.strictEqual(sessionWritten(await request('/whoami')), true)
  advance(clock, 10)
  t.assert.strictEqual(sessionWritten(await request('/whoami')), false)
  // the write 61 s after the login counted: 650 s after the login is only 589 s idle
  advance(clock, 579)
  t.assert.strictEqual((await request('/whoami')).json().name, 'Notch')
})

test('absoluteTimeout ends a session login that many seconds after loginUser, however active', async (t: TestContext) => {
  const clock = installClock(t)
  const { request } = await buildApp(t, { absoluteTimeout: 3600 })
  await request({ method: 'POST', url: '/login/1' })
  for (let i = 0; i < 3; i++) {
    advance(clock, 1000)
    t.assert.strictEqual((await request('/whoami')).json().name, 'Notch')
  }
  advance(clock, 599)
  t.assert.strictEqual((await request('/whoami')).json().name, 'Notch')
  advance(clock, 2)
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})

test('a login ended by a timeout comes back through the remember cookie, not fresh', async (t: TestContext) => {
  for (const timeouts of [{ idleTimeout: 600 }, { absoluteTimeout: 600 }]) {
    const clock = installClock(t)
    const { jar, request } = await buildApp(t, timeouts)
    await request({ method: 'POST', url: '/login/1?remember=1' })
    advance(clock, 601)
    t.assert.ok(jar.names().includes(REMEMBER))
    t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Notch', fresh: false, remembered: true, anonymous: false }, JSON.stringify(timeouts))
    // the restored login starts new clocks
    advance(clock, 300)
    jar.delete(REMEMBER)
    t.assert.strictEqual((await request('/whoami')).json().name, 'Notch', JSON.stringify(timeouts))
    advance(clock, 601)
    t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous', JSON.stringify(timeouts))
    clock.uninstall()
  }
})

test('a session login without the server-side timestamps is ended when a timeout is configured', async (t: TestContext) => {
  for (const [option, key] of [['idleTimeout', '_seen_at'], ['absoluteTimeout', '_login_at']] as const) {
    const { request } = await buildApp(t, { [option]: 600 }, { routes: sessionRoutes })
    await request({ method: 'POST', url: '/login/1' })
    for (const value of [null, 'now', Number.MAX_SAFE_INTEGER * -1]) {
      await request({ method: 'POST', url: '/login/1' })
      await putInSession(request, key, value)
      const response = await request('/whoami')
      t.assert.strictEqual(response.statusCode, 200)
      t.assert.strictEqual(response.json().name, 'Anonymous', `${key}=${String(value)}`)
    }
  }
})

test('idleTimeout and absoluteTimeout must be positive numbers of seconds or null', async (t: TestContext) => {
  for (const option of ['idleTimeout', 'absoluteTimeout']) {
    for (const value of [0, -60, '60', Number.NaN, Number.POSITIVE_INFINITY, true]) {
      await t.assert.rejects(buildApp(t, { [option]: value }), (error: Error & { code?: string }) => {
        t.assert.strictEqual(error.code, 'FST_LOGIN_INVALID_OPTION')
        t.assert.match(error.message, new RegExp(option))
        return true
      }, `${option}: ${String(value)}`)
    }
    const { app } = await buildApp(t, { [option]: null })
    t.assert.strictEqual((app.loginManager.options as unknown as Record<string, unknown>)[option], null)
  }
})
