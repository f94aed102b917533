import { test, type TestContext } from 'node:test'
import { buildApp, recordEvents } from '../helpers/app.js'
import { LOGIN_MESSAGE, REFRESH_MESSAGE, deniedBody, logIn, logInRemembered } from '../helpers/flows.js'

// Flask-Login: test_login_required_decorator
test('loginRequired: anonymous gets 401, a logged-in user reaches the route', async (t: TestContext) => {
  const { request } = await buildApp(t)
  const anonymous = await request('/secret')
  t.assert.strictEqual(anonymous.statusCode, 401)
  t.assert.deepStrictEqual(anonymous.json(), deniedBody('FST_LOGIN_UNAUTHORIZED', LOGIN_MESSAGE))
  await logIn(request, '1')
  const loggedIn = await request('/secret')
  t.assert.strictEqual(loggedIn.statusCode, 200)
  t.assert.deepStrictEqual(loggedIn.json(), { name: 'Notch', fresh: true, remembered: false, anonymous: false })
})

// Flask-Login: test_login_required_decorator_with_async
test('loginRequired guards async handlers and callback-style handlers alike', async (t: TestContext) => {
  const { request } = await buildApp(t, {}, {
    routes: (app) => {
      app.get('/async', { preHandler: app.loginRequired }, async (req) => {
        await new Promise((resolve) => setImmediate(resolve))
        return `async ${String((req.currentUser as { name?: string }).name)}`
      })
      app.get('/sync', { preHandler: app.loginRequired }, (req, reply) => {
        reply.send(`sync ${String((req.currentUser as { name?: string }).name)}`)
      })
    }
  })
  t.assert.strictEqual((await request('/async')).statusCode, 401)
  t.assert.strictEqual((await request('/sync')).statusCode, 401)
  await logIn(request, '2')
  t.assert.strictEqual((await request('/async')).body, 'async Steve')
  t.assert.strictEqual((await request('/sync')).body, 'sync Steve')
})

// Flask-Login: test_fresh_login_required_decorator
test('freshLoginRequired: anonymous 401, fresh passes, restored login 401 until confirmLogin', async (t: TestContext) => {
  const testApp = await buildApp(t)
  const { request } = testApp
  const anonymous = await request('/needs-refresh')
  t.assert.strictEqual(anonymous.statusCode, 401)
  t.assert.deepStrictEqual(anonymous.json(), deniedBody('FST_LOGIN_UNAUTHORIZED', LOGIN_MESSAGE))

  await logIn(request, '1')
  t.assert.strictEqual((await request('/needs-refresh')).statusCode, 200)

  await logInRemembered(testApp, '1')
  const restored = await request('/needs-refresh')
  t.assert.strictEqual(restored.statusCode, 401)
  t.assert.deepStrictEqual(restored.json(), deniedBody('FST_LOGIN_NEEDS_REFRESH', REFRESH_MESSAGE))
  // still logged in: loginRequired lets the restored login through
  t.assert.strictEqual((await request('/secret')).statusCode, 200)

  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/confirm' })).json(), { fresh: true })
  const confirmed = await request('/needs-refresh')
  t.assert.strictEqual(confirmed.statusCode, 200)
  t.assert.deepStrictEqual(confirmed.json(), { name: 'Notch', fresh: true, remembered: true, anonymous: false })
})

test('freshLoginRequired refuses a login made with fresh: false', async (t: TestContext) => {
  const { request } = await buildApp(t)
  await logIn(request, '1', 'fresh=0')
  t.assert.strictEqual((await request('/needs-refresh')).statusCode, 401)
  t.assert.strictEqual((await request('/secret')).statusCode, 200)
})

test('guards refuse a forced login of an inactive user (they test isAuthenticated)', async (t: TestContext) => {
  const { request } = await buildApp(t)
  await logIn(request, '3', 'force=1')
  t.assert.strictEqual((await request('/secret')).statusCode, 401)
  t.assert.strictEqual((await request('/needs-refresh')).json().code, 'FST_LOGIN_UNAUTHORIZED')
})

