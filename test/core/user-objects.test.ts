import { test, type TestContext } from 'node:test'
import { buildApp } from '../helpers/app.js'

function loginRoute (user: unknown) {
  return (app: import('fastify').FastifyInstance) => {
    app.post('/login-object', async (request) => ({ ok: await request.loginUser(user as never) }))
  }
}

test('loginUser without a user object rejects with FST_LOGIN_INVALID_USER', async (t: TestContext) => {
  for (const user of [null, undefined, 'alice', 42]) {
    const { app } = await buildApp(t, {}, { routes: loginRoute(user) })
    const response = await app.inject({ method: 'POST', url: '/login-object' })
    t.assert.strictEqual(response.statusCode, 500, String(user))
    t.assert.strictEqual(response.json().code, 'FST_LOGIN_INVALID_USER')
  }
})

test('a user without the idAttribute method is refused with FST_LOGIN_INVALID_USER naming it', async (t: TestContext) => {
  const user = { isActive: true, isAuthenticated: true, isAnonymous: false, getId: () => '1' }
  const { app } = await buildApp(t, { idAttribute: 'getUuid' }, { routes: loginRoute(user) })
  const response = await app.inject({ method: 'POST', url: '/login-object' })
  t.assert.strictEqual(response.json().code, 'FST_LOGIN_INVALID_USER')
  t.assert.match(response.json().message, /getUuid\(\)/)
})

test('idAttribute names the method that gives the id (Flask-Login ID_ATTRIBUTE); a numeric id becomes a string', async (t: TestContext) => {
  const user = { isActive: true, isAuthenticated: true, isAnonymous: false, getId: () => 'wrong', getUuid: () => 7, name: 'Seven' }
  const seen: unknown[] = []
  const { request } = await buildApp(t, { idAttribute: 'getUuid', userLoader: (id) => { seen.push(id); return user as never } }, { routes: loginRoute(user) })
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/login-object' })).json(), { ok: true })
  t.assert.strictEqual((await request('/whoami')).json().name, 'Seven')
  t.assert.deepStrictEqual(seen, ['7'])
})

test('a getSessionAuthHash that returns no string is refused with FST_LOGIN_INVALID_USER', async (t: TestContext) => {
  for (const hash of ['', 42, null]) {
    const user = { isActive: true, isAuthenticated: true, isAnonymous: false, getId: () => '1', getSessionAuthHash: () => hash }
    const { app } = await buildApp(t, {}, { routes: loginRoute(user) })
    const response = await app.inject({ method: 'POST', url: '/login-object' })
    t.assert.strictEqual(response.json().code, 'FST_LOGIN_INVALID_USER', String(hash))
    t.assert.match(response.json().message, /getSessionAuthHash/)
  }
})

test('a user who gains a session auth hash after logging in is treated as revoked', async (t: TestContext) => {
  const user: Record<string, unknown> = { isActive: true, isAuthenticated: true, isAnonymous: false, getId: () => '1', name: 'Later' }
  const { request } = await buildApp(t, { userLoader: () => user as never }, { routes: loginRoute(user) })
  await request({ method: 'POST', url: '/login-object' })
  t.assert.strictEqual((await request('/whoami')).json().name, 'Later')
  user.getSessionAuthHash = () => 'new-hash'
  t.assert.strictEqual((await request('/whoami')).json().anonymous, true)
})

// issue #20: a plain database row looked like an inactive user (loginUser returned false)
test('a plain database row given to loginUser rejects with FST_LOGIN_INVALID_USER naming what is missing, never false', async (t: TestContext) => {
  const row = { id: 1, name: 'Alice', email: 'alice@example.com', password_hash: 'x' }
  const { app } = await buildApp(t, {}, { routes: loginRoute(row) })
  const response = await app.inject({ method: 'POST', url: '/login-object' })
  t.assert.strictEqual(response.statusCode, 500)
  t.assert.strictEqual(response.json().code, 'FST_LOGIN_INVALID_USER')
  for (const name of ['getId()', 'isActive', 'isAuthenticated', 'isAnonymous']) {
    t.assert.ok(response.json().message.includes(name), response.json().message)
  }
  t.assert.strictEqual(response.headers['set-cookie'], undefined)
})

