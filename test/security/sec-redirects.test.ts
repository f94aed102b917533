// SEC-16..18 end to end: the plugin's own login redirects, safeNextUrl behind a form login, hostile
// Host / X-Forwarded-Host with trustProxy on and off. The unit corpus of isSafeUrl and
// toSafeLocation lives in safe-url.test.ts, safe-url.property.test.ts and location.test.ts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../helpers/app.js'
import { putInSession, sessionRoutes } from '../helpers/remember.js'
import { assertNo5xx } from './sec-support.js'

const HOSTILE_HOSTS = [
  { host: 'evil.example' },
  { host: 'good.example', 'x-forwarded-host': 'evil.example' },
  { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' }
]

function locationOf (response: LightMyRequestResponse): string {
  return String(response.headers.location ?? '')
}

/** Every Location the plugin emits: printable ASCII, no leading // or /\, a 3xx. */
function assertSafeRedirect (response: LightMyRequestResponse, what: string): void {
  const location = locationOf(response)
  assert.ok(response.statusCode >= 300 && response.statusCode < 400, `${what}: status ${response.statusCode}`)
  assert.match(location, /^[\x21-\x7e]+$/, `${what}: ${JSON.stringify(location)}`)
  assert.doesNotMatch(location, /^[/\\]{2}/, `${what}: ${location}`)
}

/** A login form that redirects to request.safeNextUrl('/home') after loginUser (Flask-Login's recipe). */
function formLogin (app: FastifyInstance, users: Map<string, unknown>): void {
  app.post<{ Querystring: Record<string, unknown> }>('/form-login', async (request, reply) => {
    await request.loginUser(users.get('1') as never)
    return reply.redirect(request.safeNextUrl('/home'), 303)
  })
  app.get('/after', async (request, reply) => reply.redirect(request.safeNextUrl('/home'), 303))
}

test('SEC-16: a relative login view gets next = path and query of the request', async (t) => {
  const { request } = await buildApp(t, { loginView: '/login?lang=en' })
  const response = await request('/secret?a=1&b=%2F')
  assert.strictEqual(response.statusCode, 302)
  assert.strictEqual(locationOf(response), '/login?lang=en&next=%2Fsecret%3Fa%3D1%26b%3D%252F')
})

test('SEC-16: a hostile Host or X-Forwarded-Host never appears in the redirect to a relative login view (trustProxy on and off)', async (t) => {
  for (const trustProxy of [false, true]) {
    const { app } = await buildApp(t, { loginView: '/login' }, { server: { trustProxy } })
    for (const headers of HOSTILE_HOSTS) {
      const response = await app.inject({ url: '/secret?x=1', headers })
      assertSafeRedirect(response, `${trustProxy} ${JSON.stringify(headers)}`)
      assert.strictEqual(locationOf(response), '/login?next=%2Fsecret%3Fx%3D1')
    }
  }
})

// API.md "Precise rules": a login view on another host gets the request's absolute URL, on
// request.host when no forceHostForRedirects is set (set it to keep Host out of next altogether)
test('SEC-16: a login view on another host gets next on request.host, percent-encoded in the query', async (t) => {
  for (const trustProxy of [false, true]) {
    const { app } = await buildApp(t, { loginView: 'https://auth.example.com/login' }, { server: { trustProxy } })
    for (const headers of HOSTILE_HOSTS) {
      const response = await app.inject({ url: '/secret?x=1', headers })
      assertSafeRedirect(response, `${trustProxy} ${JSON.stringify(headers)}`)
      const host = trustProxy && headers['x-forwarded-host'] !== undefined ? headers['x-forwarded-host'] : headers.host
      const proto = trustProxy && headers['x-forwarded-proto'] === 'https' ? 'https' : 'http'
      const target = new URL(locationOf(response))
      assert.strictEqual(target.origin + target.pathname, 'https://auth.example.com/login')
      assert.deepStrictEqual([...target.searchParams], [['next', `${proto}://${host}/secret?x=1`]])
    }
  }
})

test('SEC-16: with forceHostForRedirects the host of every absolute URL comes from config', async (t) => {
  for (const trustProxy of [false, true]) {
    const relative = await buildApp(t, { loginView: '/login', forceHostForRedirects: 'good.example' }, { server: { trustProxy } })
    const external = await buildApp(t, { loginView: 'https://auth.example.com/login', forceHostForRedirects: 'good.example' }, { server: { trustProxy } })
    for (const headers of HOSTILE_HOSTS) {
      const proto = trustProxy && headers['x-forwarded-proto'] === 'https' ? 'https' : 'http'
      const own = await relative.app.inject({ url: '/secret', headers })
      assert.strictEqual(locationOf(own), `${proto}://good.example/login?next=%2Fsecret`)
      // Flask-Login parity: FORCE_HOST_FOR_REDIRECTS replaces the netloc of the login URL too
      const other = await external.app.inject({ url: '/secret', headers })
      assert.strictEqual(locationOf(other), `https://good.example/login?next=${encodeURIComponent(`${proto}://good.example/secret`)}`)
    }
  }
})

const HOSTILE_NEXT = [
  'http://evil.example/', 'https://evil.example', '//evil.example', '///evil.example', '////evil.example',
  '\\\\evil.example', '/\\evil.example', '\\/evil.example', '/\\/evil.example', 'http:\\\\evil.example',
  'http:/\\evil.example', '\x08//evil.example', '\x00http://evil.example', ' //evil.example', '\t//evil.example',
  '\n//evil.example', '/\t/evil.example', '/\r\n/evil.example', 'javascript:alert(1)', 'JaVaScRiPt:alert(1)',
  'java\nscript:alert(1)', '\njavascript:alert(1)', 'data:text/html,<script>alert(1)</script>',
  'http://testserver@evil.example', 'http://evil.example\\@testserver', 'http://testserver\\@evil.example',
  'http://user:pass@evil.example', 'https://evil.example%2F@testserver', '//evil。example', '//evil．example',
  'http:evil.example', 'http:///evil.example', 'http:999999999',
  'ftp://evil.example', 'https://[::1', 'http://[evil.example]',
  'x'.repeat(2049)
]

// Look like another host to a human but are paths: they may be followed, and must stay on the site.
const LOOKALIKE_NEXT = ['\uff0f\uff0fevil.example', '/\uff0fevil.example', '/\u3000/evil.example', '/%2F%2Fevil.example', '%2F%2Fevil.example', '/%2F%2Fevil.example/..', '/.//evil.example']

test('SEC-17: safeNextUrl refuses every hostile next (query, form body and session) and falls back, no 4xx/5xx', async (t) => {
  const { app, request } = await buildApp(t, { useSessionForNext: false }, {
    routes: (app, users) => { formLogin(app, users); sessionRoutes(app) }
  })
  for (const next of HOSTILE_NEXT) {
    const viaQuery = await app.inject({ method: 'POST', url: `/form-login?next=${encodeURIComponent(next)}`, headers: { host: 'testserver' } })
    assertNo5xx(viaQuery, next)
    assert.strictEqual(viaQuery.statusCode, 303, JSON.stringify(next))
    assert.strictEqual(locationOf(viaQuery), '/home', `query ${JSON.stringify(next)} → ${locationOf(viaQuery)}`)
    const viaForm = await app.inject({ method: 'POST', url: '/form-login', headers: { host: 'testserver' }, payload: { next } })
    assert.strictEqual(locationOf(viaForm), '/home', `form ${JSON.stringify(next)}`)
    await putInSession(request, 'next', next)
    const viaSession = await request({ url: '/after', headers: { host: 'testserver' } })
    assert.strictEqual(locationOf(viaSession), '/home', `session ${JSON.stringify(next)}`)
  }
})

test('SEC-17: look-alike next values (full-width slashes, encoded slashes) stay on the site', async (t) => {
  const { app } = await buildApp(t, {}, { routes: formLogin })
  for (const next of LOOKALIKE_NEXT) {
    const response = await app.inject({ method: 'POST', url: `/form-login?next=${encodeURIComponent(next)}`, headers: { host: 'testserver' } })
    assertSafeRedirect(response, next)
    assert.strictEqual(new URL(locationOf(response), 'http://testserver/base/').origin, 'http://testserver', `${JSON.stringify(next)} → ${locationOf(response)}`)
  }
})

test('SEC-17: same-site next values are followed, absolute ones only on the own host or allowedHosts', async (t) => {
  const { app } = await buildApp(t, { allowedHosts: ['partner.example'] }, { routes: formLogin })
  const cases: Array<[string, string]> = [
    ['/account?tab=2', '/account?tab=2'],
    ['account', 'account'],
    ['http://testserver/account', 'http://testserver/account'],
    ['https://partner.example/x', 'https://partner.example/x'],
    ['http://partner.example.evil.example/', '/home'],
    ['http://testserver.evil.example/', '/home']
  ]
  for (const [next, expected] of cases) {
    const response = await app.inject({ method: 'POST', url: `/form-login?next=${encodeURIComponent(next)}`, headers: { host: 'testserver' } })
    assert.strictEqual(locationOf(response), expected, next)
  }
})

test('SEC-17: over HTTPS an absolute http:// next to the own host is refused (requireHttps)', async (t) => {
  const { app } = await buildApp(t, {}, { routes: formLogin, server: { trustProxy: true } })
  const headers = { host: 'testserver', 'x-forwarded-proto': 'https' }
  const insecure = await app.inject({ method: 'POST', url: `/form-login?next=${encodeURIComponent('http://testserver/x')}`, headers })
  assert.strictEqual(locationOf(insecure), '/home')
  const secure = await app.inject({ method: 'POST', url: `/form-login?next=${encodeURIComponent('https://testserver/x')}`, headers })
  assert.strictEqual(locationOf(secure), 'https://testserver/x')
})

test('SEC-17: with a hostile Host, next to any other host is refused; the request\'s own Host counts as own (documented)', async (t) => {
  for (const trustProxy of [false, true]) {
    const { app } = await buildApp(t, {}, { routes: formLogin, server: { trustProxy } })
    const other = await app.inject({ method: 'POST', url: `/form-login?next=${encodeURIComponent('http://third.example/')}`, headers: { host: 'evil.example' } })
    assert.strictEqual(locationOf(other), '/home')
    // X-Forwarded-Host counts only when trustProxy says so
    const forwarded = await app.inject({
      method: 'POST',
      url: `/form-login?next=${encodeURIComponent('http://evil.example/')}`,
      headers: { host: 'good.example', 'x-forwarded-host': 'evil.example' }
    })
    assert.strictEqual(locationOf(forwarded), trustProxy ? 'http://evil.example/' : '/home', `trustProxy ${trustProxy}`)
  }
})

test('SEC-17: a repeated next parameter (array) falls back', async (t) => {
  const { app } = await buildApp(t, {}, { routes: formLogin })
  const response = await app.inject({ method: 'POST', url: '/form-login?next=/a&next=/b' })
  assert.strictEqual(locationOf(response), '/home')
})

test('SEC-18: safe next values go out percent-encoded: no raw non-ASCII, controls or leading //', async (t) => {
  const { app } = await buildApp(t, {}, { routes: formLogin })
  const cases: Array<[string, string]> = [
    ['/else/where/झ/', '/else/where/%E0%A4%9D/'],
    ['/é', '/%C3%A9'],
    ['/a b', '/a%20b'],
    ['/a\x7fb', '/a%7Fb'],
    ['/a"<>b', '/a%22%3C%3Eb'],
    ['/a%zz', '/a%25zz']
  ]
  for (const [next, expected] of cases) {
    const response = await app.inject({ method: 'POST', url: `/form-login?next=${encodeURIComponent(next)}` })
    assertSafeRedirect(response, next)
    assert.strictEqual(locationOf(response), expected, next)
  }
})

test('SEC-18: the plugin\'s own redirect for odd request paths is printable ASCII and never starts with //', async (t) => {
  const { app } = await buildApp(t, { loginView: '/login', refreshView: '/reauth' }, {
    routes: (app) => {
      app.get('/g/*', { preHandler: app.loginRequired }, async () => 'secret')
    }
  })
  for (const url of ['/g/é', '/g/%E2%80%A8', '/g/%0d%0aSet-Cookie:%20x=1', '/g/%00', '/g//evil.example', '/g/\\evil', '/g/a?next=//evil.example', '/g/' + 'a'.repeat(5000)]) {
    const response = await app.inject({ url })
    assertSafeRedirect(response, url)
    assert.ok(!('set-cookie' in response.headers && String(response.headers['set-cookie']).includes('x=1')), url)
  }
})

test('SEC-18: the plugin\'s redirect stays 3xx even when an earlier hook set reply.code(200)', async (t) => {
  const { request } = await buildApp(t, { loginView: '/login' }, {
    before: (app) => { app.addHook('onRequest', async (_request, reply) => { reply.code(200) }) }
  })
  const response = await request('/secret')
  assert.strictEqual(response.statusCode, 302)
})

test('SEC-18: useSessionForNext keeps next in the session; the redirect carries no next and no host', async (t) => {
  const { request } = await buildApp(t, { loginView: '/login', useSessionForNext: true }, { routes: sessionRoutes })
  const response = await request({ url: '/secret?x=1', headers: { host: 'evil.example' } })
  assert.strictEqual(locationOf(response), '/login')
  assert.strictEqual((await request('/session')).json().next, '/secret?x=1')
})