// Flask-Login: test_options_call_exempt
test('OPTIONS is exempt from both guards by default, and runs the route', async (t: TestContext) => {
  const { app, request } = await buildApp(t, { loginView: '/login' }, {
    routes: (app) => {
      app.options('/both', { preHandler: [app.loginRequired, app.freshLoginRequired] }, async (req) => ({ method: req.method, anonymous: req.currentUser.isAnonymous }))
      app.get('/both', { preHandler: [app.loginRequired, app.freshLoginRequired] }, async () => 'ran')
    }
  })
  const events = recordEvents(app)
  const response = await request({ method: 'OPTIONS', url: '/both' })
  t.assert.strictEqual(response.statusCode, 200)
  t.assert.deepStrictEqual(response.json(), { method: 'OPTIONS', anonymous: true })
  t.assert.deepStrictEqual(events, [])
  t.assert.strictEqual((await request('/both')).statusCode, 302)
})

test('HEAD on a guarded GET route is guarded too', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginView: '/login' })
  const head = await request({ method: 'HEAD', url: '/secret' })
  t.assert.strictEqual(head.statusCode, 302)
  t.assert.strictEqual(head.headers.location, '/login?next=%2Fsecret')
  const headFresh = await request({ method: 'HEAD', url: '/needs-refresh' })
  t.assert.strictEqual(headFresh.statusCode, 302)
  await logIn(request, '1')
  t.assert.strictEqual((await request({ method: 'HEAD', url: '/secret' })).statusCode, 200)
})

// Flask-Login 0.6.3: test_decorators_are_disabled
test('disabled: true lets every request through both guards, with no flow and no event', async (t: TestContext) => {
  const { app, request } = await buildApp(t, { disabled: true, loginView: '/login', refreshView: '/refresh' })
  const events = recordEvents(app)
  const secret = await request('/secret')
  t.assert.strictEqual(secret.statusCode, 200)
  t.assert.strictEqual(secret.json().name, 'Anonymous')
  t.assert.strictEqual((await request('/needs-refresh')).statusCode, 200)
  await logIn(request, '1', 'fresh=0')
  t.assert.strictEqual((await request('/needs-refresh')).statusCode, 200)
  t.assert.deepStrictEqual(events.filter(([name]) => name === 'unauthorized' || name === 'needsRefresh'), [])
})

test('exemptMethods replaces the default list (case-insensitive); OPTIONS is then guarded', async (t: TestContext) => {
  const { request } = await buildApp(t, { exemptMethods: ['get'] }, {
    routes: (app) => {
      app.options('/secret', { preHandler: app.loginRequired }, async () => 'ran')
      app.post('/secret', { preHandler: app.loginRequired }, async () => 'ran')
    }
  })
  t.assert.strictEqual((await request('/secret')).statusCode, 200)
  t.assert.strictEqual((await request('/needs-refresh')).statusCode, 200)
  t.assert.strictEqual((await request({ method: 'OPTIONS', url: '/secret' })).statusCode, 401)
  t.assert.strictEqual((await request({ method: 'POST', url: '/secret' })).statusCode, 401)
})

test('exemptMethods: [] guards OPTIONS as well', async (t: TestContext) => {
  const { request } = await buildApp(t, { exemptMethods: [] }, {
    routes: (app) => { app.options('/secret', { preHandler: app.loginRequired }, async () => 'ran') }
  })
  t.assert.strictEqual((await request({ method: 'OPTIONS', url: '/secret' })).statusCode, 401)
})

