import { test, type TestContext } from 'node:test'
import Fastify from 'fastify'
import fastifyLogin, { loginUrl, makeNextParam } from 'fastify-login'
import { SECRET, buildApp } from '../helpers/app.js'

// Flask-Login: test_make_next_param
test('makeNextParam: path?query for a relative or same-origin login URL, else the full URL', (t: TestContext) => {
  t.assert.strictEqual(makeNextParam('/login', 'http://localhost/profile'), '/profile')
  t.assert.strictEqual(makeNextParam('/login', 'http://localhost/profile?tab=2#top'), '/profile?tab=2')
  t.assert.strictEqual(makeNextParam('http://localhost/login', 'http://localhost/profile'), '/profile')
  t.assert.strictEqual(makeNextParam('//localhost/login', 'http://localhost/profile'), '/profile')
  t.assert.strictEqual(makeNextParam('https://auth.localhost/login', 'http://localhost/profile'), 'http://localhost/profile')
  t.assert.strictEqual(makeNextParam('https://localhost/login', 'http://localhost/profile'), 'http://localhost/profile')
  t.assert.strictEqual(makeNextParam('//auth.localhost/login', 'http://localhost/profile'), 'http://localhost/profile')
  // a relative current URL is returned as it is (fragment dropped)
  t.assert.strictEqual(makeNextParam('https://auth.localhost/login', '/profile?x=1#frag'), '/profile?x=1')
})

// Flask-Login: test_login_url_generation
test('loginUrl: custom next field, absolute login URL, existing query kept with next last', (t: TestContext) => {
  const protectedUrl = 'http://localhost/protected'
  t.assert.strictEqual(loginUrl('https://auth.localhost/login', protectedUrl),
    'https://auth.localhost/login?next=http%3A%2F%2Flocalhost%2Fprotected')
  t.assert.strictEqual(loginUrl('/login', '/protected', 'redirect_to'), '/login?redirect_to=%2Fprotected')
  t.assert.strictEqual(loginUrl('/login?affil=cgnu', '/protected'), '/login?affil=cgnu&next=%2Fprotected')
  t.assert.strictEqual(loginUrl('/login', '/protected'), '/login?next=%2Fprotected')
})

// Flask-Login: test_login_url_generation, with the absolute next URL it passes
test('loginUrl passes next through makeNextParam (Flask-Login login_url)', (t: TestContext) => {
  const protectedUrl = 'http://localhost/protected'
  t.assert.strictEqual(loginUrl('/login', protectedUrl, 'n'), '/login?n=%2Fprotected')
  t.assert.strictEqual(loginUrl('/login', protectedUrl), '/login?next=%2Fprotected')
  t.assert.strictEqual(loginUrl('/login?affil=cgnu', protectedUrl), '/login?affil=cgnu&next=%2Fprotected')
  t.assert.strictEqual(loginUrl('http://localhost/login', 'http://localhost/protected?a=1#top'), 'http://localhost/login?next=%2Fprotected%3Fa%3D1')
  // another scheme or another host: the whole URL
  t.assert.strictEqual(loginUrl('https://localhost/login', protectedUrl), 'https://localhost/login?next=http%3A%2F%2Flocalhost%2Fprotected')
  t.assert.strictEqual(loginUrl('https://auth.localhost/login', protectedUrl), 'https://auth.localhost/login?next=http%3A%2F%2Flocalhost%2Fprotected')
})

test('loginUrl replaces an existing next and keeps blank parameters and the fragment', (t: TestContext) => {
  t.assert.strictEqual(loginUrl('/login?next=%2Fold&affil=cgnu&empty=', '/protected'), '/login?affil=cgnu&empty=&next=%2Fprotected')
  t.assert.strictEqual(loginUrl('/login#form', '/protected'), '/login?next=%2Fprotected#form')
  t.assert.strictEqual(loginUrl('/login', '/a?b=1&c=d e'), '/login?next=%2Fa%3Fb%3D1%26c%3Dd+e')
  t.assert.strictEqual(loginUrl('/login', '/café'), '/login?next=%2Fcaf%C3%A9')
})

// Flask-Login: test_login_url_generation_with_view — Fastify has no endpoint names: a loginView that is
// not a path or an http(s) URL is refused at registration (see test/options/registration.test.ts); paths work as given.
test('loginUrl takes paths as they are (no endpoint expansion)', (t: TestContext) => {
  t.assert.strictEqual(loginUrl('/accounts/sign-in', '/x'), '/accounts/sign-in?next=%2Fx')
})

// Flask-Login: test_login_url_no_next_url
test('loginUrl without a next URL returns the view unchanged', (t: TestContext) => {
  t.assert.strictEqual(loginUrl('/foo'), '/foo')
  t.assert.strictEqual(loginUrl('/foo', null), '/foo')
  t.assert.strictEqual(loginUrl('/foo?bar=1'), '/foo?bar=1')
})

test('loginManager.loginUrl uses the nextField option', async (t: TestContext) => {
  const { app } = await buildApp(t, { nextField: 'goto' })
  t.assert.strictEqual(app.loginManager.loginUrl('/login', '/protected'), '/login?goto=%2Fprotected')
  t.assert.strictEqual(app.loginManager.loginUrl('/login?affil=cgnu', '/p'), '/login?affil=cgnu&goto=%2Fp')
  t.assert.strictEqual(app.loginManager.loginUrl('/login'), '/login')
})

test('loginManager.loginUrl puts the forced host into the URL', async (t: TestContext) => {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyLogin, { secret: SECRET, userLoader: () => null, forceHostForRedirects: 'good.com' })
  const url = new URL(app.loginManager.loginUrl('/login', '/protected'))
  t.assert.strictEqual(url.host, 'good.com')
  t.assert.strictEqual(url.pathname + url.search, '/login?next=%2Fprotected')
})

test('loginManager.loginUrl passes next through makeNextParam', async (t: TestContext) => {
  const { app } = await buildApp(t, { nextField: 'n' })
  t.assert.strictEqual(app.loginManager.loginUrl('/login', 'http://localhost/protected'), '/login?n=%2Fprotected')
  t.assert.strictEqual(app.loginManager.loginUrl('https://auth.localhost/login', 'http://localhost/protected'),
    'https://auth.localhost/login?n=http%3A%2F%2Flocalhost%2Fprotected')
})

test('loginManager.loginUrl applies forceHostForRedirects after makeNextParam', async (t: TestContext) => {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyLogin, { secret: SECRET, userLoader: () => null, forceHostForRedirects: 'good.com' })
  // a relative view: next is the path of the current URL, whatever host it named
  t.assert.strictEqual(app.loginManager.loginUrl('/login', 'http://bad.com/secret?x=1'), 'https://good.com/login?next=%2Fsecret%3Fx%3D1')
  // an absolute view on another host keeps the full next URL, then gets the forced host
  t.assert.strictEqual(app.loginManager.loginUrl('https://auth.localhost/login', 'http://localhost/protected'),
    'https://good.com/login?next=http%3A%2F%2Flocalhost%2Fprotected')
})
