import { test, type TestContext } from 'node:test'
import { buildApp } from '../helpers/app.js'
import { deniedBody, LOGIN_MESSAGE, logIn } from '../helpers/flows.js'
import type { User } from '../helpers/users.js'

test('request.loggedInUser() behind a guard is the logged-in user', async (t: TestContext) => {
  const { request } = await buildApp(t, {}, {
    routes: (app) => {
      app.get('/me', { preHandler: app.loginRequired }, async (req) => ({ name: (req.loggedInUser() as User).name }))
    }
  })
  t.assert.strictEqual((await request('/me')).statusCode, 401)
  await logIn(request, '2')
  t.assert.deepStrictEqual((await request('/me')).json(), { name: 'Steve' })
})

test('request.loggedInUser() on a route nobody guarded fails with the guards\' 401, never a guest', async (t: TestContext) => {
  const { request } = await buildApp(t, {}, {
    routes: (app) => {
      app.get('/forgot-the-guard', async (req) => ({ id: req.loggedInUser().getId() }))
    }
  })
  const anonymous = await request('/forgot-the-guard')
  t.assert.strictEqual(anonymous.statusCode, 401)
  t.assert.deepStrictEqual(anonymous.json(), deniedBody('FST_LOGIN_UNAUTHORIZED', LOGIN_MESSAGE))
  // a forced login of an inactive user is not authenticated either (as the guards judge it)
  await logIn(request, '3', 'force=1')
  t.assert.strictEqual((await request('/forgot-the-guard')).statusCode, 401)
  await logIn(request, '1')
  t.assert.deepStrictEqual((await request('/forgot-the-guard')).json(), { id: '1' })
})

test('request.loggedInUser() says "Unauthorized" when loginMessage is null', async (t: TestContext) => {
  const { request } = await buildApp(t, { loginMessage: null }, {
    routes: (app) => { app.get('/me', async (req) => req.loggedInUser().getId()) }
  })
  t.assert.deepStrictEqual((await request('/me')).json(), deniedBody('FST_LOGIN_UNAUTHORIZED', 'Unauthorized'))
})
