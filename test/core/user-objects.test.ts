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
