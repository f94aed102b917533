import { test, type TestContext } from 'node:test'
import { buildApp, recordEvents } from '../helpers/app.js'
import { BROWSER_ACCEPT, LOGIN_MESSAGE, REFRESH_MESSAGE, deniedBody, flowRoutes, location, logIn } from '../helpers/flows.js'

// Every test logs in with fresh: false, so /needs-refresh (freshLoginRequired) runs the needs-refresh flow.

// Flask-Login: test_needs_refresh_uses_handler
test('needsRefreshHandler replaces the flow: its answer, no redirect, no flash, route not run', async (t: TestContext) => {
  let routeRuns = 0
  const { request } = await buildApp(t, {
    refreshView: '/refresh-view',
    needsRefreshHandler: async (_request, reply) => reply.code(401).type('text/plain').send('Needs refresh!')
  }, {
    routes: (app) => {
      flowRoutes(app)
      app.get('/counted', { preHandler: app.freshLoginRequired }, async () => { routeRuns++; return 'ran' })
    }
  })
  await logIn(request, '1', 'fresh=0')
  const response = await request('/counted')
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.strictEqual(response.body, 'Needs refresh!')
  t.assert.strictEqual(response.headers.location, undefined)
  t.assert.strictEqual(routeRuns, 0)
  t.assert.deepStrictEqual((await request('/flashes')).json(), {})
})

test('a needsRefreshHandler that neither sends nor returns still refuses with 401, route not run', async (t: TestContext) => {
  let routeRuns = 0
  const { request } = await buildApp(t, { refreshView: '/refresh-view', needsRefreshHandler: () => undefined }, {
    routes: (app) => {
      app.get('/counted', { preHandler: app.freshLoginRequired }, async () => { routeRuns++; return 'ran' })
    }
  })
  await logIn(request, '1', 'fresh=0')
  const response = await request('/counted')
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.deepStrictEqual(response.json(), deniedBody('FST_LOGIN_NEEDS_REFRESH', REFRESH_MESSAGE))
  t.assert.strictEqual(routeRuns, 0)
})

test('the needsRefreshHandler is not used for anonymous users (they get the unauthorized flow)', async (t: TestContext) => {
  let handlerRuns = 0
  const { request } = await buildApp(t, { loginView: '/login', needsRefreshHandler: () => { handlerRuns++ } })
  const response = await request('/needs-refresh')
  t.assert.strictEqual(response.statusCode, 302)
  t.assert.strictEqual(location(response), '/login?next=%2Fneeds-refresh')
  t.assert.strictEqual(handlerRuns, 0)
})

// Flask-Login: test_needs_refresh_fires_needs_refresh_signal
test('a non-fresh login on a freshLoginRequired route emits needsRefresh once, with the user current', async (t: TestContext) => {
  const { app, request } = await buildApp(t)
  await logIn(request, '1', 'fresh=0')
  const events = recordEvents(app)
  const seen: unknown[] = []
  app.loginManager.on('needsRefresh', (req) => { seen.push((req.currentUser as { name?: string }).name) })
  const response = await request('/needs-refresh')
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.deepStrictEqual(events, [['accessed', undefined], ['needsRefresh', undefined]])
  t.assert.deepStrictEqual(seen, ['Notch'])
})

// Flask-Login: test_needs_refresh_fires_flash_when_redirect_to_refresh_view
test('with a refresh view, needsRefreshMessage is flashed in needsRefreshMessageCategory', async (t: TestContext) => {
  const { request } = await buildApp(t, { refreshView: '/refresh-view', needsRefreshMessageCategory: 'refresh' }, { routes: flowRoutes })
  await logIn(request, '1', 'fresh=0')
  t.assert.strictEqual((await request('/needs-refresh')).statusCode, 302)
  t.assert.deepStrictEqual((await request('/flashes')).json(), { refresh: [REFRESH_MESSAGE] })
})

test('needsRefreshMessage: null flashes nothing; the default category is "message"', async (t: TestContext) => {
  const silent = await buildApp(t, { refreshView: '/refresh-view', needsRefreshMessage: null }, { routes: flowRoutes })
  await logIn(silent.request, '1', 'fresh=0')
  t.assert.strictEqual((await silent.request('/needs-refresh')).statusCode, 302)
  t.assert.deepStrictEqual((await silent.request('/flashes')).json(), {})

  const custom = await buildApp(t, { refreshView: '/refresh-view', needsRefreshMessage: 'Again, please' }, { routes: flowRoutes })
  await logIn(custom.request, '1', 'fresh=0')
  await custom.request('/needs-refresh')
  t.assert.deepStrictEqual((await custom.request('/flashes')).json(), { message: ['Again, please'] })
})

// Flask-Login: test_needs_refresh_flash_message_localized
test('the flashed refresh message goes through localize', async (t: TestContext) => {
  const { request } = await buildApp(t, {
    refreshView: '/refresh-view',
    localize: (message) => message === REFRESH_MESSAGE ? 'Bitte erneut anmelden.' : message
  }, { routes: flowRoutes })
  await logIn(request, '1', 'fresh=0')
  await request('/needs-refresh')
  t.assert.deepStrictEqual((await request('/flashes')).json(), { message: ['Bitte erneut anmelden.'] })
})

// Flask-Login: test_needs_refresh_aborts_401
test('without a refresh view the answer is 401 with the error body, even with a login view', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login' }, { routes: flowRoutes })
  await logIn(request, '1', 'fresh=0')
  const response = await request({ url: '/needs-refresh', headers: { accept: BROWSER_ACCEPT } })
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.strictEqual(response.headers.location, undefined)
  t.assert.deepStrictEqual(response.json(), deniedBody('FST_LOGIN_NEEDS_REFRESH', REFRESH_MESSAGE))
  t.assert.deepStrictEqual((await request('/flashes')).json(), {})
})

