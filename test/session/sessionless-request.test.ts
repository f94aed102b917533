// Requests for which @fastify/session keeps no session (it leaves `request.session = {}`): an
// absolute-form request line, `OPTIONS *`, and every request outside a configured cookie.path.
// Such a request is anonymous, on public and guarded routes alike, and never a 500.
import { test, type TestContext } from 'node:test'
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import fastifyLogin, { memorySessionStore } from 'fastify-login'
import { ENGINE, SECRET, SESSION_SECRET, buildApp } from '../helpers/app.js'
import { client } from '../helpers/cookie-jar.js'
import { flowRoutes } from '../helpers/flows.js'
import { rawRequest } from '../helpers/raw-request.js'
import { REMEMBER, isDeletion, setCookie } from '../helpers/remember.js'
import { makeUsers } from '../helpers/users.js'

// @fastify/secure-session reads its cookie on every request: there the login is kept
const STORE = ENGINE === 'session'

async function listening (t: TestContext, options: Parameters<typeof buildApp>[1] = {}, build: Parameters<typeof buildApp>[2] = {}) {
  const testApp = await buildApp(t, options, build)
  await testApp.app.listen({ host: '127.0.0.1', port: 0 })
  return testApp
}

test('an absolute-form request line is answered on public and guarded routes, never a 500', async (t: TestContext) => {
  const { app } = await listening(t)
  const open = await rawRequest(app, 'GET http://127.0.0.1/whoami HTTP/1.1\r\nHost: 127.0.0.1')
  t.assert.strictEqual(open.status, 200, open.body)
  t.assert.deepStrictEqual(JSON.parse(open.body), { name: 'Anonymous', fresh: false, remembered: false, anonymous: true })
  const guarded = await rawRequest(app, 'GET http://127.0.0.1/secret HTTP/1.1\r\nHost: 127.0.0.1')
  t.assert.strictEqual(guarded.status, 401, guarded.body)
  t.assert.strictEqual(JSON.parse(guarded.body).code, 'FST_LOGIN_UNAUTHORIZED')
})

test('OPTIONS * is answered without a 5xx', async (t: TestContext) => {
  const { app } = await listening(t, {}, {
    routes: (app) => { app.options('*', async (request) => ({ anonymous: request.currentUser.isAnonymous })) }
  })
  const response = await rawRequest(app, 'OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1')
  t.assert.ok(response.status > 0 && response.status < 500, `${response.status} ${response.body}`)
})

test('an absolute-form request to a guarded route gets the normal redirect, next from its path', async (t: TestContext) => {
  const { app } = await listening(t, { loginView: '/login', loginViews: { '/shop': '/shop/login' } }, {
    routes: (app) => { app.get('/shop/cart', { preHandler: app.loginRequired }, async () => 'ran') }
  })
  const response = await rawRequest(app, 'GET http://127.0.0.1/secret?x=1 HTTP/1.1\r\nHost: 127.0.0.1')
  t.assert.strictEqual(response.status, 302, response.body)
  t.assert.strictEqual(response.headers.location, '/login?next=%2Fsecret%3Fx%3D1')
  // the login view of the path's prefix, as for an origin-form request
  const shop = await rawRequest(app, 'GET http://127.0.0.1/shop/cart HTTP/1.1\r\nHost: 127.0.0.1')
  t.assert.strictEqual(shop.headers.location, '/shop/login?next=%2Fshop%2Fcart')
})

test('request targets with no path: next is / (with the query, if any)', async (t: TestContext) => {
  const { app } = await listening(t, { loginView: '/login', exemptMethods: [] }, {
    routes: (app) => {
      app.get('/', { preHandler: app.loginRequired }, async () => 'ran')
      app.options('*', { preHandler: app.loginRequired }, async () => 'ran')
    }
  })
  const query = await rawRequest(app, 'GET http://127.0.0.1?x=1 HTTP/1.1\r\nHost: 127.0.0.1')
  t.assert.strictEqual(query.status, 302, query.body)
  t.assert.strictEqual(query.headers.location, '/login?next=%2F%3Fx%3D1')
  const star = await rawRequest(app, 'OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1')
  t.assert.strictEqual(star.status, 302, star.body)
  t.assert.strictEqual(star.headers.location, '/login?next=%2F')
})

test('useSessionForNext on an absolute-form request: the redirect still goes out', async (t: TestContext) => {
  const { app } = await listening(t, { loginView: '/login', useSessionForNext: true }, { routes: flowRoutes })
  const response = await rawRequest(app, 'GET http://127.0.0.1/secret HTTP/1.1\r\nHost: 127.0.0.1')
  t.assert.strictEqual(response.status, 302, response.body)
  t.assert.strictEqual(response.headers.location, '/login')
})

test('an HTTP/1.0 request without Host gets a next URL of its path for a login view on another host', async (t: TestContext) => {
  const { app } = await listening(t, { loginView: 'https://sso.example.org/login' })
  const response = await rawRequest(app, 'GET /secret?x=1 HTTP/1.0')
  t.assert.strictEqual(response.status, 302, response.body)
  t.assert.strictEqual(response.headers.location, 'https://sso.example.org/login?next=%2Fsecret%3Fx%3D1')
})

