import { test, type TestContext } from 'node:test'
import { buildApp, recordEvents } from '../helpers/app.js'
import { BROWSER_ACCEPT, LOGIN_MESSAGE, answeredOrHung, deniedBody, flowRoutes, location, logIn } from '../helpers/flows.js'

// Flask-Login: test_unauthorized_fires_unauthorized_signal
test('an anonymous request to a guarded route emits unauthorized once, and nothing else', async (t: TestContext) => {
  const { app, request } = await buildApp(t)
  const events = recordEvents(app)
  const response = await request('/secret')
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.deepStrictEqual(events, [['unauthorized', undefined]])
})

// Flask-Login: test_unauthorized_flashes_message_with_login_view
test('with a login view, loginMessage is flashed in loginMessageCategory', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login', loginMessageCategory: 'warning' }, { routes: flowRoutes })
  const response = await request('/secret')
  t.assert.strictEqual(response.statusCode, 302)
  t.assert.deepStrictEqual((await request('/flashes')).json(), { warning: [LOGIN_MESSAGE] })
})

test('the default category is "message", and loginMessage: null flashes nothing', async (t: TestContext) => {
  const withDefault = await buildApp(t, { loginView: '/login', loginMessage: 'Log in first' }, { routes: flowRoutes })
  await withDefault.request('/secret')
  t.assert.deepStrictEqual((await withDefault.request('/flashes')).json(), { message: ['Log in first'] })

  const silent = await buildApp(t, { loginView: '/login', loginMessage: null }, { routes: flowRoutes })
  const response = await silent.request('/secret')
  t.assert.strictEqual(response.statusCode, 302)
  t.assert.strictEqual(location(response), '/login?next=%2Fsecret')
  t.assert.deepStrictEqual((await silent.request('/flashes')).json(), {})
})

test('without a login view nothing is flashed (401 first)', async (t: TestContext) => {
  const { request } = await buildApp(t, {}, { routes: flowRoutes })
  t.assert.strictEqual((await request('/secret')).statusCode, 401)
  t.assert.deepStrictEqual((await request('/flashes')).json(), {})
})

// Flask-Login: test_unauthorized_flash_message_localized
test('the flashed login message goes through localize, which receives the request', async (t: TestContext) => {
  const { request } = await buildApp(t, {
    loginView: '/login',
    localize: (message, req) => `[${String(req.headers['accept-language'])}] ${message.toUpperCase()}`
  }, { routes: flowRoutes })
  const response = await request({ url: '/secret', headers: { 'accept-language': 'de' } })
  t.assert.strictEqual(response.statusCode, 302)
  t.assert.deepStrictEqual((await request('/flashes')).json(), { message: [`[de] ${LOGIN_MESSAGE.toUpperCase()}`] })
})

// Flask-Login: test_unauthorized_uses_authorized_handler
test('unauthorizedHandler replaces the flow: its answer, no redirect, no flash, route not run', async (t: TestContext) => {
  let routeRuns = 0
  const { app, request } = await buildApp(t, {
    loginView: '/login',
    unauthorizedHandler: async (_request, reply) => reply.code(401).type('text/plain').send('This is secret!')
  }, {
    routes: (app) => {
      flowRoutes(app)
      app.get('/counted', { preHandler: app.loginRequired }, async () => { routeRuns++; return 'ran' })
    }
  })
  const events = recordEvents(app)
  const response = await request('/counted')
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.strictEqual(response.body, 'This is secret!')
  t.assert.strictEqual(response.headers.location, undefined)
  t.assert.strictEqual(routeRuns, 0)
  t.assert.deepStrictEqual(events, [['unauthorized', undefined]])
  t.assert.deepStrictEqual((await request('/flashes')).json(), {})
})

test('an unauthorizedHandler that returns a payload answers with it', async (t: TestContext) => {
  const { request } = await buildApp(t, {
    unauthorizedHandler: (_request, reply) => { reply.code(403); return { denied: true } }
  })
  const response = await request('/secret')
  t.assert.strictEqual(response.statusCode, 403)
  t.assert.deepStrictEqual(response.json(), { denied: true })
})

test('an unauthorizedHandler that neither sends nor returns still refuses with 401, route not run', async (t: TestContext) => {
  let routeRuns = 0
  let handlerRuns = 0
  const { request } = await buildApp(t, {
    loginView: '/login',
    unauthorizedHandler: () => { handlerRuns++ }
  }, {
    routes: (app) => {
      app.get('/counted', { preHandler: app.loginRequired }, async () => { routeRuns++; return 'ran' })
    }
  })
  const response = await request('/counted')
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.deepStrictEqual(response.json(), deniedBody('FST_LOGIN_UNAUTHORIZED', LOGIN_MESSAGE))
  t.assert.strictEqual(handlerRuns, 1)
  t.assert.strictEqual(routeRuns, 0)
})