// Flask-Login: test_redirects_to_refresh_view
test('with a refresh view the answer is 302 to it with next', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login', refreshView: '/refresh-view' })
  await logIn(request, '1', 'fresh=0')
  const response = await request('/needs-refresh')
  t.assert.strictEqual(response.statusCode, 302)
  t.assert.strictEqual(location(response), '/refresh-view?next=%2Fneeds-refresh')
  t.assert.strictEqual(location(await request('/needs-refresh?step=2')), '/refresh-view?next=%2Fneeds-refresh%3Fstep%3D2')
})

test('the refresh view ignores loginViews and route config.loginView', async (t: TestContext) => {
  const { request } = await buildApp(t, { refreshView: '/refresh-view', loginViews: { '/shop': '/shop/login' } }, {
    routes: (app) => {
      app.get('/shop/pay', { preHandler: app.freshLoginRequired, config: { loginView: '/pay/login' } }, async () => 'ran')
    }
  })
  await logIn(request, '1', 'fresh=0')
  t.assert.strictEqual(location(await request('/shop/pay')), '/refresh-view?next=%2Fshop%2Fpay')
})

test('refresh redirect with nextField and forceHostForRedirects', async (t: TestContext) => {
  const { request } = await buildApp(t, { refreshView: '/reauth', nextField: 'back', forceHostForRedirects: 'good.com' })
  await logIn(request, '1', 'fresh=0')
  const response = await request({ url: '/needs-refresh', headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' } })
  t.assert.strictEqual(location(response), 'http://good.com/reauth?back=%2Fneeds-refresh')
})

// Flask-Login: test_refresh_with_next_in_session
test('useSessionForNext: 302 to the bare refresh view, next kept in the session', async (t: TestContext) => {
  const { request } = await buildApp(t, { refreshView: '/refresh-view', useSessionForNext: true }, { routes: flowRoutes })
  await logIn(request, '1', 'fresh=0')
  const response = await request('/needs-refresh')
  t.assert.strictEqual(response.statusCode, 302)
  t.assert.strictEqual(location(response), '/refresh-view')
  t.assert.deepStrictEqual((await request('/next-target')).json(), { next: '/needs-refresh' })
  t.assert.deepStrictEqual((await request('/next-target')).json(), { next: '/fallback' })
})

test('JSON clients get a JSON 401 with FST_LOGIN_NEEDS_REFRESH; browsers the redirect', async (t: TestContext) => {
  const { app, request } = await buildApp(t, { refreshView: '/refresh-view' })
  await logIn(request, '1', 'fresh=0')
  const events = recordEvents(app)
  for (const accept of ['application/json', 'application/hal+json; charset=utf-8']) {
    const response = await request({ url: '/needs-refresh', headers: { accept } })
    t.assert.strictEqual(response.statusCode, 401, accept)
    t.assert.strictEqual(response.headers.location, undefined, accept)
    t.assert.deepStrictEqual(response.json(), deniedBody('FST_LOGIN_NEEDS_REFRESH', REFRESH_MESSAGE), accept)
  }
  for (const accept of [BROWSER_ACCEPT, '*/*']) {
    const response = await request({ url: '/needs-refresh', headers: { accept } })
    t.assert.strictEqual(response.statusCode, 302, accept)
    t.assert.strictEqual(location(response), '/refresh-view?next=%2Fneeds-refresh', accept)
  }
  t.assert.strictEqual(events.filter(([name]) => name === 'needsRefresh').length, 4)
})

test('order: needsRefresh event, then the custom handler wins over the JSON answer', async (t: TestContext) => {
  const order: string[] = []
  const { app, request } = await buildApp(t, {
    refreshView: '/refresh-view',
    needsRefreshHandler: (_request, reply) => { order.push('handler'); reply.code(403); return { reauth: true } }
  })
  app.loginManager.on('needsRefresh', () => { order.push('event') })
  await logIn(request, '1', 'fresh=0')
  const response = await request({ url: '/needs-refresh', headers: { accept: 'application/json' } })
  t.assert.strictEqual(response.statusCode, 403)
  t.assert.deepStrictEqual(response.json(), { reauth: true })
  t.assert.deepStrictEqual(order, ['event', 'handler'])
})

test('an anonymous JSON client on a freshLoginRequired route gets the unauthorized JSON body', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login', refreshView: '/refresh-view' })
  const response = await request({ url: '/needs-refresh', headers: { accept: 'application/json' } })
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.deepStrictEqual(response.json(), deniedBody('FST_LOGIN_UNAUTHORIZED', LOGIN_MESSAGE))
})

test('the application can run the flow itself through loginManager.needsRefresh', async (t: TestContext) => {
  const { request } = await buildApp(t, { refreshView: '/reauth' }, {
    routes: (app) => {
      app.get('/sensitive', async (req, reply) => {
        if (!req.loginFresh()) return app.loginManager.needsRefresh(req, reply)
        return 'fresh enough'
      })
    }
  })
  await logIn(request, '1')
  t.assert.strictEqual((await request('/sensitive')).body, 'fresh enough')
  await request({ method: 'POST', url: '/login/1?fresh=0' })
  const stale = await request('/sensitive')
  t.assert.strictEqual(stale.statusCode, 302)
  t.assert.strictEqual(location(stale), '/reauth?next=%2Fsensitive')
})
