// SEC-19: Cache-Control: no-store on responses that set or clear login cookies, Vary: Cookie on
// responses that loaded the user. Both engines.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { buildApp } from '../helpers/app.js'
import { advance, browserWith, installClock, setCookie } from '../helpers/remember.js'
import { REMEMBER, SESSION_COOKIE, isSessionStore, noStore, variesOnCookie } from './sec-support.js'

function setsLoginCookie (response: LightMyRequestResponse): boolean {
  return setCookie(response, REMEMBER) !== undefined || setCookie(response, SESSION_COOKIE) !== undefined
}

test('SEC-19: login, remember login, confirm and logout responses carry Cache-Control: no-store', async (t) => {
  const { request } = await buildApp(t)
  const steps: Array<[string, Parameters<typeof request>[0]]> = [
    ['login', { method: 'POST', url: '/login/1' }],
    ['login with remember', { method: 'POST', url: '/login/1?remember=1&fresh=0' }],
    ['confirm', { method: 'POST', url: '/confirm' }],
    ['logout', { method: 'POST', url: '/logout' }],
    ['logout again', { method: 'POST', url: '/logout' }]
  ]
  for (const [label, options] of steps) {
    const response = await request(options)
    if (label !== 'logout again') {
      assert.ok(setsLoginCookie(response), `${label} sets a login cookie`)
    }
    assert.ok(noStore(response), `${label}: cache-control ${String(response.headers['cache-control'])}`)
  }
})

test('SEC-19: a login restored from the remember cookie, and a refused remember cookie, are no-store', async (t) => {
  const { app, request, jar } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const restored = await browserWith(app, { [REMEMBER]: jar.get(REMEMBER) }).request('/whoami')
  assert.strictEqual(restored.json().name, 'Notch')
  assert.ok(noStore(restored) && variesOnCookie(restored))
  const refused = await browserWith(app, { [REMEMBER]: 'forged' }).request('/whoami')
  assert.ok(setCookie(refused, REMEMBER) !== undefined && noStore(refused) && variesOnCookie(refused))
})

test('SEC-19: refreshEachRequest re-issues are no-store; a timed-out login is cleared with no-store', async (t) => {
  const clock = installClock(t)
  const { request } = await buildApp(t, { rememberCookie: { refreshEachRequest: true }, idleTimeout: 60 })
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const refreshed = await request('/whoami')
  assert.ok(setCookie(refreshed, REMEMBER) !== undefined && noStore(refreshed))
  advance(clock, 61)
  const ended = await request('/whoami')
  assert.ok(noStore(ended), 'the response that ended the login')
})

test('SEC-19: every response that loaded a user from a cookie says Vary: Cookie, merged with an existing Vary', async (t) => {
  const { request } = await buildApp(t, {}, {
    routes: (app) => {
      app.get('/negotiated', async (request, reply) => { reply.header('vary', 'Accept-Encoding'); return { anonymous: request.currentUser.isAnonymous } })
    }
  })
  await request({ method: 'POST', url: '/login/1' })
  for (const url of ['/whoami', '/secret', '/needs-refresh']) {
    assert.ok(variesOnCookie(await request(url)), url)
  }
  const merged = await request('/negotiated')
  assert.match(String(merged.headers.vary), /Accept-Encoding/)
  assert.ok(variesOnCookie(merged))
})

test('SEC-19: during a login every response that sends a login cookie is no-store or at least Vary: Cookie', async (t) => {
  // @fastify/session (rolling: true, its default) re-sends the session cookie on every response;
  // a shared cache must key such a response on Cookie (Flask CVE-2023-30861)
  const { request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  for (const url of ['/whoami', '/secret', '/needs-refresh', '/whoami']) {
    const response = await request(url)
    if (setsLoginCookie(response)) {
      assert.ok(noStore(response) || variesOnCookie(response), `${url} sets a cookie without no-store or Vary`)
    }
  }
})

test('SEC-19: the session cookie re-sent on every response (engine-specific) is no-store', async (t) => {
  const { request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1' })
  const response = await request('/whoami')
  if (isSessionStore) {
    // @fastify/session with rolling: true re-sends Set-Cookie: sessionId=… on each response
    assert.ok(setCookie(response, SESSION_COOKIE) !== undefined)
    assert.ok(noStore(response), 'a response that sets the session cookie must be no-store (SEC-19)')
  } else {
    // @fastify/secure-session writes the cookie only when the session changed
    assert.strictEqual(setCookie(response, SESSION_COOKIE), undefined)
  }
})

test('SEC-19: an anonymous request without cookies gets neither no-store nor Set-Cookie from the plugin', async (t) => {
  const { request } = await buildApp(t)
  const response = await request('/whoami')
  assert.strictEqual(response.headers['set-cookie'], undefined)
  assert.ok(!noStore(response))
})
