// The next URL the unauthorized and needs-refresh flows pass (API.md "Precise rules"): the
// request's absolute URL, so that a login view on another host can lead back; a relative login
// view still gets path?query; a malformed Host never reaches a Location.
import { test, type TestContext } from 'node:test'
import { buildApp } from '../helpers/app.js'
import { flowRoutes, location, logIn } from '../helpers/flows.js'
import { isSafeLocation } from '../helpers/location.js'

const SSO = 'https://sso.example.org/login'

/** The `next` parameter of a redirect to the SSO login view (null when the Location is not one). */
function nextOf (target: string): string | null {
  const url = new URL(target)
  return url.origin + url.pathname === SSO ? url.searchParams.get('next') : null
}

test('a login view on another host gets the absolute URL of the request as next', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: SSO }, {
    routes: (app) => { app.get('/reports/:id', { preHandler: app.loginRequired }, async () => 'ran') }
  })
  const response = await request({ url: '/reports/42?tab=2', headers: { host: 'app.example.org' } })
  t.assert.strictEqual(response.statusCode, 302)
  t.assert.strictEqual(location(response), `${SSO}?next=http%3A%2F%2Fapp.example.org%2Freports%2F42%3Ftab%3D2`)
  const withPort = await request({ url: '/reports/42', headers: { host: 'localhost:8443' } })
  t.assert.strictEqual(nextOf(location(withPort)), 'http://localhost:8443/reports/42')
  const ipv6 = await request({ url: '/reports/42', headers: { host: '[::1]:3000' } })
  t.assert.strictEqual(nextOf(location(ipv6)), 'http://[::1]:3000/reports/42')
})

test('behind a trusted proxy the next URL has the forwarded protocol and host', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: SSO }, { server: { trustProxy: true } })
  const response = await request({ url: '/secret', headers: { host: 'internal:3000', 'x-forwarded-host': 'app.example.org', 'x-forwarded-proto': 'https' } })
  t.assert.strictEqual(nextOf(location(response)), 'https://app.example.org/secret')
})

test('a login view on the request\'s own origin gets path?query', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: 'http://app.example.org/login' })
  const response = await request({ url: '/secret?a=1', headers: { host: 'app.example.org' } })
  t.assert.strictEqual(location(response), 'http://app.example.org/login?next=%2Fsecret%3Fa%3D1')
})

test('forceHostForRedirects names the host of the next URL, whatever the Host header', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: SSO, forceHostForRedirects: 'app.example.org' })
  const response = await request({ url: '/secret', headers: { host: 'evil.example' } })
  // Flask-Login parity: the forced host replaces the login URL's host too
  t.assert.strictEqual(location(response), 'https://app.example.org/login?next=http%3A%2F%2Fapp.example.org%2Fsecret')
})

test('the needs-refresh flow passes the absolute URL to a refresh view on another host', async (t: TestContext) => {
  const { request } = await buildApp(t, { refreshView: 'https://sso.example.org/login' })
  await logIn(request, '1', 'fresh=0')
  const response = await request({ url: '/needs-refresh?step=2', headers: { host: 'app.example.org' } })
  t.assert.strictEqual(response.statusCode, 302)
  t.assert.strictEqual(nextOf(location(response)), 'http://app.example.org/needs-refresh?step=2')
})

test('useSessionForNext keeps the absolute next URL in the session for a login view on another host', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: SSO, useSessionForNext: true }, { routes: flowRoutes })
  const headers = { host: 'app.example.org' }
  const response = await request({ url: '/secret?tab=2', headers })
  t.assert.strictEqual(location(response), SSO)
  t.assert.deepStrictEqual((await request({ url: '/next-target', headers })).json(), { next: 'http://app.example.org/secret?tab=2' })
})

const MALFORMED_HOSTS = [
  'bad host', 'evil.example/path', 'evil.example?x', 'evil.example#x', 'user@evil.example', 'evil.example:99999',
  'evil.example:', 'evil.example:80:80', '[::g]', '[evil.example]', '-evil.example', 'evil..example', 'evil.example\\x',
  'évil.example', '%65vil.example', `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.example`
]

test('a malformed Host never reaches the Location: next is path?query, no 5xx', async (t: TestContext) => {
  const { app } = await buildApp(t, { loginView: SSO })
  for (const host of MALFORMED_HOSTS) {
    const response = await app.inject({ url: '/secret?x=1', headers: { host } })
    const target = location(response)
    t.assert.strictEqual(response.statusCode, 302, JSON.stringify(host))
    t.assert.ok(isSafeLocation(target), target)
    t.assert.strictEqual(target, `${SSO}?next=%2Fsecret%3Fx%3D1`, JSON.stringify(host))
  }
})

test('a malformed forwarded host behind a trusted proxy is refused the same way', async (t: TestContext) => {
  const { app } = await buildApp(t, { loginView: SSO }, { server: { trustProxy: true } })
  for (const host of MALFORMED_HOSTS) {
    const response = await app.inject({ url: '/secret', headers: { host: 'app.example.org', 'x-forwarded-host': host } })
    t.assert.strictEqual(location(response), `${SSO}?next=%2Fsecret`, JSON.stringify(host))
  }
})

test('a relative login view gets path?query, whatever the Host header', async (t: TestContext) => {
  const { app } = await buildApp(t, { loginView: '/login' })
  for (const host of ['app.example.org', 'evil.example', ...MALFORMED_HOSTS]) {
    const response = await app.inject({ url: '/secret?x=1', headers: { host } })
    t.assert.strictEqual(location(response), '/login?next=%2Fsecret%3Fx%3D1', JSON.stringify(host))
  }
})

test('a malformed Host and a path that starts with //: next is that path, the Location stays on the view', async (t: TestContext) => {
  const { app } = await buildApp(t, { loginView: SSO }, {
    routes: (app) => { app.get('/*', { preHandler: app.loginRequired }, async () => 'ran') }
  })
  const response = await app.inject({ url: '//evil.example/x', headers: { host: 'bad host' } })
  t.assert.strictEqual(response.statusCode, 302)
  t.assert.ok(isSafeLocation(location(response)), location(response))
  t.assert.strictEqual(nextOf(location(response)), '//evil.example/x')
})
