// When the session plugin (or any hook before fastify-login's) fails, fastify-login's onRequest
// hook never runs: in the application's error handler `currentUser` is still the anonymous user
// and the request methods answer as for a request without credentials.
import { test, type TestContext } from 'node:test'
import Fastify, { type FastifyInstance, type FastifyRequest, type Session } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession, { type SessionStore } from '@fastify/session'
import fastifyLogin, { type FastifyLoginOptions } from 'fastify-login'
import { SECRET, SESSION_SECRET, buildApp, registerEngine } from '../helpers/app.js'
import { client } from '../helpers/cookie-jar.js'
import { makeUsers } from '../helpers/users.js'

/** What the error handler could read from the request (a throw there would be a 500). */
function seenByErrorHandler (request: FastifyRequest): Record<string, unknown> {
  const user = request.currentUser as { isAnonymous?: boolean } | null
  return {
    currentUser: user === null ? null : user.isAnonymous === true ? 'anonymous' : 'user',
    fresh: request.loginFresh(),
    remembered: request.loginRemembered(),
    next: request.safeNextUrl('/home')
  }
}

function routes (app: FastifyInstance, users: ReturnType<typeof makeUsers>): void {
  app.setErrorHandler((error, request, reply) => {
    reply.code(503).send({ error: (error as Error).message, ...seenByErrorHandler(request) })
  })
  app.post('/login', async (request) => ({ ok: await request.loginUser(users.get('1') as never, { remember: true }) }))
  app.get('/whoami', async (request) => ({ anonymous: request.currentUser.isAnonymous }))
}

/** A @fastify/session store kept in memory that fails every read while `failing` is set. */
class FlakyStore implements SessionStore {
  failing = false
  readonly #sessions = new Map<string, Session>()
  get (id: string, done: (error: Error | null, session?: Session | null) => void): void {
    if (this.failing) done(new Error('store unavailable'))
    else done(null, this.#sessions.get(id))
  }

  set (id: string, session: Session, done: (error?: Error) => void): void {
    this.#sessions.set(id, session)
    done()
  }

  destroy (id: string, done: (error?: Error) => void): void {
    this.#sessions.delete(id)
    done()
  }
}

test('a @fastify/session store error: the error handler sees the anonymous user, the methods do not throw', async (t: TestContext) => {
  const users = makeUsers()
  const store = new FlakyStore()
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyCookie)
  await app.register(fastifySession, { secret: SESSION_SECRET, cookie: { secure: false }, saveUninitialized: false, store })
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) ?? null, sessionProtection: false })
  routes(app, users)
  const { request } = client(app)
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/login' })).json(), { ok: true })
  store.failing = true
  for (const url of ['/whoami', '/whoami?next=/a']) {
    const response = await request(url)
    t.assert.strictEqual(response.statusCode, 503, response.body)
    t.assert.deepStrictEqual(response.json(), {
      error: 'store unavailable',
      currentUser: 'anonymous',
      fresh: false,
      remembered: false,
      next: url.endsWith('/a') ? '/a' : '/home'
    })
  }
})

async function appFailingFirst (t: TestContext, options: Partial<FastifyLoginOptions> = {}) {
  const users = makeUsers()
  const app = Fastify()
  t.after(() => app.close())
  // registered before the session plugin: a rate limiter, an auth check of the application...
  app.addHook('onRequest', async (request) => {
    if (request.headers['x-fail'] !== undefined) throw new Error('refused before the session')
  })
  await registerEngine(app)
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) ?? null, sessionProtection: false, ...options } as FastifyLoginOptions)
  routes(app, users)
  return { app, ...client(app) }
}

test('a hook that fails before the session plugin: anonymous in the error handler, methods do not throw', async (t: TestContext) => {
  const { request } = await appFailingFirst(t, { useSessionForNext: true })
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/login' })).json(), { ok: true })
  for (const url of ['/whoami', '/whoami?next=/a']) {
    const response = await request({ url, headers: { 'x-fail': '1' } })
    t.assert.strictEqual(response.statusCode, 503, response.body)
    t.assert.deepStrictEqual(response.json(), {
      error: 'refused before the session',
      currentUser: 'anonymous',
      fresh: false,
      remembered: false,
      next: url.endsWith('/a') ? '/a' : '/home'
    })
  }
  // the login itself is untouched
  t.assert.deepStrictEqual((await request('/whoami')).json(), { anonymous: false })
})

test('logoutUser where the session plugin never ran rejects with FST_LOGIN_NO_SESSION', async (t: TestContext) => {
  const { app, request } = await appFailingFirst(t)
  app.addHook('onError', async (request, reply, error) => {
    const outcome = await request.logoutUser().then(() => 'resolved', (rejection: { code?: string }) => rejection.code)
    reply.header('x-logout', outcome)
    t.assert.ok(error instanceof Error)
  })
  const response = await request({ url: '/whoami', headers: { 'x-fail': '1' } })
  t.assert.strictEqual(response.statusCode, 503)
  t.assert.strictEqual(response.headers['x-logout'], 'FST_LOGIN_NO_SESSION')
})

test('a userLoader that throws: the error handler sees the anonymous user, not null', async (t: TestContext) => {
  let broken = false
  const users = makeUsers()
  const app = Fastify()
  t.after(() => app.close())
  await registerEngine(app)
  await app.register(fastifyLogin, {
    secret: SECRET,
    sessionProtection: false,
    userLoader: (id) => { if (broken) throw new Error('database down'); return users.get(id) ?? null }
  })
  routes(app, users)
  const { request } = client(app)
  await request({ method: 'POST', url: '/login' })
  broken = true
  const response = await request('/whoami')
  t.assert.strictEqual(response.statusCode, 503, response.body)
  t.assert.deepStrictEqual(response.json(), { error: 'database down', currentUser: 'anonymous', fresh: false, remembered: false, next: '/home' })
})

test('a view engine registered first (reply.locals) sees the anonymous user in the error handler when loading failed', async (t: TestContext) => {
  const { request } = await buildApp(t, { userLoader: () => { throw new Error('database down') } }, {
    before: (app) => {
      // what @fastify/view does: reply.locals, a fresh object per request
      app.decorateReply('locals', null)
      app.addHook('onRequest', async (_request, reply) => { (reply as unknown as { locals: object }).locals = {} })
      app.setErrorHandler((_error, _request, reply) => {
        const locals = (reply as unknown as { locals: { currentUser?: { isAnonymous: boolean } } }).locals
        return reply.code(503).send({ anonymous: locals.currentUser?.isAnonymous ?? 'missing' })
      })
    }
  })
  await request({ method: 'POST', url: '/login/1' })
  const response = await request('/whoami')
  t.assert.strictEqual(response.statusCode, 503)
  t.assert.deepStrictEqual(response.json(), { anonymous: true })
})
