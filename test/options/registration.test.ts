import { test, type TestContext } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySecureSession from '@fastify/secure-session'
import fastifySession from '@fastify/session'
import fastifyLogin, { fastifyLogin as namedPlugin, type FastifyLoginOptions } from 'fastify-login'
import { SECRET, SESSION_SECRET } from '../helpers/app.js'
import { makeUsers } from '../helpers/users.js'

const userLoader = (): null => null

function newApp (t: TestContext): FastifyInstance {
  const app = Fastify()
  t.after(() => app.close())
  return app
}

/** Registers fastify-login on a fresh app with a login route for user 1; returns the app. */
async function appWithLogin (t: TestContext, options: Partial<FastifyLoginOptions> = {}, before?: (app: FastifyInstance) => Promise<void>): Promise<FastifyInstance> {
  const users = makeUsers()
  const app = newApp(t)
  await before?.(app)
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) ?? null, ...options } as FastifyLoginOptions)
  app.post('/login', async (request) => ({ ok: await request.loginUser(users.get('1') as never) }))
  await app.ready()
  return app
}

function cookieNames (response: import('fastify').LightMyRequestResponse): string[] {
  return (response.cookies as Array<{ name: string }>).map((cookie) => cookie.name)
}

// Flask-Login: test_init_app
test('registering with await decorates the instance, the request and the reply', async (t: TestContext) => {
  const app = newApp(t)
  await app.register(fastifyLogin, { secret: SECRET, userLoader, addContextProcessor: true })
  t.assert.strictEqual(app.hasPlugin('fastify-login'), true)
  t.assert.strictEqual(typeof app.loginRequired, 'function')
  t.assert.strictEqual(typeof app.freshLoginRequired, 'function')
  t.assert.strictEqual(typeof app.loginManager.on, 'function')
  for (const name of ['currentUser', 'loginUser', 'logoutUser', 'confirmLogin', 'loginFresh', 'loginRemembered', 'safeNextUrl']) {
    t.assert.strictEqual(app.hasRequestDecorator(name), true, name)
  }
  t.assert.strictEqual(app.hasReplyDecorator('locals'), true)
})

// Flask-Login: test_class_init
test('registering without await (named export) works and is visible to the whole application', async (t: TestContext) => {
  const app = newApp(t)
  app.register(async (child) => {
    child.register(namedPlugin, { secret: SECRET, userLoader })
  })
  app.register(namedPlugin, { secret: SECRET, userLoader })
  app.get('/who', async (request) => ({ anonymous: request.currentUser.isAnonymous }))
  await app.ready()
  t.assert.deepStrictEqual((await app.inject('/who')).json(), { anonymous: true })
})

// Flask-Login: test_no_user_loader_raises
test('no userLoader, requestLoader, headerLoader or tokenLoader: FST_LOGIN_NO_LOADER at registration', async (t: TestContext) => {
  const app = newApp(t)
  await t.assert.rejects(async () => { await app.register(fastifyLogin, { secret: SECRET }) }, (error: Error & { code?: string }) => {
    t.assert.strictEqual(error.code, 'FST_LOGIN_NO_LOADER')
    t.assert.match(error.message, /userLoader/)
    return true
  })
})

test('any one loader is enough', async (t: TestContext) => {
  for (const loader of ['requestLoader', 'headerLoader', 'tokenLoader']) {
    const app = newApp(t)
    await app.register(fastifyLogin, { secret: SECRET, [loader]: () => null })
    t.assert.strictEqual(app.hasPlugin('fastify-login'), true, loader)
  }
})

