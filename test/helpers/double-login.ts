// A login form submitted twice in one browser (issue 19, item 11): two parallel logins carrying the
// same session cookie. The browser keeps the cookies of whichever answer it reads last, so each
// answer must work on its own, and the store must hold one tracked session for that browser.
import type { TestContext } from 'node:test'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import fastifyLogin, { UserMixin, type SessionStore } from 'fastify-login'
import { CookieJar, client, type Client } from './cookie-jar.js'
import { SECRET, SESSION_SECRET } from './app.js'

export type EngineName = 'secure-session' | 'session'

class User extends UserMixin {
  constructor (readonly id: string) {
    super()
  }
}

export interface DoubleLoginApp {
  app: FastifyInstance
  store: SessionStore
  /** The rememberTheft events seen (user ids). */
  thefts: string[]
}

/**
 * An app on `engine` with tracked sessions in `store`: every id is a user. POST /visit writes the
 * session (the browser gets a session cookie before it logs in), POST /login/:id?remember=1,
 * GET /me, GET /devices.
 */
export async function doubleLoginApp (t: TestContext, engine: EngineName, store: SessionStore): Promise<DoubleLoginApp> {
  const app = Fastify()
  t.after(() => app.close())
  if (engine === 'session') {
    await app.register(fastifyCookie)
    await app.register(fastifySession, { secret: SESSION_SECRET, cookie: { secure: false }, saveUninitialized: false })
  }
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => new User(id), sessions: { store, maxPerUser: 3 } })
  const thefts: string[] = []
  app.loginManager.on('rememberTheft', (_request, user) => { thefts.push((user as User).id) })
  app.post('/visit', async (request) => {
    (request.session as unknown as { set (key: string, value: unknown): void }).set('visited', true)
    return { ok: true }
  })
  app.post<{ Params: { id: string }, Querystring: { remember?: string } }>('/login/:id', async (request) =>
    ({ ok: await request.loginUser(new User(request.params.id), { remember: request.query.remember === '1' }) }))
  app.get('/me', async (request) => ({ user: request.currentUser.isAuthenticated ? request.currentUser.getId() : null }))
  app.get('/devices', async (request) => (await request.listSessions()).map((session) => session.current))
  await app.ready()
  return { app, store, thefts }
}

function copyOf (jar: CookieJar): CookieJar {
  const copy = new CookieJar()
  for (const name of jar.names()) copy.set(name, jar.get(name) as string)
  return copy
}

/** The same login posted twice at once from `browser`: both answers, in the order they were started. */
async function submitTwice (app: FastifyInstance, browser: Client, url: string): Promise<LightMyRequestResponse[]> {
  const cookie = browser.jar.header()
  return Promise.all([1, 2].map(() => app.inject({ method: 'POST', url, headers: { cookie } })))
}

/**
 * For each answer, the browser as it is when that answer is the one it kept: logged in, one session
 * listed (its own), and, with `remember`, its remember cookie alone logs in again (no theft).
 */
async function eachAnswerWorks (t: TestContext, setup: DoubleLoginApp, browser: Client, answers: LightMyRequestResponse[], userId: string, remember: boolean): Promise<void> {
  const kept = answers.map((answer, index) => {
    t.assert.deepStrictEqual(answer.json(), { ok: true }, `answer ${index + 1}`)
    const jar = copyOf(browser.jar)
    jar.take(answer)
    return client(setup.app, jar)
  })
  for (const [index, browser] of kept.entries()) {
    t.assert.strictEqual((await browser.request('/me')).json().user, userId, `the browser that kept answer ${index + 1} is logged in`)
    t.assert.deepStrictEqual((await browser.request('/devices')).json(), [true], `answer ${index + 1}: one session, its own`)
  }
  t.assert.strictEqual((await setup.store.list(userId)).length, 1, 'one tracked session for the browser')
  if (!remember) return
  for (const [index, browser] of kept.entries()) {
    const restored = client(setup.app)
    restored.jar.set('remember_token', browser.jar.get('remember_token') as string)
    t.assert.strictEqual((await restored.request('/me')).json().user, userId, `answer ${index + 1}: the remember cookie alone logs in`)
  }
  t.assert.deepStrictEqual(setup.thefts, [])
}

/** A browser that has a session cookie but no login posts the login form twice. */
export async function doubleLoginWhileAnonymous (t: TestContext, setup: DoubleLoginApp, userId: string, remember: boolean): Promise<void> {
  const browser = client(setup.app)
  await browser.request({ method: 'POST', url: '/visit' })
  t.assert.ok(browser.jar.names().length > 0, 'the browser has a session cookie')
  const answers = await submitTwice(setup.app, browser, `/login/${userId}${remember ? '?remember=1' : ''}`)
  await eachAnswerWorks(t, setup, browser, answers, userId, remember)
}

/** A logged-in browser posts the login form twice: the new login replaces its session once. */
export async function doubleLoginWhileLoggedIn (t: TestContext, setup: DoubleLoginApp, userId: string): Promise<void> {
  const browser = client(setup.app)
  await browser.request({ method: 'POST', url: `/login/${userId}` })
  const [before] = await setup.store.list(userId)
  const answers = await submitTwice(setup.app, browser, `/login/${userId}?remember=1`)
  await eachAnswerWorks(t, setup, browser, answers, userId, true)
  t.assert.notStrictEqual((await setup.store.list(userId))[0]?.id, before?.id, 'the session it had was replaced')
}
