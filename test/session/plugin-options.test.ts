// The session plugin's options, checked at registration: a remember cookie named like the session
// cookie (issue 11, item 7) and @fastify/secure-session's named sessions (item 8).
import { test, type TestContext } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySecureSession from '@fastify/secure-session'
import fastifySession from '@fastify/session'
import fastifyLogin, { type FastifyLoginOptions } from 'fastify-login'
import { SECRET, SESSION_SECRET } from '../helpers/app.js'
import { client } from '../helpers/cookie-jar.js'
import { makeUsers } from '../helpers/users.js'

const KEY = Buffer.alloc(32, 5)

interface Case {
  label: string
  options: Partial<FastifyLoginOptions>
  before?: (app: FastifyInstance) => Promise<void>
}

async function refused (t: TestContext, { label, options, before }: Case, code: string, pattern: RegExp): Promise<void> {
  const app = Fastify()
  t.after(() => app.close())
  await before?.(app)
  await t.assert.rejects(async () => {
    await app.register(fastifyLogin, { secret: SECRET, userLoader: () => null, ...options } as FastifyLoginOptions)
  }, (error: Error & { code?: string }) => {
    t.assert.strictEqual(error.code, code, `${label}: ${error.message}`)
    t.assert.match(error.message, pattern, label)
    return true
  }, label)
}

const storeSession = (cookieName?: string) => async (app: FastifyInstance) => {
  await app.register(fastifyCookie)
  await app.register(fastifySession, { secret: SESSION_SECRET, cookie: { secure: false }, ...(cookieName !== undefined ? { cookieName } : {}) })
}

const sameName: Case[] = [
  { label: 'secure-session registered by fastify-login, default name', options: { rememberCookie: { name: 'session' } } },
  { label: 'sessionCookieName', options: { sessionCookieName: 'sid', rememberCookie: { name: 'sid' } } },
  { label: 'options.session.cookieName', options: { session: { key: KEY, cookieName: 'auth' }, rememberCookie: { name: 'auth' } } },
  { label: 'options.session.sessionName (the default cookie name)', options: { session: { key: KEY, sessionName: 'auth' }, rememberCookie: { name: 'auth' } } },
  {
    label: 'secure-session registered by the application, cookieName given as sessionCookieName',
    options: { sessionCookieName: 'own', rememberCookie: { name: 'own' } },
    before: async (app) => { await app.register(fastifySecureSession, { key: KEY, cookieName: 'own' }) }
  },
  { label: '@fastify/session, default cookieName', options: { rememberCookie: { name: 'sessionId' } }, before: storeSession() },
  { label: '@fastify/session cookieName given as sessionCookieName', options: { sessionCookieName: 'sid', rememberCookie: { name: 'sid' } }, before: storeSession('sid') }
]

test('a rememberCookie.name equal to the session cookie\'s name is refused at registration, on either engine', async (t: TestContext) => {
  for (const item of sameName) {
    await refused(t, item, 'FST_LOGIN_INVALID_OPTION', /"rememberCookie\.name".*session cookie/)
  }
})

test('a sessionCookieName that is not a cookie name is refused at registration', async (t: TestContext) => {
  await refused(t, { label: 'with a space', options: { sessionCookieName: 'my session' } }, 'FST_LOGIN_INVALID_OPTION', /"sessionCookieName".*cookie name/)
})

test('sessionCookieName that differs from options.session.cookieName is refused at registration', async (t: TestContext) => {
  await refused(t, { label: 'two names', options: { sessionCookieName: 'a', session: { key: KEY, cookieName: 'b' } } },
    'FST_LOGIN_INVALID_OPTION', /"sessionCookieName".*session\.cookieName/)
})

