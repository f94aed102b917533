import { test, type TestContext } from 'node:test'
import { buildApp, recordEvents, SECRET, SESSION_COOKIE } from '../helpers/app.js'
import { User } from '../helpers/users.js'
import { browserWith, isDeletion, REMEMBER, setCookie } from '../helpers/remember.js'

const OLD_SECRET = 'the-old-secret-that-is-32-bytes-long!'
const NEW_SECRET = 'the-new-secret-that-is-32-bytes-long!'

// Flask-Login: test_remember_me
test('the remember cookie restores the login after the browser was closed: not fresh, remembered', async (t: TestContext) => {
  const { jar, request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  jar.closeBrowser()
  t.assert.deepStrictEqual(jar.names(), [REMEMBER])
  t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Notch', fresh: false, remembered: true, anonymous: false })
  // the restored login was written into a session: it holds without the remember cookie too
  jar.delete(REMEMBER)
  t.assert.strictEqual((await request('/whoami')).json().name, 'Notch')
})

// Flask-Login: test_remember_me_custom_duration
test('a login remembered for a custom duration is restored the same way', async (t: TestContext) => {
  const { jar, request } = await buildApp(t)
  const login = await request({ method: 'POST', url: '/login/1?remember=1&duration=25200' })
  t.assert.strictEqual(setCookie(login, REMEMBER)?.maxAge, 25200)
  jar.closeBrowser()
  t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Notch', fresh: false, remembered: true, anonymous: false })
})

// Flask-Login: test_remember_me_is_unfresh
test('a login restored from the remember cookie passes loginRequired but not freshLoginRequired', async (t: TestContext) => {
  const { jar, request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  jar.closeBrowser()
  t.assert.strictEqual((await request('/needs-refresh')).statusCode, 401)
  const secret = await request('/secret')
  t.assert.strictEqual(secret.statusCode, 200)
  t.assert.strictEqual(secret.json().fresh, false)
})

// Flask-Login: test_user_loaded_from_cookie_fired
test('loadedFromCookie fires once, with the user, on the request that restored the login', async (t: TestContext) => {
  const { app, jar, request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  jar.closeBrowser()
  const events = recordEvents(app)
  await request('/whoami')
  await request('/whoami')
  t.assert.deepStrictEqual(events.filter(([name]) => name === 'loadedFromCookie'), [['loadedFromCookie', 'Notch']])
})

// Flask-Login: test_logout_stays_logged_out_with_remember_me
test('logout deletes the remember cookie and the login does not come back', async (t: TestContext) => {
  const { jar, request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const logout = await request({ method: 'POST', url: '/logout' })
  t.assert.ok(isDeletion(setCookie(logout, REMEMBER)))
  t.assert.ok(!jar.names().includes(REMEMBER))
  jar.closeBrowser()
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})

// Flask-Login: test_logout_stays_logged_out_with_remember_me_custom_duration
test('logout deletes a remember cookie set with a custom duration, and the login does not come back', async (t: TestContext) => {
  const { jar, request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1&duration=3600' })
  t.assert.ok(jar.names().includes(REMEMBER))
  const logout = await request({ method: 'POST', url: '/logout' })
  t.assert.ok(isDeletion(setCookie(logout, REMEMBER)))
  jar.closeBrowser()
  // the browser keeps the count of its logouts, which logs nobody in (SEC-27)
  t.assert.deepStrictEqual(jar.names(), [`${SESSION_COOKIE}_logouts`])
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})

test('logout deletes the remember cookie with the Path, Domain, Secure and SameSite it was set with', async (t: TestContext) => {
  const rememberCookie = { name: 'keep', path: '/app', domain: 'example.com', secure: true, sameSite: 'strict' } as const
  for (const login of ['/login/1?remember=1', '/login/1?remember=1&duration=3600']) {
    const { request } = await buildApp(t, { rememberCookie })
    const set = setCookie(await request({ method: 'POST', url: login }), 'keep')
    const cleared = setCookie(await request({ method: 'POST', url: '/logout' }), 'keep')
    t.assert.ok(set !== undefined && !isDeletion(set), login)
    t.assert.ok(isDeletion(cleared), login)
    for (const attribute of ['path', 'domain', 'secure', 'sameSite'] as const) {
      t.assert.strictEqual(cleared?.[attribute], set?.[attribute], `${login}: ${attribute}`)
    }
    t.assert.deepStrictEqual([set?.path, set?.domain, set?.secure, set?.sameSite], ['/app', 'example.com', true, 'Strict'])
  }
})

test('logout without a remember cookie in the request sends no deletion of it', async (t: TestContext) => {
  const { request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1' })
  t.assert.strictEqual(setCookie(await request({ method: 'POST', url: '/logout' }), REMEMBER), undefined)
})

// Flask-Login: test_confirm_login
test('confirmLogin makes a restored login fresh, and it stays remembered', async (t: TestContext) => {
  const { jar, request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  jar.closeBrowser()
  t.assert.strictEqual((await request('/whoami')).json().fresh, false)
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/confirm' })).json(), { fresh: true })
  t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Notch', fresh: true, remembered: true, anonymous: false })
  t.assert.strictEqual((await request('/needs-refresh')).statusCode, 200)
})

// Flask-Login: test_user_login_confirmed_signal_fired
test('confirmLogin emits loginConfirmed once with the user', async (t: TestContext) => {
  const { app, jar, request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  jar.closeBrowser()
  await request('/whoami')
  const events = recordEvents(app)
  await request({ method: 'POST', url: '/confirm' })
  t.assert.deepStrictEqual(events.filter(([name]) => name === 'loginConfirmed'), [['loginConfirmed', 'Notch']])
})

// Flask-Login: test_invalid_remember_cookie
test('a tampered remember cookie is ignored: anonymous, and the browser is told to drop it', async (t: TestContext) => {
  const { jar, request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const genuine = jar.get(REMEMBER) as string
  const last = genuine.at(-1) === 'A' ? 'B' : 'A'
  for (const value of ['foo', genuine.slice(0, -1) + last, genuine.replace(/^[^.]+/, (p) => p.slice(0, -1))]) {
    const browser = browserWith((await buildApp(t)).app, { [REMEMBER]: value })
    const response = await browser.request('/whoami')
    t.assert.strictEqual(response.statusCode, 200, value)
    t.assert.strictEqual(response.json().name, 'Anonymous', value)
    t.assert.ok(isDeletion(setCookie(response, REMEMBER)), value)
  }
})

// Flask-Login: test_remember_me_username, test_remember_me_user_id
test('a unicode user id round-trips through the remember cookie', async (t: TestContext) => {
  const { jar, request } = await buildApp(t, {}, {
    routes: (app) => { app.get('/id', async (req) => ({ id: req.currentUser.getId() })) }
  })
  await request({ method: 'POST', url: '/login/佐藤?remember=1' })
  jar.closeBrowser()
  t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Müller', fresh: false, remembered: true, anonymous: false })
  t.assert.deepStrictEqual((await request('/id')).json(), { id: '佐藤' })
})

test('user ids "__proto__" and "constructor" round-trip through the remember cookie', async (t: TestContext) => {
  for (const id of ['__proto__', 'constructor']) {
    const { jar, request } = await buildApp(t, {}, {
      routes: (_app, users) => { users.set(id, new User(id, `user ${id}`)) }
    })
    await request({ method: 'POST', url: `/login/${id}?remember=1` })
    jar.closeBrowser()
    const response = await request('/whoami')
    t.assert.strictEqual(response.statusCode, 200, id)
    t.assert.strictEqual(response.json().name, `user ${id}`)
  }
})

test('ids holding separators, quotes, CR/LF or NUL round-trip through the remember cookie', async (t: TestContext) => {
  const ids = ['a|b', 'a.b', 'a;b', 'a,b', '"quoted"', 'line\r\nbreak', 'nul\u0000byte', '%2F', ' spaced ']
  const { app } = await buildApp(t, {}, {
    routes: (app, users) => {
      for (const id of ids) users.set(id, new User(id, `user ${JSON.stringify(id)}`))
      app.post<{ Body: { id: string } }>('/login-id', async (req) => ({ ok: await req.loginUser(users.get(req.body.id) as never, { remember: true }) }))
    }
  })
  for (const id of ids) {
    const browser = browserWith(app, {})
    const login = await browser.request({ method: 'POST', url: '/login-id', payload: { id } })
    t.assert.strictEqual(login.statusCode, 200, JSON.stringify(id))
    browser.jar.closeBrowser()
    const response = await browser.request('/whoami')
    t.assert.strictEqual(response.json().name, `user ${JSON.stringify(id)}`)
  }
})

test('the remember cookie is set only by a login with remember: true (SEC-14)', async (t: TestContext) => {
  const { jar, request } = await buildApp(t)
  const plain = await request({ method: 'POST', url: '/login/1' })
  t.assert.strictEqual(setCookie(plain, REMEMBER), undefined)
  for (let i = 0; i < 2; i++) {
    t.assert.strictEqual(setCookie(await request('/whoami'), REMEMBER), undefined)
  }
  jar.closeBrowser()
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
  const remembered = await request({ method: 'POST', url: '/login/1?remember=1' })
  const cookie = setCookie(remembered, REMEMBER)
  t.assert.ok(cookie !== undefined && !isDeletion(cookie))
})

test('a later login without remember deletes the remember cookie of an earlier login', async (t: TestContext) => {
  const { jar, request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const second = await request({ method: 'POST', url: '/login/2' })
  t.assert.ok(isDeletion(setCookie(second, REMEMBER)))
  jar.closeBrowser()
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})

test('key rotation: a cookie signed with an older listed secret is accepted and re-issued with the current one', async (t: TestContext) => {
  const before = await buildApp(t, { secret: OLD_SECRET })
  await before.request({ method: 'POST', url: '/login/1?remember=1&duration=3600' })
  const oldCookie = before.jar.get(REMEMBER) as string

  const rotated = await buildApp(t, { secret: [NEW_SECRET, OLD_SECRET] })
  const response = await browserWith(rotated.app, { [REMEMBER]: oldCookie }).request('/whoami')
  t.assert.strictEqual(response.json().name, 'Notch')
  const reissued = setCookie(response, REMEMBER)
  t.assert.ok(reissued !== undefined && !isDeletion(reissued))
  t.assert.notStrictEqual(reissued.value, oldCookie)
  // the server-side lifetime is not extended by the re-issue
  t.assert.ok((reissued.maxAge as number) <= 3600)

  const after = await buildApp(t, { secret: NEW_SECRET })
  t.assert.strictEqual((await browserWith(after.app, { [REMEMBER]: reissued.value }).request('/whoami')).json().name, 'Notch')
  t.assert.strictEqual((await browserWith(after.app, { [REMEMBER]: oldCookie }).request('/whoami')).json().name, 'Anonymous')
})

test('a cookie signed with the current secret is not re-issued', async (t: TestContext) => {
  const { app, jar, request } = await buildApp(t, { secret: [NEW_SECRET, OLD_SECRET] })
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const response = await browserWith(app, { [REMEMBER]: jar.get(REMEMBER) }).request('/whoami')
  t.assert.strictEqual(response.json().name, 'Notch')
  t.assert.strictEqual(setCookie(response, REMEMBER), undefined)
})

test('a cookie signed with a secret that is no longer listed is refused and deleted', async (t: TestContext) => {
  const before = await buildApp(t, { secret: [OLD_SECRET] })
  await before.request({ method: 'POST', url: '/login/1?remember=1' })
  const after = await buildApp(t, { secret: [NEW_SECRET, SECRET] })
  const response = await browserWith(after.app, { [REMEMBER]: before.jar.get(REMEMBER) }).request('/whoami')
  t.assert.strictEqual(response.json().name, 'Anonymous')
  t.assert.ok(isDeletion(setCookie(response, REMEMBER)))
})

test('a remember cookie of an inactive or deleted user makes the request anonymous and is deleted (SEC-22)', async (t: TestContext) => {
  for (const [id, gone] of [['3', 'inactive'], ['1', 'deleted']] as const) {
    const { jar, users, request } = await buildApp(t)
    await request({ method: 'POST', url: `/login/${id}?remember=1&force=1` })
    t.assert.ok(jar.names().includes(REMEMBER), gone)
    if (gone === 'deleted') {
      users.delete(id)
    }
    jar.closeBrowser()
    const response = await request('/whoami')
    t.assert.strictEqual(response.statusCode, 200, gone)
    t.assert.strictEqual(response.json().name, 'Anonymous', gone)
    t.assert.ok(isDeletion(setCookie(response, REMEMBER)), gone)
  }
})

test('hostile remember cookies make the request anonymous, never a 5xx', async (t: TestContext) => {
  const { jar, request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const genuine = jar.get(REMEMBER) as string
  const other = await buildApp(t, { secret: OLD_SECRET })
  await other.request({ method: 'POST', url: '/login/1?remember=1' })
  const otherKey = other.jar.get(REMEMBER) as string
  const [payload, time, signature] = genuine.split('.') as [string, string, string]
  const forgedPayload = Buffer.from(JSON.stringify({ u: '2', d: 31536000 })).toString('base64url')

  const { app } = await buildApp(t)
  const values = [
    '', '.', '..', `${payload}.${time}.`, `${payload}.${time}.${signature.slice(0, 20)}`,
    `${genuine}garbage`, `${genuine}.garbage`, `${genuine}=`, `"${genuine}"`,
    `${payload}.${time}.${signature.toUpperCase()}`, `${forgedPayload}.${time}.${signature}`,
    otherKey, 'x'.repeat(100_000), `${genuine}${'A'.repeat(100_000)}`,
    '%FF%FE%FD', '%E0%A4%A', '\u00ff\u00fe', '1|0e9e6e9855fbe6df7906ec4737578a1d491b38d3fd5246c1561016e189d6516043286501ca43257c938e60aad77acec5ce916b94ca9d00c0bb6f9883ae4b82ae',
    jar.get('session') ?? jar.get('sessionId') ?? 'none'
  ]
  for (const value of values) {
    const response = await app.inject({ url: '/whoami', headers: { cookie: `${REMEMBER}=${value}` } })
    t.assert.strictEqual(response.statusCode, 200, value.slice(0, 60))
    t.assert.strictEqual(response.json().name, 'Anonymous', value.slice(0, 60))
  }
  // and the genuine cookie still works on this app (same secret): the loop above could fail
  const response = await app.inject({ url: '/whoami', headers: { cookie: `${REMEMBER}=${genuine}` } })
  t.assert.strictEqual(response.json().name, 'Notch')
})

test('a correctly signed remember cookie with a payload fastify-login did not write is refused and deleted', async (t: TestContext) => {
  const { URLSafeTimedSerializer } = await import('fastify-login')
  // the remember cookie's own salt (README: "The remember cookie")
  const signer = new URLSafeTimedSerializer(SECRET, { salt: 'fastify-login.remember' })
  const payloads: unknown[] = [
    'just a string',
    null,
    { u: '1' },
    { u: '1', d: -5 },
    { u: '1', d: '100' },
    { d: 100 },
    { u: '', d: 100 },
    { u: '1', k: 'token', d: 100 },
    { u: '1', d: 100, h: 42 },
    // the browser's logouts before the login (login/logout-count.ts): a positive integer
    { u: '1', d: 100, n: 0 },
    { u: '1', d: 100, n: -1 },
    { u: '1', d: 100, n: 1.5 },
    { u: '1', d: 100, n: '2' }
  ]
  for (const payload of payloads) {
    const browser = browserWith((await buildApp(t)).app, { [REMEMBER]: signer.dumps(payload) })
    const response = await browser.request('/whoami')
    t.assert.strictEqual(response.statusCode, 200, JSON.stringify(payload))
    t.assert.strictEqual(response.json().name, 'Anonymous', JSON.stringify(payload))
    t.assert.ok(isDeletion(setCookie(response, REMEMBER)), JSON.stringify(payload))
  }
  // the same signer with a well-formed payload is accepted: the refusals above are about the payload
  const browser = browserWith((await buildApp(t)).app, { [REMEMBER]: signer.dumps({ u: '1', d: 100 }) })
  t.assert.strictEqual((await browser.request('/whoami')).json().name, 'Notch')
  const counted = browserWith((await buildApp(t)).app, { [REMEMBER]: signer.dumps({ u: '1', d: 100, n: 2 }) })
  t.assert.strictEqual((await counted.request('/whoami')).json().name, 'Notch')
})

test('confirmLogin marks the login fresh at once, before its promise settles', async (t: TestContext) => {
  const { jar, request } = await buildApp(t, {}, {
    routes: (app) => {
      app.post('/confirm-sync', async (req) => {
        const before = req.loginFresh()
        const pending = req.confirmLogin()
        const during = req.loginFresh()
        await pending
        return { before, during, after: req.loginFresh() }
      })
    }
  })
  await request({ method: 'POST', url: '/login/1?remember=1' })
  jar.closeBrowser()
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/confirm-sync' })).json(), { before: false, during: true, after: true })
  t.assert.strictEqual((await request('/whoami')).json().fresh, true)
})
