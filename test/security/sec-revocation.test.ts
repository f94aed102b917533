// SEC-05..08: revocation through the session auth hash, server-side expiry of the remember cookie,
// idle/absolute timeouts from server-side timestamps, freshness. Both engines.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildApp, recordEvents } from '../helpers/app.js'
import { HashedUser } from '../helpers/users.js'
import { advance, browserWith, client, installClock, isDeletion, putInSession, sessionRoutes, setCookie } from '../helpers/remember.js'
import { REMEMBER, SESSION_COOKIE, assertNo5xx } from './sec-support.js'

test('SEC-05: a password change logs out every other session and remember cookie of the user', async (t) => {
  const { app, users } = await buildApp(t, {}, {
    routes: (app, users) => {
      // the app's "change password" view: new hash, then loginUser again keeps this browser in
      app.post<{ Params: { id: string } }>('/password/:id', async (request) => {
        const user = users.get(request.params.id) as HashedUser
        user.passwordHash = 'pw-2'
        return { ok: await request.loginUser(user) }
      })
    }
  })
  users.set('9', new HashedUser('9', 'Hashed', 'pw-1'))
  const laptop = client(app)
  const phone = client(app)
  const rememberOnly = client(app)
  await laptop.request({ method: 'POST', url: '/login/9' })
  await phone.request({ method: 'POST', url: '/login/9' })
  await rememberOnly.request({ method: 'POST', url: '/login/9?remember=1' })
  rememberOnly.jar.delete(SESSION_COOKIE)
  for (const browser of [laptop, phone, rememberOnly]) {
    assert.strictEqual((await browser.request('/whoami')).json().name, 'Hashed')
  }
  const changed = await laptop.request({ method: 'POST', url: '/password/9' })
  assert.deepStrictEqual(changed.json(), { ok: true })
  // the browser that changed the password stays logged in (Django update_session_auth_hash)
  assert.strictEqual((await laptop.request('/whoami')).json().name, 'Hashed')
  assert.strictEqual((await phone.request('/whoami')).json().anonymous, true)
  rememberOnly.jar.delete(SESSION_COOKIE)
  const stale = await rememberOnly.request('/whoami')
  assert.strictEqual(stale.json().anonymous, true)
  assert.ok(isDeletion(setCookie(stale, REMEMBER)), 'the stale remember cookie is deleted')
})

test('SEC-05: the auth hash revokes a copied session cookie, on secure-session too', async (t) => {
  const { app, users, request, jar } = await buildApp(t)
  const user = new HashedUser('9', 'Hashed', 'pw-1')
  users.set('9', user)
  await request({ method: 'POST', url: '/login/9' })
  const copy = browserWith(app, { [SESSION_COOKIE]: jar.get(SESSION_COOKIE) })
  assert.strictEqual((await copy.request('/whoami')).json().name, 'Hashed')
  user.passwordHash = 'pw-2'
  assert.strictEqual((await copy.request('/whoami')).json().anonymous, true)
})

test('SEC-06: a remember cookie is refused one second after its duration even if the client keeps it', async (t) => {
  const clock = installClock(t)
  const { app, request, jar } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1&duration=3600' })
  const value = jar.get(REMEMBER)
  advance(clock, 3599)
  assert.strictEqual((await browserWith(app, { [REMEMBER]: value }).request('/whoami')).json().name, 'Notch')
  advance(clock, 2)
  const late = await browserWith(app, { [REMEMBER]: value }).request('/whoami')
  assert.strictEqual(late.json().anonymous, true)
  assert.ok(isDeletion(setCookie(late, REMEMBER)))
})

test('SEC-06: the default duration (365 days) is enforced by the server too', async (t) => {
  const clock = installClock(t)
  const { app, request, jar } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const value = jar.get(REMEMBER)
  advance(clock, 365 * 24 * 3600 + 1)
  assert.strictEqual((await browserWith(app, { [REMEMBER]: value }).request('/whoami')).json().anonymous, true)
})

