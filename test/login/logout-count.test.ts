// SEC-27 without `sessions`: an answer to a request that was in flight during a logout carries
// what that request read — on @fastify/secure-session the session, login included; on either
// engine a remember cookie it re-issued. The browser applies it after the logout's answer; the
// login must not come back. Each test holds such an answer (a response not yet given to the cookie jar) and applies it
// after the logout, as a browser does when that answer arrives last.
import { randomBytes } from 'node:crypto'
import { test, type TestContext } from 'node:test'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySecureSession from '@fastify/secure-session'
import fastifySession from '@fastify/session'
import fastifyLogin, { memorySessionStore, type FastifyLoginOptions } from 'fastify-login'
import { SECRET, SESSION_SECRET, whoami } from '../helpers/app.js'
import { client, type Client } from '../helpers/cookie-jar.js'
import { isDeletion, REMEMBER, setCookie } from '../helpers/remember.js'
import { makeUsers } from '../helpers/users.js'

const COUNT = 'session_logouts'

interface Options { engine?: 'secure-session' | 'session', login?: Partial<FastifyLoginOptions> }

/** An app with POST /login/:id (?remember=1), POST /logout, GET /whoami and GET /write (changes the session). */
async function buildApp (t: TestContext, { engine = 'secure-session', login = {} }: Options = {}): Promise<FastifyInstance> {
  const users = makeUsers()
  const app = Fastify()
  t.after(() => app.close())
  if (engine === 'session') {
    await app.register(fastifyCookie)
    await app.register(fastifySession, { secret: SESSION_SECRET, cookie: { secure: false }, saveUninitialized: false })
  }
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) ?? null, ...login } as FastifyLoginOptions)
  app.post<{ Params: { id: string }, Querystring: { remember?: string } }>('/login/:id', async (request) => {
    return { ok: await request.loginUser(users.get(request.params.id) as never, { remember: request.query.remember === '1' }) }
  })
  app.post('/logout', async (request) => ({ ok: await request.logoutUser() }))
  app.get('/whoami', async (request) => whoami(request))
  app.get('/write', async (request) => {
    (request.session as unknown as { set (key: string, value: unknown): void }).set('note', 'written in flight')
    return whoami(request)
  })
  await app.ready()
  return app
}

/** The answer to a request the browser sends now, not yet applied to its jar (it is still in flight). */
async function inFlight (app: FastifyInstance, browser: Client, url: string): Promise<LightMyRequestResponse> {
  return await app.inject({ url, headers: { cookie: browser.jar.header() } })
}

async function who (browser: Client): Promise<string> {
  return (await browser.request('/whoami')).json<{ name: string }>().name
}

test('an answer in flight during a logout, arriving after it, does not bring the login back', async (t: TestContext) => {
  const app = await buildApp(t)
  const browser = client(app)
  await browser.request({ method: 'POST', url: '/login/1' })
  const held = await inFlight(app, browser, '/write')
  t.assert.ok(setCookie(held, 'session') !== undefined, 'the answer in flight carries the session cookie, login included')
  const logout = await browser.request({ method: 'POST', url: '/logout' })
  const count = setCookie(logout, COUNT)
  t.assert.strictEqual(count?.value, '1')
  t.assert.strictEqual(count?.httpOnly, true)
  t.assert.strictEqual(count?.path, '/')
  t.assert.strictEqual(count?.maxAge, 365 * 24 * 60 * 60, 'as long as the remember cookie could live')
  browser.jar.take(held)
  const after = await browser.request('/whoami')
  t.assert.strictEqual(after.json<{ name: string }>().name, 'Anonymous')
  t.assert.ok(setCookie(after, 'session') !== undefined, 'the login brought back is removed from the session')
  t.assert.strictEqual(await who(browser), 'Anonymous')
  // what the count does: the same jar without it takes the answer in flight for a login
  browser.jar.take(held)
  browser.jar.delete(COUNT)
  t.assert.strictEqual(await who(browser), 'Notch')
})