test('an unauthorizedHandler that returns the reply without sending it gets 401, not a hung request', async (t: TestContext) => {
  let routeRuns = 0
  const { request } = await buildApp(t, {
    loginView: '/login',
    unauthorizedHandler: (_request, reply) => reply.code(403)
  }, {
    routes: (app) => {
      app.get('/counted', { preHandler: app.loginRequired }, async () => { routeRuns++; return 'ran' })
    }
  })
  const response = await answeredOrHung(request('/counted'))
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.strictEqual(response.json().code, 'FST_LOGIN_UNAUTHORIZED')
  t.assert.strictEqual(routeRuns, 0)
})

// Flask-Login: test_unauthorized_aborts_with_401
test('without a login view the answer is 401 with the error body', async (t: TestContext) => {
  const { request } = await buildApp(t)
  const response = await request({ url: '/secret', headers: { accept: BROWSER_ACCEPT } })
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.strictEqual(response.headers.location, undefined)
  t.assert.deepStrictEqual(response.json(), deniedBody('FST_LOGIN_UNAUTHORIZED', LOGIN_MESSAGE))
})

// Flask-Login: test_unauthorized_redirects_to_login_view
test('with a login view the answer is 302 to it with next=<path?query>', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login' })
  const response = await request('/secret')
  t.assert.strictEqual(response.statusCode, 302)
  t.assert.strictEqual(location(response), '/login?next=%2Fsecret')
  // nothing to remember (no flash plugin, next in the URL): no cookie
  t.assert.strictEqual(response.headers['set-cookie'], undefined)
  const withQuery = await request('/secret?a=1&b=x%20y')
  t.assert.strictEqual(location(withQuery), '/login?next=%2Fsecret%3Fa%3D1%26b%3Dx%2520y')
})

test('nextField renames the query parameter; an absolute login view keeps its host', async (t: TestContext) => {
  const renamed = await buildApp(t, { loginView: '/login?lang=en', nextField: 'redirect_to' })
  t.assert.strictEqual(location(await renamed.request('/secret')), '/login?lang=en&redirect_to=%2Fsecret')

  const sso = await buildApp(t, { loginView: 'https://sso.example/login' })
  const response = await sso.request('/secret')
  t.assert.strictEqual(response.statusCode, 302)
  t.assert.ok(location(response).startsWith('https://sso.example/login?next='), location(response))
})

// Flask-Login: test_unauthorized_with_next_in_session
test('useSessionForNext: 302 to the bare login view, next kept in the session for safeNextUrl', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login', useSessionForNext: true }, { routes: flowRoutes })
  const response = await request('/secret?tab=2')
  t.assert.strictEqual(response.statusCode, 302)
  t.assert.strictEqual(location(response), '/login')
  t.assert.deepStrictEqual((await request('/next-target')).json(), { next: '/secret?tab=2' })
  // read once: removed from the session
  t.assert.deepStrictEqual((await request('/next-target')).json(), { next: '/fallback' })
})

// Flask-Login: test_unauthorized_with_next_in_strong_session
test('useSessionForNext in strong mode: next survives a login view that reads currentUser', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login', useSessionForNext: true, sessionProtection: 'strong' }, {
    routes: (app) => {
      flowRoutes(app)
      app.get('/login', async (req) => ({ anonymous: req.currentUser.isAnonymous }))
    }
  })
  const response = await request('/secret')
  t.assert.strictEqual(location(response), '/login')
  t.assert.deepStrictEqual((await request('/login')).json(), { anonymous: true })
  t.assert.deepStrictEqual((await request('/next-target')).json(), { next: '/secret' })
})

test('useSessionForNext keeps next through the login itself', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login', useSessionForNext: true }, { routes: flowRoutes })
  await request('/secret')
  await logIn(request, '1')
  t.assert.deepStrictEqual((await request('/next-target')).json(), { next: '/secret' })
})

// Flask-Login: test_unauthorized_uses_blueprint_login_view
test('loginViews: whole-segment prefixes, longest wins, null answers 401, else loginView', async (t: TestContext) => {
  const guarded = ['/shop', '/shop/cart', '/shopping', '/shop/admin/users', '/api/data', '/apiary', '/other']
  const { request } = await buildApp(t, {
    loginView: '/login',
    loginViews: { '/shop': '/shop/login', '/shop/admin/': '/admin/login', '/api': null }
  }, {
    routes: (app) => {
      for (const url of guarded) {
        app.get(url, { preHandler: app.loginRequired }, async () => 'ran')
      }
    }
  })
  const expected: Array<[string, number, string | undefined]> = [
    ['/shop', 302, '/shop/login?next=%2Fshop'],
    ['/shop/cart?item=7', 302, '/shop/login?next=%2Fshop%2Fcart%3Fitem%3D7'],
    ['/shopping', 302, '/login?next=%2Fshopping'],
    ['/shop/admin/users', 302, '/admin/login?next=%2Fshop%2Fadmin%2Fusers'],
    ['/api/data', 401, undefined],
    ['/apiary', 302, '/login?next=%2Fapiary'],
    ['/other', 302, '/login?next=%2Fother']
  ]
  for (const [url, status, target] of expected) {
    const response = await request(url)
    t.assert.strictEqual(response.statusCode, status, url)
    t.assert.strictEqual(response.headers.location, target, url)
  }
})

