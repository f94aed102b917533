import { test, type TestContext } from 'node:test'
import { buildApp, recordEvents } from '../helpers/app.js'

// Flask-Login: test_defaults_anonymous, test_test_request_context_users_are_anonymous
test('a request without a login is anonymous', async (t: TestContext) => {
  const { request } = await buildApp(t)
  const response = await request('/whoami')
  t.assert.deepStrictEqual(response.json(), { name: 'Anonymous', fresh: false, remembered: false, anonymous: true })
  t.assert.strictEqual(response.headers['set-cookie'], undefined)
})

// Flask-Login: test_login_user
test('loginUser logs the user in, fresh, and returns true', async (t: TestContext) => {
  const { request } = await buildApp(t)
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/login/1' })).json(), { ok: true })
  t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Notch', fresh: true, remembered: false, anonymous: false })
})

// Flask-Login: test_login_user_not_fresh
test('loginUser with fresh: false logs in a non-fresh user', async (t: TestContext) => {
  const { request } = await buildApp(t)
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/login/1?fresh=0' })).json(), { ok: true })
  t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Notch', fresh: false, remembered: false, anonymous: false })
})

// Flask-Login: test_login_user_emits_signal
test('loginUser emits loggedIn once with the request and the user', async (t: TestContext) => {
  const { app, request } = await buildApp(t)
  const events = recordEvents(app)
  await request({ method: 'POST', url: '/login/1' })
  t.assert.deepStrictEqual(events.filter(([name]) => name === 'loggedIn'), [['loggedIn', 'Notch']])
})

// Flask-Login: test_login_inactive_user
test('an inactive user is refused: false, no cookie, no event, still anonymous', async (t: TestContext) => {
  const { app, request } = await buildApp(t)
  const events = recordEvents(app)
  const response = await request({ method: 'POST', url: '/login/3' })
  t.assert.deepStrictEqual(response.json(), { ok: false })
  t.assert.strictEqual(response.headers['set-cookie'], undefined)
  t.assert.deepStrictEqual(events, [])
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})

// Flask-Login: test_login_inactive_user_forced
test('force: true logs an inactive user in, but guards still refuse it', async (t: TestContext) => {
  const { request } = await buildApp(t)
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/login/3?force=1' })).json(), { ok: true })
  t.assert.strictEqual((await request('/whoami')).json().name, 'Creeper')
  t.assert.strictEqual((await request('/secret')).statusCode, 401)
})

// Flask-Login: test_logout_logs_out_current_user, test_logout_persists
test('logoutUser logs the user out for this and later requests', async (t: TestContext) => {
  const { app, request } = await buildApp(t, {}, {
    routes: (app) => {
      app.post('/logout-and-show', async (req) => { await req.logoutUser(); return { anonymous: req.currentUser.isAnonymous } })
    }
  })
  t.assert.ok(app.hasRoute({ method: 'POST', url: '/logout-and-show' }))
  await request({ method: 'POST', url: '/login/1' })
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/logout-and-show' })).json(), { anonymous: true })
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})

// Flask-Login: test_logout_emits_signal
test('logoutUser emits loggedOut once with the user who was logged in', async (t: TestContext) => {
  const { app, request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1' })
  const events = recordEvents(app)
  const response = await request({ method: 'POST', url: '/logout' })
  t.assert.deepStrictEqual(response.json(), { ok: true })
  t.assert.deepStrictEqual(events.filter(([name]) => name === 'loggedOut'), [['loggedOut', 'Notch']])
})

// Flask-Login: test_logout_without_current_user
test('logoutUser without a login still answers true and emits loggedOut with the anonymous user', async (t: TestContext) => {
  const { app, request } = await buildApp(t)
  const events = recordEvents(app)
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/logout' })).json(), { ok: true })
  t.assert.deepStrictEqual(events, [['loggedOut', undefined]])
})

// Flask-Login: test_login_persists
test('a login persists to the next requests', async (t: TestContext) => {
  const { request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/2' })
  for (let i = 0; i < 3; i++) {
    t.assert.strictEqual((await request('/whoami')).json().name, 'Steve')
  }
})

// Flask-Login: test_incorrect_id_logs_out
test('a userLoader that returns null or undefined makes the request anonymous and ends the login', async (t: TestContext) => {
  for (const missing of [null, undefined]) {
    let gone = false
    const { users, request } = await buildApp(t, {
      userLoader: (id) => gone ? missing : users.get(id)
    })
    await request({ method: 'POST', url: '/login/2' })
    gone = true
    t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous', String(missing))
    gone = false
    // the stale id was removed from the session (Flask-Login keeps it): it does not come back
    t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
  }
})

// Flask-Login: test_authentication_is_fresh
test('a normal login is fresh and not remembered', async (t: TestContext) => {
  const { request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1' })
  const me = (await request('/whoami')).json()
  t.assert.strictEqual(me.fresh, true)
  t.assert.strictEqual(me.remembered, false)
})

test('userLoader receives the id unchanged, as a string', async (t: TestContext) => {
  const seen: unknown[] = []
  const { users, request } = await buildApp(t, {
    userLoader: (id) => { seen.push(id); return users.get(id) ?? null }
  })
  await request({ method: 'POST', url: '/login/佐藤' })
  t.assert.strictEqual((await request('/whoami')).json().name, 'Müller')
  t.assert.deepStrictEqual(seen, ['佐藤'])
})

test('a userLoader that throws gives a 500 with the error logged, not a hang', async (t: TestContext) => {
  const logged: string[] = []
  const { request } = await buildApp(t, {
    userLoader: () => { throw new Error('database is down') }
  }, {
    server: {
      logger: {
        level: 'error',
        stream: { write: (line: string) => { logged.push(line) } }
      }
    }
  })
  await request({ method: 'POST', url: '/login/1' })
  const response = await request('/whoami')
  t.assert.strictEqual(response.statusCode, 500)
  t.assert.ok(logged.some((line) => line.includes('database is down')))
})

test('userLoader runs once per request at most, and not at all without a login', async (t: TestContext) => {
  let calls = 0
  const { users, request } = await buildApp(t, {
    userLoader: (id) => { calls++; return users.get(id) ?? null }
  })
  await request('/whoami')
  t.assert.strictEqual(calls, 0)
  await request({ method: 'POST', url: '/login/1' })
  calls = 0
  await request('/secret')
  t.assert.strictEqual(calls, 1)
})

test('loginUser refuses a user without a usable id with a coded error', async (t: TestContext) => {
  const { app } = await buildApp(t, {}, {
    routes: (app) => {
      app.post('/bad', async (request) => {
        await request.loginUser({ isActive: true, isAuthenticated: true, isAnonymous: false, getId: () => '' } as never)
      })
    }
  })
  const response = await app.inject({ method: 'POST', url: '/bad' })
  t.assert.strictEqual(response.statusCode, 500)
  t.assert.strictEqual(response.json().code, 'FST_LOGIN_INVALID_USER')
})