test('a row with only isActive: true is refused the same way (no half-user is logged in)', async (t: TestContext) => {
  const { app } = await buildApp(t, {}, { routes: loginRoute({ id: 1, isActive: true }) })
  const response = await app.inject({ method: 'POST', url: '/login-object' })
  t.assert.strictEqual(response.json().code, 'FST_LOGIN_INVALID_USER')
  t.assert.match(response.json().message, /getId\(\)/)
  t.assert.ok(!response.json().message.includes('isActive ('), response.json().message)
})

test('flags that are not booleans make no user: for loginUser and sessionCookieFor', async (t: TestContext) => {
  const user = { getId: () => '1', isActive: 'yes', isAuthenticated: true, isAnonymous: false }
  const { app } = await buildApp(t, {}, { routes: loginRoute(user) })
  const response = await app.inject({ method: 'POST', url: '/login-object' })
  t.assert.strictEqual(response.json().code, 'FST_LOGIN_INVALID_USER')
  t.assert.match(response.json().message, /isActive \(a boolean\)/)
  await t.assert.rejects(app.loginManager.sessionCookieFor(user as never), { code: 'FST_LOGIN_INVALID_USER' })
})

test('one definition: what loginUser accepts a loader may return, and what it refuses a loader may not', async (t: TestContext) => {
  class Getters {
    get isActive (): boolean { return true }
    get isAuthenticated (): boolean { return true }
    get isAnonymous (): boolean { return false }
    getId (): number { return 5 }
    name = 'Getters'
  }
  const good = new Getters()
  const half = { getId: () => '5', isActive: true, isAuthenticated: true, name: 'Half' }
  let loaded: unknown = good
  const { app, request } = await buildApp(t, { userLoader: () => loaded as never }, {
    routes: (app) => {
      app.post('/login-good', async (req) => ({ ok: await req.loginUser(good as never) }))
      app.post('/login-half', async (req) => ({ ok: await req.loginUser(half as never) }))
    }
  })
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/login-good' })).json(), { ok: true })
  t.assert.strictEqual((await request('/whoami')).json().name, 'Getters')
  t.assert.strictEqual((await app.inject({ method: 'POST', url: '/login-half' })).json().code, 'FST_LOGIN_INVALID_USER')
  loaded = half
  const refused = await request('/whoami')
  t.assert.strictEqual(refused.statusCode, 500)
  t.assert.strictEqual(refused.json().code, 'FST_LOGIN_NOT_A_USER')
  t.assert.match(refused.json().message, /isAnonymous \(a boolean\)/)
})

test('an inactive user is the only false of loginUser (without force)', async (t: TestContext) => {
  const inactive = { getId: () => '9', isActive: false, isAuthenticated: false, isAnonymous: false }
  const { app } = await buildApp(t, {}, { routes: loginRoute(inactive) })
  t.assert.deepStrictEqual((await app.inject({ method: 'POST', url: '/login-object' })).json(), { ok: false })
})

test('a user whose id method stops answering after the check is still refused, never logged in as ""', async (t: TestContext) => {
  let calls = 0
  const user = { isActive: true, isAuthenticated: true, isAnonymous: false, getId: () => (++calls === 1 ? '1' : '') }
  const { app } = await buildApp(t, {}, { routes: loginRoute(user) })
  const response = await app.inject({ method: 'POST', url: '/login-object' })
  t.assert.strictEqual(response.json().code, 'FST_LOGIN_INVALID_USER')
  t.assert.match(response.json().message, /getId\(\) returning a non-empty string/)
  t.assert.strictEqual(response.headers['set-cookie'], undefined)
})
