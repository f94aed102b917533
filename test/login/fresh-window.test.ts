// The fresh window ("sudo mode"): freshFor, a route's config.freshFor and loginFresh(within).
// Fake clock (Date only). Both engines.
import { test, type TestContext } from 'node:test'
import FakeTimers from '@sinonjs/fake-timers'
import { buildApp } from '../helpers/app.js'
import { advance, installClock, REMEMBER } from '../helpers/remember.js'

const JSON_ACCEPT = { accept: 'application/json' }

test('with freshFor, a fresh login passes freshLoginRequired at freshFor - 1 s and needs a refresh at freshFor + 1 s', async (t: TestContext) => {
  const clock = installClock(t)
  const { request } = await buildApp(t, { freshFor: 300, refreshView: '/reauth' })
  await request({ method: 'POST', url: '/login/1' })
  advance(clock, 299)
  t.assert.strictEqual((await request('/needs-refresh')).statusCode, 200)
  advance(clock, 2)
  const redirect = await request('/needs-refresh')
  t.assert.strictEqual(redirect.statusCode, 302)
  t.assert.strictEqual(redirect.headers.location, '/reauth?next=%2Fneeds-refresh')
  const json = await request({ url: '/needs-refresh', headers: JSON_ACCEPT })
  t.assert.strictEqual(json.statusCode, 401)
  t.assert.strictEqual(json.json().code, 'FST_LOGIN_NEEDS_REFRESH')
  // loginRequired still passes, and the user is still logged in
  t.assert.strictEqual((await request('/secret')).statusCode, 200)
  t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Notch', fresh: false, remembered: false, anonymous: false })
  // confirmLogin restarts the window in place
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/confirm' })).json(), { fresh: true })
  t.assert.strictEqual((await request('/needs-refresh')).statusCode, 200)
  advance(clock, 301)
  t.assert.strictEqual((await request('/needs-refresh')).statusCode, 302)
})

test('a route\'s config.freshFor overrides freshFor, and loginFresh() in its handler judges by the same window', async (t: TestContext) => {
  const clock = installClock(t)
  const { request } = await buildApp(t, { freshFor: 3600 }, {
    routes: (app) => {
      app.get('/sudo', { preHandler: app.freshLoginRequired, config: { freshFor: 60 } }, async (req) => ({ fresh: req.loginFresh() }))
      app.get('/sudo-check', { config: { freshFor: 60 } }, async (req) => ({ fresh: req.loginFresh(), wide: req.loginFresh(7200) }))
    }
  })
  await request({ method: 'POST', url: '/login/1' })
  advance(clock, 59)
  t.assert.deepStrictEqual((await request('/sudo')).json(), { fresh: true })
  advance(clock, 2)
  t.assert.strictEqual((await request({ url: '/sudo', headers: JSON_ACCEPT })).statusCode, 401)
  t.assert.deepStrictEqual((await request('/sudo-check')).json(), { fresh: false, wide: true })
  t.assert.strictEqual((await request('/needs-refresh')).statusCode, 200, 'the global window is still open')
})

test('without freshFor a fresh login stays fresh (Flask-Login); loginFresh(within) still judges by the time', async (t: TestContext) => {
  const clock = installClock(t)
  const { request } = await buildApp(t, {}, {
    routes: (app) => { app.get('/within', async (req) => ({ ten: req.loginFresh(10), century: req.loginFresh(100 * 365 * 86_400) })) }
  })
  await request({ method: 'POST', url: '/login/1' })
  advance(clock, 86_400)
  t.assert.strictEqual((await request('/needs-refresh')).statusCode, 200)
  t.assert.deepStrictEqual((await request('/within')).json(), { ten: false, century: true })
})

test('a login restored from the remember cookie is never fresh, whatever the window', async (t: TestContext) => {
  installClock(t)
  const { jar, request } = await buildApp(t, { freshFor: 300 }, {
    routes: (app) => { app.get('/within', async (req) => ({ fresh: req.loginFresh(), long: req.loginFresh(10_000) })) }
  })
  await request({ method: 'POST', url: '/login/1?remember=1' })
  jar.closeBrowser()
  t.assert.ok(jar.get(REMEMBER) !== undefined)
  t.assert.deepStrictEqual((await request('/within')).json(), { fresh: false, long: false })
})

test('freshFor, config.freshFor and loginFresh(within) must be positive numbers of seconds', async (t: TestContext) => {
  for (const freshFor of [0, -1, Number.NaN, '60']) {
    await t.assert.rejects(buildApp(t, { freshFor: freshFor as number }), { code: 'FST_LOGIN_INVALID_OPTION' })
  }
  await t.assert.rejects(buildApp(t, {}, {
    routes: (app) => { app.get('/bad', { config: { freshFor: -5 } }, async () => 'x') }
  }), { code: 'FST_LOGIN_INVALID_OPTION', message: /config\.freshFor of GET \/bad/ })
  const { request } = await buildApp(t, {}, {
    routes: (app) => { app.get('/bad-within', async (req) => req.loginFresh(-1)) }
  })
  await request({ method: 'POST', url: '/login/1' })
  const response = await request('/bad-within')
  t.assert.strictEqual(response.statusCode, 500)
  t.assert.strictEqual(response.json().code, 'FST_LOGIN_INVALID_DURATION')
})

test('the window counts milliseconds: freshFor 10 is fresh at 9.999 s, loginFresh(0.5) is stale at 0.9 s (issue 19)', async (t: TestContext) => {
  const clock = FakeTimers.install({ now: 1_800_000_000_999, toFake: ['Date'] })
  t.after(() => clock.uninstall())
  const { request } = await buildApp(t, { freshFor: 10 }, {
    routes: (app) => { app.get('/fresh-within', async (request) => ({ fresh: request.loginFresh(0.5) })) }
  })
  await request({ method: 'POST', url: '/login/1' })
  clock.tick(900)
  t.assert.deepStrictEqual((await request('/fresh-within')).json(), { fresh: false })
  clock.tick(9099)
  t.assert.strictEqual((await request('/whoami')).json().fresh, true, 'at 9.999 s')
  clock.tick(2)
  t.assert.strictEqual((await request('/whoami')).json().fresh, false, 'at 10.001 s')
})

test('config.freshFor of a route added before the plugin counts, and a bad one is refused with a coded error (issue 19)', async (t: TestContext) => {
  const clock = installClock(t)
  const { request } = await buildApp(t, {}, {
    before: (app) => {
      app.get('/early', { config: { freshFor: 5 } }, async (request) => ({ fresh: request.loginFresh() }))
      app.get('/early-bad', { config: { freshFor: -1 } }, async (request) => ({ fresh: request.loginFresh() }))
    }
  })
  await request({ method: 'POST', url: '/login/1' })
  t.assert.deepStrictEqual((await request('/early')).json(), { fresh: true })
  advance(clock, 6)
  t.assert.deepStrictEqual((await request('/early')).json(), { fresh: false })
  t.assert.strictEqual((await request('/whoami')).json().fresh, true, 'no window elsewhere')
  const bad = await request('/early-bad')
  t.assert.deepStrictEqual([bad.statusCode, bad.json().code], [500, 'FST_LOGIN_INVALID_OPTION'])
})
