import { test, type TestContext } from 'node:test'
import type { FastifyRequest } from 'fastify'
import { buildApp, recordEvents } from '../helpers/app.js'
import { logIn, logInRemembered } from '../helpers/flows.js'

function staticRoute (app: import('fastify').FastifyInstance): void {
  app.get('/static/app.css', async (request, reply) => {
    reply.type('text/css')
    return `/* ${request.currentUser.isAnonymous ? 'anonymous' : 'user'} */ body { margin: 0 }`
  })
}

function nameOf (request: FastifyRequest): string {
  const user = request.currentUser as { name?: string, isAnonymous: boolean }
  return user.isAnonymous ? 'Anonymous' : String(user.name)
}

// Flask-Login: test_static_loads_anonymous
test('a static file request sees an anonymous user', async (t: TestContext) => {
  const { request } = await buildApp(t, {}, { routes: staticRoute })
  const response = await request('/static/app.css')
  t.assert.strictEqual(response.statusCode, 200)
  t.assert.strictEqual(response.body, '/* anonymous */ body { margin: 0 }')
})

// Flask-Login: test_static_loads_without_accessing_session
test('a static file request without a login emits no accessed event and sets no cookie', async (t: TestContext) => {
  const { app, request } = await buildApp(t, {}, { routes: staticRoute })
  const events = recordEvents(app)
  const response = await request('/static/app.css')
  t.assert.strictEqual(response.statusCode, 200)
  t.assert.deepStrictEqual(events, [])
  t.assert.strictEqual(response.headers['set-cookie'], undefined)
})

// Flask-Login: test_user_login_confirmed_signal_fired
test('confirmLogin emits loginConfirmed once with the user, who is fresh by then', async (t: TestContext) => {
  const { app, request } = await buildApp(t)
  await logIn(request, '1', 'fresh=0')
  const events = recordEvents(app)
  const seen: unknown[] = []
  app.loginManager.on('loginConfirmed', (req, user) => { seen.push([req.loginFresh(), (user as { name?: string }).name]) })
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/confirm' })).json(), { fresh: true })
  t.assert.deepStrictEqual(events.filter(([name]) => name === 'loginConfirmed'), [['loginConfirmed', 'Notch']])
  t.assert.deepStrictEqual(seen, [[true, 'Notch']])
})

test('confirmLogin without a login emits nothing', async (t: TestContext) => {
  const { app, request } = await buildApp(t)
  const events = recordEvents(app)
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/confirm' })).json(), { fresh: false })
  t.assert.deepStrictEqual(events, [])
})

test('loggedIn and loggedOut listeners see request.currentUser already updated', async (t: TestContext) => {
  const { app, request } = await buildApp(t)
  const seen: string[] = []
  app.loginManager.on('loggedIn', (req, user) => { seen.push(`in:${nameOf(req)}:${String((user as { name?: string }).name)}`) })
  app.loginManager.on('loggedOut', (req, user) => { seen.push(`out:${nameOf(req)}:${String((user as { name?: string }).name)}`) })
  await logIn(request, '2')
  await request({ method: 'POST', url: '/logout' })
  t.assert.deepStrictEqual(seen, ['in:Steve:Steve', 'out:Anonymous:Steve'])
})

test('loadedFromCookie and accessed fire once, after currentUser is the restored user', async (t: TestContext) => {
  const testApp = await buildApp(t)
  await logInRemembered(testApp, '1')
  const events = recordEvents(testApp.app)
  const seen: string[] = []
  testApp.app.loginManager.on('loadedFromCookie', (req) => { seen.push(`cookie:${nameOf(req)}:${String(req.loginFresh())}`) })
  testApp.app.loginManager.on('accessed', (req) => { seen.push(`accessed:${nameOf(req)}`) })
  const response = await testApp.request('/whoami')
  t.assert.deepStrictEqual(response.json(), { name: 'Notch', fresh: false, remembered: true, anonymous: false })
  t.assert.deepStrictEqual(events, [['accessed', undefined], ['loadedFromCookie', 'Notch']])
  t.assert.deepStrictEqual(seen, ['accessed:Notch', 'cookie:Notch:false'])
})

test('accessed fires once for each request that carries a session login', async (t: TestContext) => {
  const { app, request } = await buildApp(t)
  await logIn(request, '1')
  const events = recordEvents(app)
  await request('/whoami')
  await request('/secret')
  t.assert.deepStrictEqual(events, [['accessed', undefined], ['accessed', undefined]])
})

test('the unauthorized and needsRefresh events receive only the request', async (t: TestContext) => {
  const { app, request } = await buildApp(t)
  const args: number[] = []
  app.loginManager.on('unauthorized', (...received: unknown[]) => { args.push(received.length) })
  app.loginManager.on('needsRefresh', (...received: unknown[]) => { args.push(received.length) })
  await request('/secret')
  await logIn(request, '1', 'fresh=0')
  await request('/needs-refresh')
  t.assert.deepStrictEqual(args, [1, 1])
})

test('removing one listener leaves the others receiving events; a listener added later receives them too', async (t: TestContext) => {
  const { app, request } = await buildApp(t)
  const first: string[] = []
  const second: string[] = []
  const onFirst = (): void => { first.push('accessed') }
  app.loginManager.on('accessed', onFirst)
  app.loginManager.on('loggedIn', () => { second.push('loggedIn') })
  await request({ method: 'POST', url: '/login/1' })
  await request('/whoami')
  app.loginManager.off('accessed', onFirst)
  await request('/whoami')
  t.assert.deepStrictEqual(first, ['accessed'])
  app.loginManager.on('accessed', () => { second.push('accessed') })
  await request('/whoami')
  t.assert.deepStrictEqual(second, ['loggedIn', 'accessed'])
})
