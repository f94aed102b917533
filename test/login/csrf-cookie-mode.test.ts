import { test, type TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import fastifyCsrf from '@fastify/csrf-protection'
import { buildApp } from '../helpers/app.js'
import { logIn } from '../helpers/flows.js'

/** @fastify/csrf-protection in its default cookie mode, with a form page and a protected POST. */
function csrfRoutes (app: FastifyInstance): void {
  app.register(fastifyCsrf)
  app.register(async (scope) => {
    scope.get('/form', async (_request, reply) => ({ token: reply.generateCsrf() }))
    scope.post('/transfer', { onRequest: scope.csrfProtection }, async () => 'done')
    // a login page that hands out a fresh token in the same response
    scope.post('/login-with-token/:id', async (request, reply) => {
      const ok = await request.loginUser(users(scope).get((request.params as { id: string }).id) as never)
      return { ok, token: reply.generateCsrf() }
    })
  })
}

function users (app: FastifyInstance): Map<string, unknown> {
  return (app as unknown as { testUsers: Map<string, unknown> }).testUsers
}

async function csrfApp (t: TestContext) {
  const testApp = await buildApp(t, {}, {
    routes: (app, userMap) => {
      app.decorate('testUsers', userMap)
      csrfRoutes(app)
    }
  })
  const form = async (): Promise<string> => (await testApp.request('/form')).json().token
  const transfer = async (token: string): Promise<number> =>
    (await testApp.request({ method: 'POST', url: '/transfer', headers: { 'csrf-token': token } })).statusCode
  return { ...testApp, form, transfer }
}

test('cookie mode: a CSRF token made before loginUser no longer validates after it', async (t: TestContext) => {
  const { request, jar, form, transfer } = await csrfApp(t)
  const before = await form()
  t.assert.strictEqual(await transfer(before), 200)
  const secretBefore = jar.get('_csrf')
  await logIn(request)
  t.assert.strictEqual(jar.get('_csrf'), undefined)
  t.assert.strictEqual(await transfer(before), 403)
  const after = await form()
  t.assert.notStrictEqual(jar.get('_csrf'), secretBefore)
  t.assert.strictEqual(await transfer(after), 200)
})

test('cookie mode: a CSRF token made before logoutUser (or confirmLogin) no longer validates after it', async (t: TestContext) => {
  const { request, form, transfer } = await csrfApp(t)
  await logIn(request)
  const loggedIn = await form()
  t.assert.strictEqual(await transfer(loggedIn), 200)
  await request({ method: 'POST', url: '/logout' })
  t.assert.strictEqual(await transfer(loggedIn), 403)

  await logIn(request)
  const beforeConfirm = await form()
  await request({ method: 'POST', url: '/confirm' })
  t.assert.strictEqual(await transfer(beforeConfirm), 403)
  t.assert.strictEqual(await transfer(await form()), 200)
})

test('cookie mode: a token made in the login response itself gets a new secret, which the response keeps', async (t: TestContext) => {
  const { request, jar, form, transfer } = await csrfApp(t)
  const before = await form()
  const secretBefore = jar.get('_csrf')
  const login = await request({ method: 'POST', url: '/login-with-token/1' })
  t.assert.strictEqual(login.json().ok, true)
  const setCookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []).filter((cookie) => cookie.startsWith('_csrf='))
  t.assert.strictEqual(setCookies.length, 1)
  t.assert.notStrictEqual(jar.get('_csrf'), undefined)
  t.assert.notStrictEqual(jar.get('_csrf'), secretBefore)
  t.assert.strictEqual(await transfer(before), 403)
  t.assert.strictEqual(await transfer(login.json().token), 200)
})

test('cookie mode: a request without a _csrf cookie gets no deletion of it', async (t: TestContext) => {
  const { request } = await csrfApp(t)
  const login = await request({ method: 'POST', url: '/login/1' })
  const cookies = ([] as string[]).concat(login.headers['set-cookie'] ?? [])
  t.assert.ok(!cookies.some((cookie) => cookie.startsWith('_csrf=')), cookies.join(' | '))
})
