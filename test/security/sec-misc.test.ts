// SEC-22..24: inactive/deleted users, events and logging hygiene, no tokens in URLs. Both engines.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Writable } from 'node:stream'
import { SECRET, buildApp, recordEvents } from '../helpers/app.js'
import { browserWith, isDeletion, setCookie } from '../helpers/remember.js'
import { REMEMBER, SESSION_COOKIE } from './sec-support.js'

test('SEC-22: an inactive user is refused by loginUser unless force, and force still fails the guards', async (t) => {
  const { request } = await buildApp(t)
  assert.deepStrictEqual((await request({ method: 'POST', url: '/login/3?remember=1' })).json(), { ok: false })
  assert.strictEqual((await request('/whoami')).json().anonymous, true)
  assert.deepStrictEqual((await request({ method: 'POST', url: '/login/3?force=1' })).json(), { ok: true })
  assert.strictEqual((await request('/secret')).statusCode, 401)
})

test('SEC-22: a remember cookie of a user who was deactivated or deleted is anonymous and deleted', async (t) => {
  for (const change of ['deactivate', 'delete'] as const) {
    const { app, users, request, jar } = await buildApp(t)
    await request({ method: 'POST', url: '/login/2?remember=1' })
    const value = jar.get(REMEMBER)
    if (change === 'deactivate') (users.get('2') as { active: boolean }).active = false
    else users.delete('2')
    const response = await browserWith(app, { [REMEMBER]: value }).request('/whoami')
    assert.strictEqual(response.json().anonymous, true, change)
    assert.ok(isDeletion(setCookie(response, REMEMBER)), change)
  }
})

test('SEC-22: a session of a user who was deleted is anonymous; deactivated fails every guard', async (t) => {
  const { users, request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/2' })
  ;(users.get('2') as { active: boolean }).active = false
  // Flask-Login parity (and API.md's force semantics): the session keeps the inactive user, but
  // isAuthenticated is false, so loginRequired/freshLoginRequired refuse it
  assert.strictEqual((await request('/secret')).statusCode, 401)
  assert.strictEqual((await request('/needs-refresh')).statusCode, 401)
  users.delete('2')
  assert.strictEqual((await request('/whoami')).json().anonymous, true)
})

test('SEC-23: the lifecycle emits loggedIn, loginConfirmed, loadedFromCookie, sessionProtected, unauthorized, needsRefresh, loggedOut', async (t) => {
  const { app, request, jar } = await buildApp(t, { sessionProtection: 'basic' })
  const events = recordEvents(app)
  await request('/secret')
  await request({ method: 'POST', url: '/login/1?remember=1&fresh=0' })
  await request('/needs-refresh')
  await request({ method: 'POST', url: '/confirm' })
  jar.delete(SESSION_COOKIE)
  await request('/whoami')
  await request({ url: '/whoami', headers: { 'user-agent': 'another browser' } })
  await request({ method: 'POST', url: '/logout' })
  const names = new Set(events.map(([name]) => name))
  for (const name of ['unauthorized', 'loggedIn', 'needsRefresh', 'loginConfirmed', 'loadedFromCookie', 'sessionProtected', 'loggedOut']) {
    assert.ok(names.has(name), name)
  }
})

test('SEC-23: no log line, at any level, holds a cookie value, signature or secret', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } })
  const { app, request, jar } = await buildApp(t, { sessionProtection: 'strong' }, { server: { logger: { level: 'trace', stream } } })
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const remember = jar.get(REMEMBER) as string
  const session = jar.get(SESSION_COOKIE) as string
  await request('/whoami')
  jar.delete(SESSION_COOKIE)
  await request('/whoami')
  const forged = remember.slice(0, -2) + 'xx'
  await browserWith(app, { [REMEMBER]: forged }).request('/whoami')
  await request({ url: '/whoami', headers: { 'user-agent': 'other' } })
  await request({ method: 'POST', url: '/logout' })
  assert.ok(lines.length > 0, 'the logger was used')
  const secrets = [SECRET, remember, session, forged, remember.split('.')[2] as string, session.split(/[.;]/).pop() as string]
  for (const line of lines) {
    for (const secret of secrets) {
      assert.ok(!line.includes(secret), `log line leaks a secret: ${line.slice(0, 200)}`)
    }
  }
})

test('SEC-24: the login redirect carries a path only, never a session or remember token', async (t) => {
  const { request, jar } = await buildApp(t, { loginView: '/login', refreshView: '/reauth' })
  const anonymous = await request('/secret?page=1')
  assert.strictEqual(anonymous.headers.location, '/login?next=%2Fsecret%3Fpage%3D1')
  await request({ method: 'POST', url: '/login/1?remember=1&fresh=0' })
  const refresh = await request('/needs-refresh')
  const location = String(refresh.headers.location)
  assert.strictEqual(location, '/reauth?next=%2Fneeds-refresh')
  for (const name of jar.names()) {
    assert.ok(!location.includes(jar.get(name) as string), name)
  }
})

test('SEC-24: session and remember tokens in the query string or headers other than Cookie are ignored', async (t) => {
  const { app, request, jar } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const session = encodeURIComponent(jar.get(SESSION_COOKIE) as string)
  const remember = encodeURIComponent(jar.get(REMEMBER) as string)
  const response = await app.inject({
    url: `/whoami?${SESSION_COOKIE}=${session}&${REMEMBER}=${remember}`,
    headers: { authorization: `Bearer ${remember}`, [REMEMBER]: remember }
  })
  assert.strictEqual(response.json().anonymous, true)
})