test('guards work on typed routes, alone, in arrays, and beside other preHandlers', async (t: TestContext) => {
  const { request } = await buildApp(t, {}, {
    routes: (app) => {
      app.get<{ Querystring: { page: string }, Reply: { page: number, user: string } }>('/typed', {
        preHandler: app.loginRequired,
        schema: { querystring: { type: 'object', properties: { page: { type: 'string' } }, required: ['page'] } }
      }, async (req) => ({ page: Number(req.query.page), user: String((req.currentUser as { name?: string }).name) }))
      app.post<{ Body: { note: string }, Params: { id: string } }>('/typed/:id', {
        preHandler: [async (req) => { req.log.debug('first') }, app.freshLoginRequired]
      }, async (req) => ({ id: req.params.id, note: req.body.note }))
    }
  })
  t.assert.strictEqual((await request('/typed?page=2')).statusCode, 401)
  t.assert.strictEqual((await request({ method: 'POST', url: '/typed/9', payload: { note: 'hi' } })).statusCode, 401)
  await logIn(request, '1')
  t.assert.deepStrictEqual((await request('/typed?page=2')).json(), { page: 2, user: 'Notch' })
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/typed/9', payload: { note: 'hi' } })).json(), { id: '9', note: 'hi' })
})

test('guards can be used as app-wide hooks of an encapsulated context', async (t: TestContext) => {
  const { request } = await buildApp(t, {}, {
    routes: (app) => {
      app.register(async (admin) => {
        admin.addHook('preHandler', admin.loginRequired)
        admin.get('/admin/panel', async () => 'panel')
      })
    }
  })
  t.assert.strictEqual((await request('/admin/panel')).statusCode, 401)
  t.assert.strictEqual((await request('/whoami')).statusCode, 200)
  await logIn(request, '2')
  t.assert.strictEqual((await request('/admin/panel')).body, 'panel')
})

test('a guard awaited inside the application\'s own hook passes, or answers and stops the route', async (t: TestContext) => {
  let ran = 0
  const { request } = await buildApp(t, {}, {
    routes: (app) => {
      // a role check built on the guards: log in first, then be Steve
      app.get('/steve-only', {
        preHandler: async (req, reply) => {
          await app.freshLoginRequired(req, reply)
          if (reply.sent) return reply
          await app.loginRequired(req, reply)
          if ((req.currentUser as { name?: string }).name !== 'Steve') return reply.code(403).send('Steve only')
        }
      }, async () => { ran++; return 'hello Steve' })
    }
  })
  const anonymous = await request('/steve-only')
  t.assert.strictEqual(anonymous.statusCode, 401)
  t.assert.deepStrictEqual(anonymous.json(), deniedBody('FST_LOGIN_UNAUTHORIZED', LOGIN_MESSAGE))
  await logIn(request, '1')
  t.assert.strictEqual((await request('/steve-only')).statusCode, 403)
  await request({ method: 'POST', url: '/login/2?fresh=0' })
  const stale = await request('/steve-only')
  t.assert.strictEqual(stale.statusCode, 401)
  t.assert.deepStrictEqual(stale.json(), deniedBody('FST_LOGIN_NEEDS_REFRESH', REFRESH_MESSAGE))
  await logIn(request, '2')
  const steve = await request('/steve-only')
  t.assert.strictEqual(steve.statusCode, 200)
  t.assert.strictEqual(steve.body, 'hello Steve')
  t.assert.strictEqual(ran, 1)
})

// README "Guard a whole route prefix" (a Flask blueprint's before_request)
test('a whole route prefix is guarded by a hook of a plugin registered with { prefix }', async (t: TestContext) => {
  const { request } = await buildApp(t, {}, {
    routes: (app) => {
      app.register(async (admin) => {
        admin.addHook('preHandler', admin.loginRequired)
        admin.get('/', async (req) => `admin home of ${(req.currentUser as { name?: string }).name}`)
        admin.get('/users', async () => ['Notch', 'Steve'])
      }, { prefix: '/admin' })
      app.get('/adminless', async () => 'public')
    }
  })
  for (const url of ['/admin', '/admin/', '/admin/users']) {
    t.assert.strictEqual((await request(url)).statusCode, 401, url)
  }
  t.assert.strictEqual((await request('/adminless')).body, 'public')
  await logIn(request, '2')
  t.assert.strictEqual((await request('/admin')).body, 'admin home of Steve')
  t.assert.deepStrictEqual((await request('/admin/users')).json(), ['Notch', 'Steve'])
})
