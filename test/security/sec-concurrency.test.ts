// SEC-21: isolation and races — concurrent clients, a slow request in flight during logout, double
// logout. Engine-specific expectations are asserted for each engine.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp, type TestApp } from '../helpers/app.js'
import { User } from '../helpers/users.js'
import { browserWith, client, isDeletion, setCookie } from '../helpers/remember.js'
import { REMEMBER, SESSION_COOKIE, assertNo5xx, gate, isSessionStore, sessionCookieOf } from './sec-support.js'

test('SEC-21: 50 clients logging in at once each see only themselves', async (t) => {
  const { app, users } = await buildApp(t)
  const ids = Array.from({ length: 50 }, (_, i) => `c${i}`)
  for (const id of ids) users.set(id, new User(id, `Client ${id}`))
  const clients = ids.map(() => client(app))
  const logins = await Promise.all(clients.map((c, i) => c.request({ method: 'POST', url: `/login/${ids[i]}${i % 2 === 0 ? '?remember=1' : ''}` })))
  logins.forEach((response, i) => assert.deepStrictEqual(response.json(), { ok: true }, ids[i]))
  for (let round = 0; round < 2; round++) {
    const seen = await Promise.all(clients.map((c) => c.request('/whoami')))
    seen.forEach((response, i) => assert.strictEqual(response.json().name, `Client ${ids[i]}`, `round ${round}`))
  }
  // the remembered half comes back from the remember cookie alone, still each as itself
  const remembered = clients.filter((_, i) => i % 2 === 0)
  for (const c of remembered) c.jar.delete(SESSION_COOKIE)
  const restored = await Promise.all(remembered.map((c) => c.request('/whoami')))
  restored.forEach((response, i) => assert.strictEqual(response.json().name, `Client ${ids[i * 2]}`))
  // and 50 concurrent logouts leave every one anonymous
  await Promise.all(clients.map((c) => c.request({ method: 'POST', url: '/logout' })))
  const after = await Promise.all(clients.map((c) => c.request('/whoami')))
  after.forEach((response) => assert.strictEqual(response.json().anonymous, true))
})

/** An app with GET /slow that waits for `hold` after the user was loaded; `entered` resolves then. */
async function slowApp (t: Parameters<typeof buildApp>[0], options: Parameters<typeof buildApp>[1] = {}, write = false) {
  const hold = gate()
  const entered = gate()
  const built = await buildApp(t, options, {
    routes: (app: FastifyInstance) => {
      app.get('/slow', async (request) => {
        entered.open()
        await hold.promise
        if (write) (request as unknown as { session: { set (k: string, v: unknown): void } }).session.set('cart', 'late')
        return { name: request.currentUser.isAnonymous ? 'Anonymous' : (request.currentUser as User).name }
      })
    }
  })
  return { ...built, hold, entered }
}

async function raceLogout (built: TestApp & { hold: ReturnType<typeof gate>, entered: ReturnType<typeof gate> }) {
  const { request, jar, hold, entered } = built
  const before = jar.get(SESSION_COOKIE)
  const slow = built.app.inject({ url: '/slow', headers: { cookie: jar.header() } })
  await entered.promise
  const logout = await request({ method: 'POST', url: '/logout' })
  hold.open()
  return { before, logout, slow: await slow }
}

test('SEC-21: a slow request in flight during logout does not bring the old login back', async (t) => {
  const built = await slowApp(t)
  await built.request({ method: 'POST', url: '/login/1' })
  const { before, slow } = await raceLogout(built)
  assertNo5xx(slow, 'slow')
  assert.strictEqual(slow.json().name, 'Notch', 'the slow request started logged in')
  const reissued = sessionCookieOf(slow)
  if (isSessionStore) {
    // @fastify/session: the old id was destroyed at logout; the guarded save does not restore it
    assert.strictEqual((await browserWith(built.app, { [SESSION_COOKIE]: before }).request('/whoami')).json().anonymous, true)
    if (reissued !== undefined) {
      assert.strictEqual((await browserWith(built.app, { [SESSION_COOKIE]: reissued }).request('/whoami')).json().anonymous, true)
    }
  } else {
    // @fastify/secure-session: the slow request did not change the session, so it sends no cookie
    assert.strictEqual(reissued, undefined)
  }
  // a browser that applies the slow response last is still logged out
  built.jar.take(slow)
  assert.strictEqual((await built.request('/whoami')).json().anonymous, true)
})

test('SEC-21/SEC-27: a slow request that writes the session during logout does not bring the login back', async (t) => {
  const built = await slowApp(t, {}, true)
  await built.request({ method: 'POST', url: '/login/1' })
  const { slow } = await raceLogout(built)
  assertNo5xx(slow, 'slow')
  if (!isSessionStore) {
    // @fastify/secure-session: the answer re-issues the session it read, login included; the
    // browser's logout count (set by the logout) ends that login on the next request
    assert.ok(sessionCookieOf(slow) !== undefined, 'the slow request wrote the session')
  }
  built.jar.take(slow)
  const after = (await built.request('/whoami')).json()
  assert.strictEqual(after.anonymous, true, 'the login written back by the slow request is not taken')
})

test('SEC-21: a slow request with refreshEachRequest does not re-issue the remember cookie after logout', async (t) => {
  const built = await slowApp(t, { rememberCookie: { refreshEachRequest: true } })
  await built.request({ method: 'POST', url: '/login/1?remember=1' })
  const { logout, slow } = await raceLogout(built)
  assert.ok(isDeletion(setCookie(logout, REMEMBER)))
  assertNo5xx(slow, 'slow')
  const reissued = setCookie(slow, REMEMBER)
  if (isSessionStore) {
    // the session was destroyed while the request was in flight: no remember cookie goes out
    assert.ok(reissued === undefined || isDeletion(reissued), 'the slow response re-issued the remember cookie')
  } else {
    // secure-session cannot know about the logout as the request ends: the refresh goes out, but
    // the browser's logout count refuses it (SEC-27)
    assert.ok(reissued !== undefined && !isDeletion(reissued))
    built.jar.take(slow)
    built.jar.delete(SESSION_COOKIE)
    const restored = await built.request('/whoami')
    assert.strictEqual(restored.json().anonymous, true, 'the re-issued remember cookie restores nobody')
    assert.ok(isDeletion(setCookie(restored, REMEMBER)))
  }
})

test('SEC-21: double logout, sequential and concurrent, is harmless', async (t) => {
  const { app, request, jar } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const cookie = jar.header()
  const both = await Promise.all([0, 1].map(() => app.inject({ method: 'POST', url: '/logout', headers: { cookie } })))
  for (const response of both) {
    assert.deepStrictEqual([response.statusCode, response.json()], [200, { ok: true }])
  }
  for (const response of both) jar.take(response)
  assert.strictEqual((await request({ method: 'POST', url: '/logout' })).statusCode, 200)
  assert.strictEqual((await request('/whoami')).json().anonymous, true)
})

test('SEC-21: the user lives on the request — two apps in one process never share a current user', async (t) => {
  const first = await buildApp(t)
  const second = await buildApp(t)
  await first.request({ method: 'POST', url: '/login/1' })
  await second.request({ method: 'POST', url: '/login/2' })
  const [a, b, anon] = await Promise.all([first.request('/whoami'), second.request('/whoami'), first.app.inject('/whoami')])
  assert.deepStrictEqual([a.json().name, b.json().name, anon.json().name], ['Notch', 'Steve', 'Anonymous'])
})
