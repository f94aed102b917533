import { test, type TestContext } from 'node:test'
import type { FastifyRequest } from 'fastify'
import type { FastifyLoginOptions } from 'fastify-login'
import { buildApp, recordEvents, SESSION_COOKIE } from '../helpers/app.js'
import type { User } from '../helpers/users.js'
import { cookiesOf, isDeletion, REMEMBER, setCookie } from '../helpers/remember.js'

/** Flask-Login's test request loader: `?user_id=` names the user. */
function queryLoader (users: () => Map<string, User>): FastifyLoginOptions['requestLoader'] {
  return (request: FastifyRequest) => {
    const id = (request.query as Record<string, string | undefined>).user_id
    return id === undefined ? null : users().get(id) ?? null
  }
}

/**
 * LoginViaRequestTestCase: an app with a request loader only. Like Flask-Login's, it reads
 * `?user_id=`, else the id a loginUser put in the session.
 */
async function requestLoaderOnly (t: TestContext) {
  let users = new Map<string, User>()
  const built = await buildApp(t, {
    userLoader: undefined,
    requestLoader: (request) => {
      const query = (request.query as Record<string, string | undefined>).user_id
      const id = query ?? (request as unknown as { session: { get (key: string): unknown } }).session.get('_user_id')
      return typeof id === 'string' ? users.get(id) ?? null : null
    }
  })
  users = built.users
  return built
}

// Flask-Login: test_login_user_with_request
test('requestLoader authenticates a request', async (t: TestContext) => {
  let users = new Map<string, User>()
  const built = await buildApp(t, { requestLoader: queryLoader(() => users) })
  users = built.users
  t.assert.deepStrictEqual((await built.request('/whoami?user_id=2')).json(), { name: 'Steve', fresh: false, remembered: false, anonymous: false })
})

// Flask-Login: test_login_invalid_user_with_request
test('a requestLoader that returns null or undefined leaves the request anonymous', async (t: TestContext) => {
  for (const nobody of [null, undefined]) {
    const { request } = await buildApp(t, { requestLoader: () => nobody })
    t.assert.strictEqual((await request('/whoami?user_id=2')).json().name, 'Anonymous')
    t.assert.strictEqual((await request('/secret?user_id=2')).statusCode, 401)
  }
})

// Flask-Login: test_user_loaded_from_request_fired
test('loadedFromRequest fires once with the user the requestLoader returned', async (t: TestContext) => {
  let users = new Map<string, User>()
  const built = await buildApp(t, { requestLoader: queryLoader(() => users) })
  users = built.users
  const events = recordEvents(built.app)
  await built.request('/whoami?user_id=2')
  t.assert.deepStrictEqual(events, [['accessed', undefined], ['loadedFromRequest', 'Steve']])
})

// Flask-Login: test_has_no_user_loader_callback
test('an app may register with a requestLoader and no userLoader', async (t: TestContext) => {
  const { app } = await requestLoaderOnly(t)
  t.assert.strictEqual(app.loginManager.options.userLoader, undefined)
  t.assert.strictEqual(typeof app.loginManager.options.requestLoader, 'function')
})

// Flask-Login: test_request_context_users_are_anonymous
test('request loader only: a request without credentials is anonymous', async (t: TestContext) => {
  const { request } = await requestLoaderOnly(t)
  t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Anonymous', fresh: false, remembered: false, anonymous: true })
})

// Flask-Login: test_defaults_anonymous (LoginViaRequestTestCase)
test('request loader only: a guarded route without credentials answers 401', async (t: TestContext) => {
  const { request } = await requestLoaderOnly(t)
  t.assert.strictEqual((await request('/secret')).statusCode, 401)
})

// Flask-Login: test_login_via_request
test('request loader only: ?user_id=2 passes the guard as Steve', async (t: TestContext) => {
  const { request } = await requestLoaderOnly(t)
  const response = await request('/secret?user_id=2')
  t.assert.strictEqual(response.statusCode, 200)
  t.assert.strictEqual(response.json().name, 'Steve')
})

// Flask-Login: test_login_via_request_uses_cookie_when_already_logged_in
test('request loader only: after loginUser the loader finds the session login; ?user_id=2 still wins', async (t: TestContext) => {
  const { request } = await requestLoaderOnly(t)
  await request({ method: 'POST', url: '/login/1' })
  t.assert.strictEqual((await request('/secret')).json().name, 'Notch')
  t.assert.strictEqual((await request('/secret?user_id=2')).json().name, 'Steve')
})

