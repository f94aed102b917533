import { test, type TestContext } from 'node:test'
import { buildApp, type TestApp } from '../helpers/app.js'
import { flowRoutes, logIn } from '../helpers/flows.js'
import type { FastifyLoginOptions } from 'fastify-login'
import type { FastifyServerOptions } from 'fastify'

const HOST = 'app.example'

/** An app with GET /next-target → { next: request.safeNextUrl('/fallback') } and GET /next-default (no fallback). */
async function nextApp (t: TestContext, options: Partial<FastifyLoginOptions> = {}, server?: FastifyServerOptions): Promise<TestApp> {
  return await buildApp(t, options, {
    ...(server !== undefined ? { server } : {}),
    routes: (app) => {
      flowRoutes(app)
      app.get('/next-default', async (request) => ({ next: request.safeNextUrl() }))
    }
  })
}

async function nextOf (testApp: TestApp, query: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await testApp.request({ url: `/next-target${query}`, headers: { host: HOST, ...headers } })
  return response.json().next
}

test('a relative next from the query is returned', async (t: TestContext) => {
  const testApp = await nextApp(t)
  t.assert.strictEqual(await nextOf(testApp, '?next=%2Fprofile'), '/profile')
  t.assert.strictEqual(await nextOf(testApp, '?next=%2Fprofile%3Ftab%3D2%23top'), '/profile?tab=2#top')
  t.assert.strictEqual(await nextOf(testApp, '?next=settings'), 'settings')
})

test('no next: the fallback, "/" by default', async (t: TestContext) => {
  const testApp = await nextApp(t)
  t.assert.strictEqual(await nextOf(testApp, ''), '/fallback')
  t.assert.deepStrictEqual((await testApp.request('/next-default')).json(), { next: '/' })
  t.assert.deepStrictEqual((await testApp.request('/next-default?next=%2F%2Fevil.example')).json(), { next: '/' })
})

test('open redirects give the fallback', async (t: TestContext) => {
  const testApp = await nextApp(t)
  const hostile = [
    '//evil.example',
    '//evil.example/path',
    'https://evil.example',
    'http://evil.example/',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'https://app.example@evil.example/',
    'http:///evil.example',
    '/\t/evil.example'
  ]
  for (const next of hostile) {
    t.assert.strictEqual(await nextOf(testApp, `?next=${encodeURIComponent(next)}`), '/fallback', next)
  }
})

test('an absolute URL on the request\'s own host is accepted', async (t: TestContext) => {
  const testApp = await nextApp(t)
  t.assert.strictEqual(await nextOf(testApp, `?next=${encodeURIComponent('http://app.example/account')}`), 'http://app.example/account')
  t.assert.strictEqual(await nextOf(testApp, `?next=${encodeURIComponent('http://other.example/account')}`), '/fallback')
})

test('an absolute URL on an allowedHosts host is accepted, other hosts are not', async (t: TestContext) => {
  const testApp = await nextApp(t, { allowedHosts: ['sso.example', 'shop.example:8443'] })
  t.assert.strictEqual(await nextOf(testApp, `?next=${encodeURIComponent('https://sso.example/cb')}`), 'https://sso.example/cb')
  t.assert.strictEqual(await nextOf(testApp, `?next=${encodeURIComponent('https://shop.example:8443/cart')}`), 'https://shop.example:8443/cart')
  t.assert.strictEqual(await nextOf(testApp, `?next=${encodeURIComponent('https://shop.example/cart')}`), '/fallback')
  t.assert.strictEqual(await nextOf(testApp, `?next=${encodeURIComponent('https://evil.sso.example/cb')}`), '/fallback')
})

test('an HTTPS request accepts only HTTPS absolute URLs', async (t: TestContext) => {
  const testApp = await nextApp(t, {}, { trustProxy: true })
  const https = { 'x-forwarded-proto': 'https' }
  t.assert.strictEqual(await nextOf(testApp, `?next=${encodeURIComponent('https://app.example/a')}`, https), 'https://app.example/a')
  t.assert.strictEqual(await nextOf(testApp, `?next=${encodeURIComponent('http://app.example/a')}`, https), '/fallback')
  t.assert.strictEqual(await nextOf(testApp, '?next=%2Fa', https), '/a')
})

test('repeated next parameters give the fallback', async (t: TestContext) => {
  const testApp = await nextApp(t)
  t.assert.strictEqual(await nextOf(testApp, '?next=%2Fa&next=%2Fb'), '/fallback')
})

test('a next over 2048 characters gives the fallback; 2048 is accepted', async (t: TestContext) => {
  const testApp = await nextApp(t)
  const longest = '/' + 'a'.repeat(2047)
  t.assert.strictEqual(await nextOf(testApp, `?next=${longest}`), longest)
  t.assert.strictEqual(await nextOf(testApp, `?next=${longest}a`), '/fallback')
})

test('the result is percent-encoded, safe as a Location', async (t: TestContext) => {
  const testApp = await nextApp(t)
  t.assert.strictEqual(await nextOf(testApp, '?next=%2Fcaf%C3%A9'), '/caf%C3%A9')
  t.assert.strictEqual(await nextOf(testApp, '?next=%2Fa%20b'), '/a%20b')
  t.assert.strictEqual(await nextOf(testApp, '?next=%2Fq%3Fs%3D%22%3Cx%3E%22'), '/q?s=%22%3Cx%3E%22')
  t.assert.strictEqual(await nextOf(testApp, '?next=%2Fdone%3Fpct%3D100%2525'), '/done?pct=100%25')
  const injected = await nextOf(testApp, '?next=%2Fx%0D%0ASet-Cookie%3A%20a%3Db')
  t.assert.doesNotMatch(injected, /[\r\n ]/)
})

test('the value can be sent as a Location by the application', async (t: TestContext) => {
  const { request } = await buildApp(t, {}, {
    routes: (app) => { app.get('/after-login', async (req, reply) => reply.redirect(req.safeNextUrl('/home'))) }
  })
  const response = await request('/after-login?next=%2F%E5%B8%B3%E6%88%B7')
  t.assert.strictEqual(response.statusCode, 302)
  t.assert.strictEqual(response.headers.location, '/%E5%B8%B3%E6%88%B7')
})

test('nextField renames the parameter safeNextUrl reads', async (t: TestContext) => {
  const testApp = await nextApp(t, { nextField: 'goto' })
  t.assert.strictEqual(await nextOf(testApp, '?goto=%2Fx'), '/x')
  t.assert.strictEqual(await nextOf(testApp, '?next=%2Fx'), '/fallback')
})

test('useSessionForNext: next from the session is read once and removed', async (t: TestContext) => {
  const testApp = await nextApp(t, { loginView: '/login', useSessionForNext: true })
  const redirect = await testApp.request('/secret?x=%C3%A9')
  t.assert.strictEqual(redirect.headers.location, '/login')
  await logIn(testApp.request, '1')
  t.assert.strictEqual(await nextOf(testApp, ''), '/secret?x=%C3%A9')
  t.assert.strictEqual(await nextOf(testApp, ''), '/fallback')
})

test('a next in the query wins over the session, which keeps its value', async (t: TestContext) => {
  const testApp = await nextApp(t, { loginView: '/login', useSessionForNext: true })
  await testApp.request('/secret')
  t.assert.strictEqual(await nextOf(testApp, '?next=%2Fother'), '/other')
  t.assert.strictEqual(await nextOf(testApp, ''), '/secret')
})