const badOptions: Array<[string, unknown, string, string]> = [
  ['sessionProtection "medium"', { sessionProtection: 'medium' }, 'FST_LOGIN_INVALID_OPTION', 'sessionProtection'],
  ['loginMessageCategory not a string', { loginMessageCategory: 5 }, 'FST_LOGIN_INVALID_OPTION', 'loginMessageCategory'],
  ['rememberCookie.secure "yes"', { rememberCookie: { secure: 'yes' } }, 'FST_LOGIN_INVALID_OPTION', 'rememberCookie.secure'],
  ['rememberCookie.httpOnly "no"', { rememberCookie: { httpOnly: 'no' } }, 'FST_LOGIN_INVALID_OPTION', 'rememberCookie.httpOnly'],
  ['rememberCookie.sameSite "sometimes"', { rememberCookie: { sameSite: 'sometimes' } }, 'FST_LOGIN_INVALID_OPTION', 'rememberCookie.sameSite'],
  ['sessionProtection true', { sessionProtection: true }, 'FST_LOGIN_INVALID_OPTION', 'sessionProtection'],
  ['negative rememberCookie.duration', { rememberCookie: { duration: -1 } }, 'FST_LOGIN_INVALID_OPTION', 'rememberCookie.duration'],
  ['zero rememberCookie.duration', { rememberCookie: { duration: 0 } }, 'FST_LOGIN_INVALID_OPTION', 'rememberCookie.duration'],
  ['NaN rememberCookie.duration', { rememberCookie: { duration: Number.NaN } }, 'FST_LOGIN_INVALID_OPTION', 'rememberCookie.duration'],
  ['Infinity rememberCookie.duration', { rememberCookie: { duration: Infinity } }, 'FST_LOGIN_INVALID_OPTION', 'rememberCookie.duration'],
  ['string rememberCookie.duration', { rememberCookie: { duration: '3600' } }, 'FST_LOGIN_INVALID_OPTION', 'rememberCookie.duration'],
  ['rememberCookie not an object', { rememberCookie: 'remember' }, 'FST_LOGIN_INVALID_OPTION', 'rememberCookie'],
  ['secret missing', { secret: undefined }, 'FST_LOGIN_INVALID_SECRET', 'secret'],
  ['secret of 31 bytes', { secret: 'x'.repeat(31) }, 'FST_LOGIN_INVALID_SECRET', 'secret'],
  ['secret Buffer of 31 bytes', { secret: Buffer.alloc(31, 1) }, 'FST_LOGIN_INVALID_SECRET', 'secret'],
  ['empty secret array', { secret: [] }, 'FST_LOGIN_INVALID_SECRET', 'secret'],
  ['a short secret in the array', { secret: [SECRET, 'short'] }, 'FST_LOGIN_INVALID_SECRET', 'secret'],
  ['secret as a number', { secret: 2 ** 128 }, 'FST_LOGIN_INVALID_SECRET', 'secret'],
  ['loginView without a leading slash', { loginView: 'login' }, 'FST_LOGIN_INVALID_OPTION', 'loginView'],
  ['loginView "//evil"', { loginView: '//evil' }, 'FST_LOGIN_INVALID_OPTION', 'loginView'],
  ['loginView "/\\evil"', { loginView: '/\\evil' }, 'FST_LOGIN_INVALID_OPTION', 'loginView'],
  ['loginView javascript:', { loginView: 'javascript:alert(1)' }, 'FST_LOGIN_INVALID_OPTION', 'loginView'],
  ['refreshView "//evil"', { refreshView: '//evil' }, 'FST_LOGIN_INVALID_OPTION', 'refreshView'],
  ['loginViews key without "/"', { loginViews: { shop: '/shop/login' } }, 'FST_LOGIN_INVALID_OPTION', 'loginViews'],
  ['loginViews value "//evil"', { loginViews: { '/shop': '//evil' } }, 'FST_LOGIN_INVALID_OPTION', 'loginViews'],
  ['loginViews an array', { loginViews: ['/shop'] }, 'FST_LOGIN_INVALID_OPTION', 'loginViews'],
  ['nextField with "&"', { nextField: 'next&admin=1' }, 'FST_LOGIN_INVALID_OPTION', 'nextField'],
  ['nextField empty', { nextField: '' }, 'FST_LOGIN_INVALID_OPTION', 'nextField'],
  ['exemptMethods not an array', { exemptMethods: 'OPTIONS' }, 'FST_LOGIN_INVALID_OPTION', 'exemptMethods'],
  ['exemptMethods with a non-method', { exemptMethods: ['GET POST'] }, 'FST_LOGIN_INVALID_OPTION', 'exemptMethods'],
  ['allowedHosts with "/"', { allowedHosts: ['good.example/path'] }, 'FST_LOGIN_INVALID_OPTION', 'allowedHosts'],
  ['allowedHosts a string', { allowedHosts: 'good.example' }, 'FST_LOGIN_INVALID_OPTION', 'allowedHosts'],
  ['forceHostForRedirects with a path', { forceHostForRedirects: 'good.com/evil' }, 'FST_LOGIN_INVALID_OPTION', 'forceHostForRedirects'],
  ['forceHostForRedirects with a scheme', { forceHostForRedirects: 'https://good.com' }, 'FST_LOGIN_INVALID_OPTION', 'forceHostForRedirects'],
  ['rememberCookie.name "__Host-x" with secure "auto"', { rememberCookie: { name: '__Host-x', secure: 'auto' } }, 'FST_LOGIN_INVALID_OPTION', 'rememberCookie.name'],
  ['rememberCookie.name "__Host-x" with a domain', { rememberCookie: { name: '__Host-x', secure: true, domain: 'example.com' } }, 'FST_LOGIN_INVALID_OPTION', 'rememberCookie.name'],
  ['rememberCookie.name "__Secure-x" without secure', { rememberCookie: { name: '__Secure-x' } }, 'FST_LOGIN_INVALID_OPTION', 'rememberCookie.name'],
  ['rememberCookie.name with a space', { rememberCookie: { name: 'remember me' } }, 'FST_LOGIN_INVALID_OPTION', 'rememberCookie.name'],
  ['sameSite "none" with secure false', { rememberCookie: { sameSite: 'none', secure: false } }, 'FST_LOGIN_INVALID_OPTION', 'rememberCookie.sameSite'],
  ['rememberCookie.path with ";"', { rememberCookie: { path: '/;domain=evil' } }, 'FST_LOGIN_INVALID_OPTION', 'rememberCookie.path'],
  ['idleTimeout -1', { idleTimeout: -1 }, 'FST_LOGIN_INVALID_OPTION', 'idleTimeout'],
  ['absoluteTimeout "1h"', { absoluteTimeout: '1h' }, 'FST_LOGIN_INVALID_OPTION', 'absoluteTimeout'],
  ['authHeaderName with a space', { authHeaderName: 'x api key' }, 'FST_LOGIN_INVALID_OPTION', 'authHeaderName'],
  ['userLoader not a function', { userLoader: 'users' }, 'FST_LOGIN_INVALID_OPTION', 'userLoader'],
  ['unauthorizedHandler not a function', { unauthorizedHandler: {} }, 'FST_LOGIN_INVALID_OPTION', 'unauthorizedHandler'],
  ['localize not a function', { localize: 'de' }, 'FST_LOGIN_INVALID_OPTION', 'localize'],
  ['useSessionForNext "yes"', { useSessionForNext: 'yes' }, 'FST_LOGIN_INVALID_OPTION', 'useSessionForNext'],
  ['disabled 1', { disabled: 1 }, 'FST_LOGIN_INVALID_OPTION', 'disabled'],
  ['loginMessage 42', { loginMessage: 42 }, 'FST_LOGIN_INVALID_OPTION', 'loginMessage'],
  ['session not an object', { session: 'key' }, 'FST_LOGIN_INVALID_OPTION', 'session']
]