test('a login after the logout stands; an answer of the login before it, arriving later, ends it (another user on the same browser)', async (t: TestContext) => {
  const app = await buildApp(t)
  const browser = client(app)
  await browser.request({ method: 'POST', url: '/login/1' })
  const held = await inFlight(app, browser, '/write')
  await browser.request({ method: 'POST', url: '/logout' })
  await browser.request({ method: 'POST', url: '/login/2' })
  t.assert.strictEqual(await who(browser), 'Steve', 'a login made after the logout is not ended by the count')
  browser.jar.take(held)
  t.assert.strictEqual(await who(browser), 'Anonymous', 'the first user\'s login does not come back')
  // the count goes on from the highest the browser or its login knew
  await browser.request({ method: 'POST', url: '/login/1' })
  const second = await inFlight(app, browser, '/write')
  const logout = await browser.request({ method: 'POST', url: '/logout' })
  t.assert.strictEqual(setCookie(logout, COUNT)?.value, '2')
  browser.jar.take(second)
  t.assert.strictEqual(await who(browser), 'Anonymous')
  await browser.request({ method: 'POST', url: '/login/1' })
  t.assert.strictEqual(await who(browser), 'Notch')
})

test('refreshEachRequest: a remember cookie re-issued in flight during the logout restores nothing, and is deleted', async (t: TestContext) => {
  const app = await buildApp(t, { login: { rememberCookie: { refreshEachRequest: true } } })
  const browser = client(app)
  await browser.request({ method: 'POST', url: '/login/1?remember=1' })
  const held = await inFlight(app, browser, '/whoami')
  t.assert.ok(setCookie(held, REMEMBER)?.value, 'the answer in flight re-issues the remember cookie')
  await browser.request({ method: 'POST', url: '/logout' })
  browser.jar.take(held)
  browser.jar.delete('session') // the remember cookie alone: a restore is tried
  const after = await browser.request('/whoami')
  t.assert.strictEqual(after.json<{ name: string }>().name, 'Anonymous')
  t.assert.ok(isDeletion(setCookie(after, REMEMBER)))
})

test('refreshEachRequest: a session login after the logout does not re-issue a remember cookie an answer in flight brought back', async (t: TestContext) => {
  const app = await buildApp(t, { login: { rememberCookie: { refreshEachRequest: true } } })
  const browser = client(app)
  await browser.request({ method: 'POST', url: '/login/1?remember=1' })
  const held = await inFlight(app, browser, '/whoami')
  await browser.request({ method: 'POST', url: '/logout' })
  await browser.request({ method: 'POST', url: '/login/1' })
  t.assert.strictEqual(setCookie(held, 'session'), undefined, 'the answer in flight left the session as it was')
  browser.jar.take(held) // the login since stays; the remember cookie is the old one
  const next = await browser.request('/whoami')
  t.assert.deepStrictEqual(next.json<{ name: string, remembered: boolean }>().remembered, false)
  t.assert.ok(isDeletion(setCookie(next, REMEMBER)), 'the remember cookie of the login before the logout is deleted, not refreshed')
})

test('a remember cookie of a login made after a logout restores, and holds the count', async (t: TestContext) => {
  const app = await buildApp(t)
  const browser = client(app)
  await browser.request({ method: 'POST', url: '/login/1' })
  await browser.request({ method: 'POST', url: '/logout' })
  await browser.request({ method: 'POST', url: '/login/2?remember=1' })
  browser.jar.delete('session')
  t.assert.strictEqual(await who(browser), 'Steve', 'restored from the remember cookie')
  // that restored login is itself final on logout: its answer in flight stays logged out
  const held = await inFlight(app, browser, '/write')
  const logout = await browser.request({ method: 'POST', url: '/logout' })
  t.assert.strictEqual(setCookie(logout, COUNT)?.value, '2')
  browser.jar.take(held)
  t.assert.strictEqual(await who(browser), 'Anonymous')
})