// Flask-Login: test_login_invalid_user_with_request
test('request loader only: an unknown id answers 401', async (t: TestContext) => {
  const { request } = await requestLoaderOnly(t)
  t.assert.strictEqual((await request('/secret?user_id=99')).statusCode, 401)
})

// Flask-Login: test_login_invalid_user_with_request_when_already_logged_in
test('request loader only: an unknown id answers 401 even after a login', async (t: TestContext) => {
  const { request } = await requestLoaderOnly(t)
  await request({ method: 'POST', url: '/login/1' })
  t.assert.strictEqual((await request('/secret?user_id=99')).statusCode, 401)
})

// Flask-Login: test_login_user_with_request_does_not_modify_session
test('a request authenticated by requestLoader sets no cookie and the login does not persist', async (t: TestContext) => {
  let users = new Map<string, User>()
  const built = await buildApp(t, { requestLoader: queryLoader(() => users) })
  users = built.users
  const response = await built.request('/secret?user_id=2')
  t.assert.strictEqual(response.json().name, 'Steve')
  t.assert.deepStrictEqual(cookiesOf(response), [])
  t.assert.strictEqual(response.headers['set-cookie'], undefined)
  t.assert.deepStrictEqual(built.jar.names(), [])
  t.assert.strictEqual((await built.request('/whoami')).json().name, 'Anonymous')
})

test('a user found by requestLoader is not fresh: freshLoginRequired refuses it', async (t: TestContext) => {
  let users = new Map<string, User>()
  const built = await buildApp(t, { requestLoader: queryLoader(() => users) })
  users = built.users
  t.assert.strictEqual((await built.request('/needs-refresh?user_id=2')).statusCode, 401)
  t.assert.strictEqual((await built.request('/secret?user_id=2')).statusCode, 200)
})

test('confirmLogin does nothing for a user found by requestLoader', async (t: TestContext) => {
  let users = new Map<string, User>()
  const built = await buildApp(t, { requestLoader: queryLoader(() => users) })
  users = built.users
  const response = await built.request({ method: 'POST', url: '/confirm?user_id=2' })
  t.assert.deepStrictEqual(response.json(), { fresh: false })
  t.assert.strictEqual(response.headers['set-cookie'], undefined)
})

test('the session login comes before the requestLoader', async (t: TestContext) => {
  let users = new Map<string, User>()
  let calls = 0
  const built = await buildApp(t, {
    requestLoader: (request) => { calls++; return queryLoader(() => users)?.(request) }
  })
  users = built.users
  await built.request({ method: 'POST', url: '/login/1' })
  calls = 0
  t.assert.strictEqual((await built.request('/whoami?user_id=2')).json().name, 'Notch')
  t.assert.strictEqual(calls, 0)
})

test('an invalid remember cookie does not stop the requestLoader (Flask-Login #901)', async (t: TestContext) => {
  let users = new Map<string, User>()
  const built = await buildApp(t, { requestLoader: queryLoader(() => users) })
  users = built.users
  built.jar.set(REMEMBER, 'not-a-valid-cookie')
  const response = await built.request('/whoami?user_id=2')
  t.assert.strictEqual(response.json().name, 'Steve')
  t.assert.strictEqual(setCookie(response, SESSION_COOKIE), undefined)
  const remember = setCookie(response, REMEMBER)
  t.assert.ok(remember === undefined || isDeletion(remember))
})

test('a valid remember cookie comes before the requestLoader', async (t: TestContext) => {
  let users = new Map<string, User>()
  const built = await buildApp(t, { requestLoader: queryLoader(() => users) })
  users = built.users
  await built.request({ method: 'POST', url: '/login/1?remember=1' })
  built.jar.closeBrowser()
  t.assert.deepStrictEqual((await built.request('/whoami?user_id=2')).json(), { name: 'Notch', fresh: false, remembered: true, anonymous: false })
})

test('a requestLoader that throws gives a 500, not a hang', async (t: TestContext) => {
  const { request } = await buildApp(t, { requestLoader: async () => { throw new Error('api key store down') } })
  t.assert.strictEqual((await request('/whoami')).statusCode, 500)
})