test('every bad option is refused at registration with a coded error that names it', async (t: TestContext) => {
  for (const [label, override, code, name] of badOptions) {
    const app = newApp(t)
    const options = { secret: SECRET, userLoader, ...(override as object) }
    await t.assert.rejects(async () => { await app.register(fastifyLogin, options as FastifyLoginOptions) }, (error: Error & { code?: string }) => {
      t.assert.strictEqual(error.code, code, label)
      t.assert.ok(error.message.includes(name), `${label}: ${error.message}`)
      return true
    }, label)
  }
})

test('options that are not an object are refused with FST_LOGIN_INVALID_OPTION naming "options"', async (t: TestContext) => {
  for (const options of ['secret', 42, true]) {
    const app = newApp(t)
    await t.assert.rejects(async () => { await app.register(fastifyLogin, options as never) }, (error: Error & { code?: string }) => {
      t.assert.strictEqual(error.code, 'FST_LOGIN_INVALID_OPTION')
      t.assert.match(error.message, /"options"/)
      return true
    })
  }
})

test('the edge values of the options are accepted', async (t: TestContext) => {
  const app = newApp(t)
  await app.register(fastifyLogin, {
    secret: [SECRET, Buffer.alloc(32, 2)],
    userLoader,
    sessionProtection: null,
    loginView: 'https://sso.example/login',
    loginViews: { '/': '/login', '/api': null },
    rememberCookie: { name: '__Host-remember', secure: true, path: '/', duration: 1, sameSite: 'none' },
    idleTimeout: null,
    absoluteTimeout: 0.5,
    exemptMethods: [],
    allowedHosts: ['good.example:8443'],
    forceHostForRedirects: 'good.example:8443'
  })
  t.assert.strictEqual(app.loginManager.options.sessionProtection, false)
  t.assert.deepStrictEqual(app.loginManager.options.exemptMethods, [])
})

test('a session request decorator of an unknown plugin: FST_LOGIN_UNSUPPORTED_SESSION', async (t: TestContext) => {
  const app = newApp(t)
  app.decorateRequest('session', null as never)
  await t.assert.rejects(async () => { await app.register(fastifyLogin, { secret: SECRET, userLoader }) }, { code: 'FST_LOGIN_UNSUPPORTED_SESSION' })
})