test('an absolute-form request with session and remember cookies: anonymous on @fastify/session, no 500', async (t: TestContext) => {
  const { app, request, jar } = await listening(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const cookie = jar.header()
  const response = await rawRequest(app, `GET http://127.0.0.1/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}`)
  t.assert.strictEqual(response.status, 200, response.body)
  t.assert.strictEqual(JSON.parse(response.body).name, STORE ? 'Anonymous' : 'Notch')
  // the remember cookie is not judged (nor deleted) where there is no session to restore it into
  t.assert.doesNotMatch(response.headers['set-cookie'] ?? '', new RegExp(`${REMEMBER}=;`))
})

test('loginUser on an absolute-form request: a coded 400 on @fastify/session, never a 500', async (t: TestContext) => {
  const { app } = await listening(t)
  const response = await rawRequest(app, 'POST http://127.0.0.1/login/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0')
  if (STORE) {
    t.assert.strictEqual(response.status, 400, response.body)
    t.assert.strictEqual(JSON.parse(response.body).code, 'FST_LOGIN_NO_SESSION')
    t.assert.strictEqual(response.headers['set-cookie'], undefined)
  } else {
    t.assert.strictEqual(response.status, 200, response.body)
    t.assert.deepStrictEqual(JSON.parse(response.body), { ok: true })
  }
})

/** fastify-login on @fastify/session whose cookie is scoped to /app; routes inside and outside it. */
async function scopedApp (t: TestContext, extra: Record<string, unknown> = {}) {
  const users = makeUsers()
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyCookie)
  await app.register(fastifySession, { secret: SESSION_SECRET, cookie: { path: '/app', secure: false }, saveUninitialized: false })
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) ?? null, sessionProtection: false, ...extra })
  for (const prefix of ['/app', '']) {
    app.post<{ Params: { id: string } }>(`${prefix}/login/:id`, async (request) => ({ ok: await request.loginUser(users.get(request.params.id) as never, { remember: true }) }))
    app.post(`${prefix}/logout`, async (request) => ({ ok: await request.logoutUser() }))
    app.get(`${prefix}/whoami`, async (request) => ({ anonymous: request.currentUser.isAnonymous, remembered: request.loginRemembered(), fresh: request.loginFresh() }))
    app.get(`${prefix}/secret`, { preHandler: app.loginRequired }, async () => 'ran')
    app.get(`${prefix}/next`, async (request) => ({ next: request.safeNextUrl('/fallback') }))
  }
  await app.ready()
  return { app, ...client(app) }
}

test('outside @fastify/session\'s cookie.path a request is anonymous, public and guarded routes alike', async (t: TestContext) => {
  const { request, jar } = await scopedApp(t)
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/app/login/1' })).json(), { ok: true })
  t.assert.deepStrictEqual((await request('/app/whoami')).json(), { anonymous: false, remembered: true, fresh: true })
  // a client that sends the session and remember cookies outside the path anyway
  const outside = await request('/whoami')
  t.assert.strictEqual(outside.statusCode, 200, outside.body)
  t.assert.deepStrictEqual(outside.json(), { anonymous: true, remembered: false, fresh: false })
  t.assert.strictEqual(setCookie(outside, REMEMBER), undefined)
  const guarded = await request('/secret')
  t.assert.strictEqual(guarded.statusCode, 401, guarded.body)
  t.assert.strictEqual(guarded.json().code, 'FST_LOGIN_UNAUTHORIZED')
  t.assert.deepStrictEqual((await request('/next?next=/a')).json(), { next: '/a' })
  t.assert.deepStrictEqual((await request('/next')).json(), { next: '/fallback' })
  // the remember cookie alone restores nobody outside the path, and is kept for where it works
  jar.delete('sessionId')
  const remembered = await request('/whoami')
  t.assert.deepStrictEqual(remembered.json(), { anonymous: true, remembered: false, fresh: false })
  t.assert.ok(!isDeletion(setCookie(remembered, REMEMBER)))
  t.assert.deepStrictEqual((await request('/app/whoami')).json(), { anonymous: false, remembered: true, fresh: false })
})

test('loginUser and logoutUser outside cookie.path answer a coded 400 and set no cookie', async (t: TestContext) => {
  const { request } = await scopedApp(t)
  for (const url of ['/login/1', '/logout']) {
    const response = await request({ method: 'POST', url })
    t.assert.strictEqual(response.statusCode, 400, `${url}: ${response.body}`)
    t.assert.strictEqual(response.json().code, 'FST_LOGIN_NO_SESSION')
    t.assert.strictEqual(response.headers['set-cookie'], undefined)
  }
})

test('with tracked sessions, a login outside cookie.path is refused before the store gets an entry', async (t: TestContext) => {
  const store = memorySessionStore()
  const { request } = await scopedApp(t, { sessions: { store } })
  const response = await request({ method: 'POST', url: '/login/1' })
  t.assert.strictEqual(response.statusCode, 400)
  t.assert.strictEqual(response.json().code, 'FST_LOGIN_NO_SESSION')
  t.assert.deepStrictEqual(await store.list('1'), [])
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/app/login/1' })).json(), { ok: true })
  t.assert.strictEqual((await store.list('1')).length, 1)
})