test('SEC-07: idleTimeout ends a session login from server-side time, a replayed cookie too', async (t) => {
  const clock = installClock(t)
  const { app, request, jar } = await buildApp(t, { idleTimeout: 60 }, { routes: sessionRoutes })
  await request({ method: 'POST', url: '/login/1' })
  const copied = jar.get(SESSION_COOKIE)
  for (let i = 0; i < 3; i++) {
    advance(clock, 50)
    assert.strictEqual((await request('/whoami')).json().name, 'Notch', 'activity keeps the login alive')
  }
  advance(clock, 61)
  const ended = await request('/whoami')
  assertNo5xx(ended, 'idle expiry')
  assert.strictEqual(ended.json().anonymous, true)
  assert.strictEqual((await request('/session')).json()._user_id, undefined, 'the login is cleared from the session')
  // the copy taken right after login is long idle: refused whatever its cookie attributes say
  const replay = (await browserWith(app, { [SESSION_COOKIE]: copied }).request('/whoami')).json()
  assert.strictEqual(replay.anonymous, true)
})

test('SEC-07: absoluteTimeout ends a login however active it is', async (t) => {
  const clock = installClock(t)
  const { request } = await buildApp(t, { absoluteTimeout: 100, idleTimeout: 60 })
  await request({ method: 'POST', url: '/login/1' })
  advance(clock, 50)
  assert.strictEqual((await request('/whoami')).json().name, 'Notch')
  advance(clock, 49)
  assert.strictEqual((await request('/whoami')).json().name, 'Notch')
  advance(clock, 2)
  assert.strictEqual((await request('/whoami')).json().anonymous, true)
})

test('SEC-07: a session with timestamps of the wrong type is treated as expired, never a 5xx', async (t) => {
  for (const [key, value] of [['_login_at', 'yesterday'], ['_seen_at', null], ['_login_at', [1]], ['_seen_at', { n: 1 }]] as const) {
    const { request } = await buildApp(t, { absoluteTimeout: 100, idleTimeout: 60 }, { routes: sessionRoutes })
    await request({ method: 'POST', url: '/login/1' })
    await putInSession(request, key, value)
    const response = await request('/whoami')
    assertNo5xx(response, `${key}=${JSON.stringify(value)}`)
    assert.strictEqual(response.json().anonymous, true, `${key}=${JSON.stringify(value)}`)
  }
})

test('SEC-08: a login restored from the remember cookie is not fresh and fires loadedFromCookie', async (t) => {
  const { app, request, jar } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  jar.delete(SESSION_COOKIE)
  const events = recordEvents(app)
  assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Notch', fresh: false, remembered: true, anonymous: false })
  assert.ok(events.some(([name, user]) => name === 'loadedFromCookie' && user === 'Notch'))
})

test('SEC-08: freshLoginRequired on a non-fresh login redirects to refreshView with next and never runs the handler', async (t) => {
  let ran = 0
  const { app, request } = await buildApp(t, { refreshView: '/reauth' }, {
    routes: (app) => { app.get('/transfer', { preHandler: app.freshLoginRequired }, async () => { ran++; return { ok: true } }) }
  })
  const events = recordEvents(app)
  await request({ method: 'POST', url: '/login/1?fresh=0' })
  const response = await request('/transfer?amount=5')
  assert.strictEqual(response.statusCode, 302)
  assert.strictEqual(response.headers.location, '/reauth?next=%2Ftransfer%3Famount%3D5')
  assert.strictEqual(ran, 0)
  assert.ok(events.some(([name]) => name === 'needsRefresh'))
  await request({ method: 'POST', url: '/confirm' })
  assert.strictEqual((await request('/transfer')).statusCode, 200)
  assert.strictEqual(ran, 1)
})

test('SEC-08: without refreshView a non-fresh login gets 401 and the handler never runs', async (t) => {
  let ran = 0
  const { request } = await buildApp(t, {}, {
    routes: (app) => { app.get('/transfer', { preHandler: app.freshLoginRequired }, async () => { ran++; return { ok: true } }) }
  })
  await request({ method: 'POST', url: '/login/1?fresh=0' })
  for (const method of ['GET', 'HEAD'] as const) {
    const response = await request({ method, url: '/transfer' })
    assert.strictEqual(response.statusCode, 401, method)
  }
  assert.strictEqual(ran, 0)
})