test('a route\'s config.loginView beats loginViews and loginView; null answers 401', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login', loginViews: { '/shop': '/shop/login' } }, {
    routes: (app) => {
      app.get('/shop/special', { preHandler: app.loginRequired, config: { loginView: '/special/login' } }, async () => 'ran')
      app.get('/shop/api', { preHandler: app.loginRequired, config: { loginView: null } }, async () => 'ran')
      app.get('/plain', { preHandler: app.loginRequired, config: { loginView: '/plain/login' } }, async () => 'ran')
    }
  })
  t.assert.strictEqual(location(await request('/shop/special')), '/special/login?next=%2Fshop%2Fspecial')
  t.assert.strictEqual(location(await request('/plain')), '/plain/login?next=%2Fplain')
  const api = await request('/shop/api')
  t.assert.strictEqual(api.statusCode, 401)
  t.assert.deepStrictEqual(api.json(), deniedBody('FST_LOGIN_UNAUTHORIZED', LOGIN_MESSAGE))
})

// Flask-Login: test_set_login_view_without_blueprints
test('an app-level loginView alone redirects every guarded route to it', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/app_login' }, {
    routes: (app) => { app.get('/protected', { preHandler: app.loginRequired }, async () => 'ran') }
  })
  const response = await request('/protected')
  t.assert.strictEqual(response.statusCode, 302)
  t.assert.strictEqual(location(response), '/app_login?next=%2Fprotected')
})

test('JSON clients get a JSON 401 instead of the redirect; browsers and unknown clients the redirect', async (t: TestContext) => {
  const { app, request } = await buildApp(t, { loginView: '/login' })
  const events = recordEvents(app)
  const json = ['application/json', 'application/json, text/plain, */*', 'application/problem+json', 'APPLICATION/JSON']
  for (const accept of json) {
    const response = await request({ url: '/secret', headers: { accept } })
    t.assert.strictEqual(response.statusCode, 401, accept)
    t.assert.strictEqual(response.headers.location, undefined, accept)
    t.assert.match(String(response.headers['content-type']), /^application\/json/, accept)
    t.assert.deepStrictEqual(response.json(), deniedBody('FST_LOGIN_UNAUTHORIZED', LOGIN_MESSAGE), accept)
  }
  const redirected = [undefined, '*/*', BROWSER_ACCEPT, 'text/html, application/json', 'text/plain']
  for (const accept of redirected) {
    const response = await request({ url: '/secret', headers: accept === undefined ? {} : { accept } })
    t.assert.strictEqual(response.statusCode, 302, String(accept))
    t.assert.strictEqual(location(response), '/login?next=%2Fsecret', String(accept))
  }
  // the event fires on both paths
  t.assert.strictEqual(events.filter(([name]) => name === 'unauthorized').length, json.length + redirected.length)
})

test('a JSON client gets no flash', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login' }, { routes: flowRoutes })
  t.assert.strictEqual((await request({ url: '/secret', headers: { accept: 'application/json' } })).statusCode, 401)
  t.assert.deepStrictEqual((await request('/flashes')).json(), {})
})

test('order: the event first, then a custom handler wins over the JSON answer', async (t: TestContext) => {
  const order: string[] = []
  const { app, request } = await buildApp(t, {
    loginView: '/login',
    unauthorizedHandler: async (_request, reply) => { order.push('handler'); return reply.code(418).send({ teapot: true }) }
  })
  app.loginManager.on('unauthorized', () => { order.push('event') })
  const response = await request({ url: '/secret', headers: { accept: 'application/json' } })
  t.assert.strictEqual(response.statusCode, 418)
  t.assert.deepStrictEqual(response.json(), { teapot: true })
  t.assert.deepStrictEqual(order, ['event', 'handler'])
})

test('the unauthorized event sees the request with its (anonymous) current user', async (t: TestContext) => {
  const { app, request } = await buildApp(t)
  const seen: unknown[] = []
  app.loginManager.on('unauthorized', (req) => { seen.push([req.url, req.currentUser.isAnonymous]) })
  await request('/secret?x=1')
  t.assert.deepStrictEqual(seen, [['/secret?x=1', true]])
})