test('a count cookie that is not a count is read as none; a browser that never logged out gets no count', async (t: TestContext) => {
  const app = await buildApp(t)
  const browser = client(app)
  const login = await browser.request({ method: 'POST', url: '/login/1' })
  t.assert.strictEqual(setCookie(login, COUNT), undefined, 'a login sets no count')
  for (const value of ['abc', '-3', '0', '1e3', '01', '9'.repeat(16)]) {
    browser.jar.set(COUNT, value)
    t.assert.strictEqual(await who(browser), 'Notch', `count cookie ${JSON.stringify(value)}`)
  }
  browser.jar.set(COUNT, 'abc')
  const logout = await browser.request({ method: 'POST', url: '/logout' })
  t.assert.strictEqual(setCookie(logout, COUNT)?.value, '1')
  const fresh = client(app)
  const anonymousLogout = await fresh.request({ method: 'POST', url: '/logout' })
  t.assert.strictEqual(setCookie(anonymousLogout, COUNT), undefined, 'a logout of a browser that held no login sets no count')
})

test('@fastify/session: the stored session is marked, and the count refuses a remember cookie re-issued in flight', async (t: TestContext) => {
  const app = await buildApp(t, { engine: 'session', login: { rememberCookie: { refreshEachRequest: true } } })
  const browser = client(app)
  await browser.request({ method: 'POST', url: '/login/1?remember=1' })
  const held = await inFlight(app, browser, '/whoami')
  t.assert.ok(setCookie(held, REMEMBER)?.value, 'the answer in flight re-issues the remember cookie (its session still existed then)')
  const logout = await browser.request({ method: 'POST', url: '/logout' })
  t.assert.strictEqual(setCookie(logout, 'sessionId_logouts')?.value, '1')
  browser.jar.take(held)
  browser.jar.delete('sessionId')
  const after = await browser.request('/whoami')
  t.assert.strictEqual(after.json<{ name: string }>().name, 'Anonymous')
  t.assert.ok(isDeletion(setCookie(after, REMEMBER)))
})

test('no count with tracked sessions: the store ends the login and its cookies', async (t: TestContext) => {
  for (const engine of ['secure-session', 'session'] as const) {
    const app = await buildApp(t, { engine, login: { sessions: { store: memorySessionStore() } } })
    const browser = client(app)
    await browser.request({ method: 'POST', url: '/login/1' })
    const held = await inFlight(app, browser, '/write')
    const logout = await browser.request({ method: 'POST', url: '/logout' })
    t.assert.deepStrictEqual(logout.cookies.map((cookie) => cookie.name).filter((name) => name.endsWith('_logouts')), [])
    browser.jar.take(held)
    t.assert.strictEqual(await who(browser), 'Anonymous', `${engine}: the server refuses the answer in flight`)
  }
})

test('the count lives as long as the longer of the remember cookie and the session could', async (t: TestContext) => {
  // fastify-login's own secure-session expires a day after it was written (86401 s)
  const short = await buildApp(t, { login: { rememberCookie: { duration: 60 } } })
  const browser = client(short)
  await browser.request({ method: 'POST', url: '/login/1' })
  t.assert.strictEqual(setCookie(await browser.request({ method: 'POST', url: '/logout' }), COUNT)?.maxAge, 86401)
  // an application's own secure-session: its expiry is not known, the remember cookie's duration is used
  const users = makeUsers()
  const own = Fastify()
  t.after(() => own.close())
  await own.register(fastifySecureSession, { key: randomBytes(32), cookie: { path: '/' } })
  await own.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) ?? null, rememberCookie: { duration: 120, path: '/app', sameSite: 'strict' } })
  own.post('/login', async (request) => ({ ok: await request.loginUser(users.get('1') as never) }))
  own.post('/logout', async (request) => ({ ok: await request.logoutUser() }))
  own.get('/whoami', async (request) => whoami(request))
  own.get('/write', async (request) => { (request.session as unknown as { set (key: string, value: unknown): void }).set('note', 'written in flight'); return whoami(request) })
  const other = client(own)
  await other.request({ method: 'POST', url: '/login' })
  const held = await inFlight(own, other, '/write')
  t.assert.ok(setCookie(held, 'session') !== undefined)
  const count = setCookie(await other.request({ method: 'POST', url: '/logout' }), COUNT)
  // on every path (the session cookie's may be wider than the remember cookie's), SameSite as the remember cookie
  t.assert.deepStrictEqual({ maxAge: count?.maxAge, path: count?.path, sameSite: count?.sameSite }, { maxAge: 120, path: '/', sameSite: 'Strict' })
  other.jar.take(held)
  t.assert.strictEqual(await who(other), 'Anonymous')
})
