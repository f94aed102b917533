import { test, type TestContext } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyLogin, { type FastifyLoginOptions } from 'fastify-login'
import { SECRET } from '../helpers/app.js'

const userLoader = (): null => null

function newApp (t: TestContext): FastifyInstance {
  const app = Fastify()
  t.after(() => app.close())
  return app
}

async function registrationError (t: TestContext, options: Record<string, unknown>): Promise<Error & { code?: string }> {
  const app = newApp(t)
  try {
    await app.register(fastifyLogin, { secret: SECRET, ...options } as FastifyLoginOptions)
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new Error(`registered with ${JSON.stringify(Object.keys(options))}`)
}

// The misspellings of issue #20, each one silently accepted before.
const misspelt: Array<[string, Record<string, unknown>, string, string]> = [
  ['loginVeiw', { userLoader, loginVeiw: '/login' }, 'loginVeiw', 'loginView'],
  ['rememberCookie.durration', { userLoader, rememberCookie: { durration: 60 } }, 'rememberCookie.durration', 'rememberCookie.duration'],
  ['sessions.maxPeruser', { userLoader, sessions: { maxPeruser: 2 } }, 'sessions.maxPeruser', 'sessions.maxPerUser'],
  ['userLoder (no loader at all otherwise)', { userLoder: userLoader }, 'userLoder', 'userLoader'],
  ['SessionProtection (case)', { userLoader, SessionProtection: 'strong' }, 'SessionProtection', 'sessionProtection'],
  ['rememberCookie.httponly', { userLoader, rememberCookie: { httponly: false } }, 'rememberCookie.httponly', 'rememberCookie.httpOnly'],
  ['sessions.onlimit', { userLoader, sessions: { onlimit: 'refuse' } }, 'sessions.onlimit', 'sessions.onLimit'],
  ['sessions.recheckevery', { userLoader, sessions: { recheckevery: 30 } }, 'sessions.recheckevery', 'sessions.recheckEvery'],
  ['flask.secretkey', { userLoader, flask: { secretKey: 'flask-secret', secretkey: 'typo' } }, 'flask.secretkey', 'flask.secretKey']
]

for (const [label, options, path, meant] of misspelt) {
  test(`a misspelt option is refused with its full path and the name meant: ${label}`, async (t: TestContext) => {
    const error = await registrationError(t, options)
    t.assert.strictEqual(error.code, 'FST_LOGIN_INVALID_OPTION')
    t.assert.ok(error.message.includes(`"${path}"`), error.message)
    t.assert.ok(error.message.includes(`did you mean "${meant}"?`), error.message)
  })
}

test('an unknown option far from every name is refused without a guess, listing the names of its level', async (t: TestContext) => {
  const top = await registrationError(t, { userLoader, database: 'postgres://' })
  t.assert.strictEqual(top.code, 'FST_LOGIN_INVALID_OPTION')
  t.assert.ok(top.message.includes('"database"'), top.message)
  t.assert.ok(!top.message.includes('did you mean'), top.message)
  t.assert.ok(top.message.includes('userLoader'), top.message)

  const nested = await registrationError(t, { userLoader, rememberCookie: { maxAge: 60 } })
  t.assert.ok(nested.message.includes('"rememberCookie.maxAge"'), nested.message)
  t.assert.ok(nested.message.includes('options are name, duration'), nested.message)

  const tracked = await registrationError(t, { userLoader, sessions: { redis: {} } })
  t.assert.ok(tracked.message.includes('"sessions.redis"'), tracked.message)
})

test('an unknown option is refused even when its value is undefined', async (t: TestContext) => {
  const error = await registrationError(t, { userLoader, loginVeiw: undefined })
  t.assert.strictEqual(error.code, 'FST_LOGIN_INVALID_OPTION')
  t.assert.ok(error.message.includes('did you mean "loginView"?'), error.message)
})

test("Fastify's own register options (prefix, logLevel, logSerializers) are not refused", async (t: TestContext) => {
  const app = newApp(t)
  await app.register(fastifyLogin, {
    secret: SECRET,
    userLoader,
    prefix: '/app',
    logLevel: 'warn',
    logSerializers: { user: (value: unknown) => String(value) }
  } as FastifyLoginOptions)
  app.get('/who', async (request) => ({ anonymous: request.currentUser.isAnonymous }))
  await app.ready()
  t.assert.deepStrictEqual((await app.inject('/who')).json(), { anonymous: true })
})

test("Fastify's register options are top-level only: prefix inside rememberCookie is refused", async (t: TestContext) => {
  const error = await registrationError(t, { userLoader, rememberCookie: { prefix: '/app' } })
  t.assert.strictEqual(error.code, 'FST_LOGIN_INVALID_OPTION')
  t.assert.ok(error.message.includes('"rememberCookie.prefix"'), error.message)
})

test('every option of the contract is a known name at its level', async (t: TestContext) => {
  const app = newApp(t)
  await app.register(fastifyLogin, {
    secret: SECRET,
    sessionCookieName: 'session',
    sessionCookiePrefix: '',
    userLoader,
    requestLoader: () => null,
    headerLoader: () => null,
    authHeaderName: 'x-api-key',
    anonymousUser: undefined,
    loginView: '/login',
    loginViews: { '/api': null },
    loginMessage: null,
    loginMessageCategory: 'info',
    refreshView: '/reauth',
    needsRefreshMessage: null,
    needsRefreshMessageCategory: 'info',
    unauthorizedHandler: undefined,
    needsRefreshHandler: undefined,
    localize: (message) => message,
    useSessionForNext: true,
    nextField: 'next',
    forceHostForRedirects: null,
    allowedHosts: [],
    sessionProtection: 'basic',
    exemptMethods: ['OPTIONS'],
    disabled: false,
    idAttribute: 'getId',
    addContextProcessor: true,
    rememberCookie: { name: 'remember', duration: 60, domain: 'example.com', path: '/', secure: 'auto', httpOnly: true, sameSite: 'lax', refreshEachRequest: false, rotationGrace: 30 },
    idleTimeout: null,
    absoluteTimeout: null,
    freshFor: null,
    sessions: { maxPerUser: 3, onLimit: 'refuse' }
  })
  await app.ready()
  t.assert.strictEqual(app.loginManager.options.sessions?.maxPerUser, 3)
  t.assert.strictEqual(app.loginManager.options.rememberCookie.duration, 60)
})