test('a logged-in user passes loginRequired without any flow', async (t: TestContext) => {
  const { app, request } = await buildApp(t, { loginView: '/login' })
  await logIn(request, '1')
  const events = recordEvents(app)
  const response = await request('/secret')
  t.assert.strictEqual(response.statusCode, 200)
  t.assert.strictEqual(response.json().name, 'Notch')
  t.assert.deepStrictEqual(events, [['accessed', undefined]])
})

test('the application can run the flow itself through loginManager.unauthorized', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login' }, {
    routes: (app) => {
      app.get('/maybe', async (req, reply) => {
        if (req.query !== null && (req.query as { deny?: string }).deny === '1') {
          return app.loginManager.unauthorized(req, reply)
        }
        return 'allowed'
      })
    }
  })
  t.assert.strictEqual((await request('/maybe')).body, 'allowed')
  const denied = await request('/maybe?deny=1')
  t.assert.strictEqual(denied.statusCode, 302)
  t.assert.strictEqual(location(denied), '/login?next=%2Fmaybe%3Fdeny%3D1')
})

// Flask-Login: test_unauthorized_uses_host_from_next_url
test('without forceHostForRedirects the redirect stays relative, whatever the Host header', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login' })
  const response = await request({ url: '/secret', headers: { host: 'evil.example' } })
  t.assert.strictEqual(location(response), '/login?next=%2Fsecret')
})

// Flask-Login: test_unauthorized_uses_host_from_config_when_available
test('forceHostForRedirects: an absolute Location on the forced host, never scheme-relative', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login', forceHostForRedirects: 'good.com' })
  const response = await request('/secret')
  t.assert.strictEqual(response.statusCode, 302)
  t.assert.strictEqual(location(response), 'http://good.com/login?next=%2Fsecret')
})

test('forceHostForRedirects: a hostile Host or X-Forwarded-Host never reaches the Location', async (t: TestContext) => {
  for (const trustProxy of [false, true]) {
    const { request } = await buildApp(t, { loginView: '/login', forceHostForRedirects: 'good.com' }, { server: { trustProxy } })
    const headerSets = [
      { host: 'evil.example' },
      { 'x-forwarded-host': 'evil.example' },
      { host: 'evil.example', 'x-forwarded-host': 'evil2.example' }
    ]
    for (const headers of headerSets) {
      const response = await request({ url: '/secret', headers })
      const target = location(response)
      t.assert.strictEqual(response.statusCode, 302)
      t.assert.strictEqual(target, 'http://good.com/login?next=%2Fsecret', `${String(trustProxy)} ${JSON.stringify(headers)}`)
      t.assert.doesNotMatch(target, /evil/)
    }
  }
})

test('forceHostForRedirects: a hostile X-Forwarded-Proto cannot turn the Location into another scheme', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login', forceHostForRedirects: 'good.com' }, { server: { trustProxy: true } })
  const https = await request({ url: '/secret', headers: { 'x-forwarded-proto': 'https' } })
  t.assert.strictEqual(location(https), 'https://good.com/login?next=%2Fsecret')
  for (const proto of ['javascript', 'data', 'ftp']) {
    const response = await request({ url: '/secret', headers: { 'x-forwarded-proto': proto } })
    t.assert.match(location(response), /^https?:\/\/good\.com\/login\?next=%2Fsecret$/, proto)
  }
})

test('forceHostForRedirects with useSessionForNext: the bare login view on the forced host', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login', forceHostForRedirects: 'good.com', useSessionForNext: true }, { routes: flowRoutes })
  const response = await request({ url: '/secret', headers: { host: 'evil.example' } })
  t.assert.strictEqual(location(response), 'http://good.com/login')
  t.assert.deepStrictEqual((await request({ url: '/next-target', headers: { host: 'good.com' } })).json(), { next: '/secret' })
})

test('no Location starts with // or holds raw non-ASCII, even for odd request paths', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login' }, {
    routes: (app) => { app.get('/*', { preHandler: app.loginRequired }, async () => 'ran') }
  })
  const response = await request('//evil.example/caf%C3%A9')
  t.assert.strictEqual(response.statusCode, 302)
  const target = location(response)
  t.assert.ok(target.startsWith('/login?next='), target)
  t.assert.doesNotMatch(target, /^\/\/|[^\x21-\x7e]/)
  t.assert.strictEqual(new URL(target, 'http://app.example').searchParams.get('next'), '//evil.example/caf%C3%A9')
})

test('with loginMessage null and no login view the 401 body says "Unauthorized"', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginMessage: null })
  const response = await request({ url: '/secret', headers: { accept: 'application/json' } })
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.deepStrictEqual(response.json(), { statusCode: 401, code: 'FST_LOGIN_UNAUTHORIZED', error: 'Unauthorized', message: 'Unauthorized' })
})