test('without a session plugin, fastify-login registers @fastify/secure-session and @fastify/cookie', async (t: TestContext) => {
  const app = await appWithLogin(t)
  t.assert.strictEqual(app.hasPlugin('@fastify/secure-session'), true)
  t.assert.strictEqual(app.hasPlugin('@fastify/cookie'), true)
  const response = await app.inject({ method: 'POST', url: '/login' })
  t.assert.deepStrictEqual(response.json(), { ok: true })
  const session = (response.cookies as Array<{ name: string, path?: string, httpOnly?: boolean, sameSite?: string }>).find((c) => c.name === 'session')
  t.assert.ok(session !== undefined, 'a "session" cookie is set')
  t.assert.strictEqual(session.path, '/')
  t.assert.strictEqual(session.httpOnly, true)
  t.assert.strictEqual(session.sameSite, 'Lax')
})

test('options.session is given to @fastify/secure-session when the plugin registers it', async (t: TestContext) => {
  const app = await appWithLogin(t, { session: { key: Buffer.alloc(32, 7), cookieName: 'custom_session', cookie: { path: '/' } } })
  const response = await app.inject({ method: 'POST', url: '/login' })
  t.assert.deepStrictEqual(cookieNames(response), ['custom_session'])
})

test('an already registered @fastify/secure-session is used, not registered again', async (t: TestContext) => {
  const app = await appWithLogin(t, {}, async (app) => {
    await app.register(fastifySecureSession, { key: Buffer.alloc(32, 3), cookieName: 'own_session', cookie: { path: '/' } })
  })
  t.assert.strictEqual(app.hasPlugin('@fastify/secure-session'), true)
  const response = await app.inject({ method: 'POST', url: '/login' })
  t.assert.deepStrictEqual(response.json(), { ok: true })
  t.assert.deepStrictEqual(cookieNames(response), ['own_session'])
})

test('an already registered @fastify/session is used, and no secure-session is added', async (t: TestContext) => {
  const app = await appWithLogin(t, {}, async (app) => {
    await app.register(fastifyCookie)
    await app.register(fastifySession, { secret: SESSION_SECRET, cookie: { secure: false }, saveUninitialized: false })
  })
  t.assert.strictEqual(app.hasPlugin('@fastify/secure-session'), false)
  const response = await app.inject({ method: 'POST', url: '/login' })
  t.assert.deepStrictEqual(response.json(), { ok: true })
  t.assert.deepStrictEqual(cookieNames(response), ['sessionId'])
})

test('loginManager.options: frozen, with the defaults of the contract', async (t: TestContext) => {
  const app = newApp(t)
  await app.register(fastifyLogin, { secret: SECRET, userLoader })
  const options = app.loginManager.options
  t.assert.strictEqual(Object.isFrozen(options), true)
  t.assert.strictEqual(Object.isFrozen(options.rememberCookie), true)
  t.assert.strictEqual(Object.isFrozen(options.exemptMethods), true)
  t.assert.strictEqual(Object.isFrozen(options.allowedHosts), true)
  t.assert.strictEqual(Object.isFrozen(options.loginViews), true)
  const defaults = {
    authHeaderName: 'authorization',
    loginView: null,
    loginViews: {},
    loginMessage: 'Please log in to access this page.',
    loginMessageCategory: 'message',
    refreshView: null,
    needsRefreshMessage: 'Please reauthenticate to access this page.',
    needsRefreshMessageCategory: 'message',
    useSessionForNext: false,
    nextField: 'next',
    forceHostForRedirects: null,
    allowedHosts: [],
    sessionProtection: 'basic',
    exemptMethods: ['OPTIONS'],
    disabled: false,
    idAttribute: 'getId',
    addContextProcessor: true,
    idleTimeout: null,
    absoluteTimeout: null,
    freshFor: null,
    sessions: null
  }
  const resolved = options as unknown as Record<string, unknown>
  const picked = Object.fromEntries(Object.keys(defaults).map((name) => [name, resolved[name]]))
  t.assert.deepStrictEqual({ ...picked, loginViews: { ...options.loginViews }, allowedHosts: [...options.allowedHosts], exemptMethods: [...options.exemptMethods] }, defaults)
  t.assert.deepStrictEqual({ ...options.rememberCookie }, {
    name: 'remember_token',
    duration: 365 * 24 * 60 * 60,
    domain: undefined,
    path: '/',
    secure: 'auto',
    httpOnly: true,
    sameSite: 'lax',
    refreshEachRequest: false,
    rotationGrace: 30
  })
  t.assert.strictEqual(options.userLoader, userLoader)
  t.assert.strictEqual(Reflect.set(options, 'nextField', 'x'), false)
  t.assert.strictEqual(Reflect.set(options.rememberCookie, 'duration', 1), false)
  t.assert.strictEqual(options.nextField, 'next')
})