/** fastify-login on a session named `auth`: login, whoami, logout, and sessionCookieFor. */
async function namedSessionApp (t: TestContext, session: FastifyLoginOptions['session']) {
  const users = makeUsers()
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) ?? null, session })
  app.post('/login', async (request) => ({ ok: await request.loginUser(users.get('1') as never) }))
  app.post('/logout', async (request) => ({ ok: await request.logoutUser() }))
  app.get('/whoami', async (request) => {
    const auth = (request as unknown as { auth: { get (key: string): unknown } }).auth
    return { anonymous: request.currentUser.isAnonymous, fresh: request.loginFresh(), stored: auth.get('_user_id') ?? null }
  })
  await app.ready()
  return { app, users, browser: client(app) }
}

test('options.session with a sessionName of its own: fastify-login reads and writes request[sessionName]', async (t: TestContext) => {
  const { browser } = await namedSessionApp(t, { key: KEY, sessionName: 'auth' })
  const login = await browser.request({ method: 'POST', url: '/login' })
  t.assert.deepStrictEqual(login.json(), { ok: true })
  t.assert.deepStrictEqual(browser.jar.names(), ['auth'])
  t.assert.deepStrictEqual((await browser.request('/whoami')).json(), { anonymous: false, fresh: true, stored: '1' })
  await browser.request({ method: 'POST', url: '/logout' })
  t.assert.deepStrictEqual((await browser.request('/whoami')).json(), { anonymous: true, fresh: false, stored: null })
})

test('a named session with its own cookieName, and sessionCookieFor on it', async (t: TestContext) => {
  const { app, users } = await namedSessionApp(t, { key: KEY, sessionName: 'auth', cookieName: 'auth_cookie' })
  const cookie = await app.loginManager.sessionCookieFor(users.get('2') as never)
  t.assert.match(cookie, /^auth_cookie=/)
  const response = await app.inject({ url: '/whoami', headers: { cookie } })
  t.assert.deepStrictEqual(response.json(), { anonymous: false, fresh: true, stored: '2' })
})

test('options.session as an array of several sessions: FST_LOGIN_UNSUPPORTED_SESSION at registration', async (t: TestContext) => {
  const session = [{ key: KEY, sessionName: 'a' }, { key: Buffer.alloc(32, 6), sessionName: 'b' }]
  await refused(t, { label: 'array', options: { session: session as never } }, 'FST_LOGIN_UNSUPPORTED_SESSION', /several sessions|array/)
})

test('@fastify/secure-session registered by the application without a session named "session": FST_LOGIN_UNSUPPORTED_SESSION', async (t: TestContext) => {
  await refused(t, {
    label: 'sessionName auth',
    options: {},
    before: async (app) => { await app.register(fastifySecureSession, { key: KEY, sessionName: 'auth' }) }
  }, 'FST_LOGIN_UNSUPPORTED_SESSION', /sessionName/)
  await refused(t, {
    label: 'several sessions, none named "session"',
    options: {},
    before: async (app) => {
      await app.register(fastifySecureSession, [{ key: KEY, sessionName: 'a' }, { key: Buffer.alloc(32, 6), sessionName: 'b' }])
    }
  }, 'FST_LOGIN_UNSUPPORTED_SESSION', /sessionName/)
})

test('@fastify/secure-session registered by the application with several sessions, one named "session": that one is used', async (t: TestContext) => {
  const users = makeUsers()
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifySecureSession, [{ key: Buffer.alloc(32, 6), sessionName: 'prefs' }, { key: KEY, sessionName: 'session' }])
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) ?? null })
  app.post('/login', async (request) => ({ ok: await request.loginUser(users.get('1') as never) }))
  app.get('/whoami', async (request) => ({ anonymous: request.currentUser.isAnonymous }))
  const browser = client(app)
  t.assert.deepStrictEqual((await browser.request({ method: 'POST', url: '/login' })).json(), { ok: true })
  t.assert.deepStrictEqual(browser.jar.names(), ['session'])
  t.assert.deepStrictEqual((await browser.request('/whoami')).json(), { anonymous: false })
  const cookie = await app.loginManager.sessionCookieFor(users.get('2') as never)
  t.assert.match(cookie, /^session=/)
  t.assert.deepStrictEqual((await app.inject({ url: '/whoami', headers: { cookie } })).json(), { anonymous: false })
})
