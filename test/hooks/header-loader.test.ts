import { test, type TestContext } from 'node:test'
import { buildApp, recordEvents, SESSION_COOKIE } from '../helpers/app.js'
import type { User } from '../helpers/users.js'
import { isDeletion, REMEMBER, setCookie } from '../helpers/remember.js'

/** An app whose headerLoader accepts `Bearer <user id>`; records what it was given. */
async function bearerApp (t: TestContext, options: Record<string, unknown> = {}) {
  let users = new Map<string, User>()
  const seen: string[] = []
  const built = await buildApp(t, {
    headerLoader: (value) => {
      seen.push(value)
      const match = /^Bearer (.+)$/.exec(value)
      return match === null ? null : users.get(match[1] as string) ?? null
    },
    ...options
  })
  users = built.users
  return { ...built, seen }
}

test('headerLoader authenticates a request from the Authorization header', async (t: TestContext) => {
  const { request, seen } = await bearerApp(t)
  const response = await request({ url: '/secret', headers: { authorization: 'Bearer 2' } })
  t.assert.strictEqual(response.statusCode, 200)
  t.assert.deepStrictEqual(response.json(), { name: 'Steve', fresh: false, remembered: false, anonymous: false })
  t.assert.deepStrictEqual(seen, ['Bearer 2'])
})

test('a request authenticated by headerLoader sets no cookie, is not fresh and does not persist', async (t: TestContext) => {
  const { jar, request } = await bearerApp(t)
  const response = await request({ url: '/whoami', headers: { authorization: 'Bearer 1' } })
  t.assert.strictEqual(response.json().name, 'Notch')
  t.assert.strictEqual(response.headers['set-cookie'], undefined)
  t.assert.deepStrictEqual(jar.names(), [])
  t.assert.strictEqual((await request({ url: '/needs-refresh', headers: { authorization: 'Bearer 1' } })).statusCode, 401)
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})

test('loadedFromHeader fires once with the user', async (t: TestContext) => {
  const { app, request } = await bearerApp(t)
  const events = recordEvents(app)
  await request({ url: '/whoami', headers: { authorization: 'Bearer 2' } })
  t.assert.deepStrictEqual(events, [['accessed', undefined], ['loadedFromHeader', 'Steve']])
})

test('headerLoader is not called without its header, nor with an empty one', async (t: TestContext) => {
  const { app, request, seen } = await bearerApp(t)
  const events = recordEvents(app)
  t.assert.strictEqual((await request('/secret')).statusCode, 401)
  t.assert.strictEqual((await request({ url: '/secret', headers: { authorization: '' } })).statusCode, 401)
  t.assert.deepStrictEqual(seen, [])
  t.assert.ok(!events.some(([name]) => name === 'loadedFromHeader'))
})

test('a headerLoader that returns null leaves the request anonymous', async (t: TestContext) => {
  const { request, seen } = await bearerApp(t)
  const response = await request({ url: '/secret', headers: { authorization: 'Basic Zm9vOmJhcg==' } })
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.deepStrictEqual(seen, ['Basic Zm9vOmJhcg=='])
})

test('authHeaderName selects the header, matched case-insensitively', async (t: TestContext) => {
  const { request, seen } = await bearerApp(t, { authHeaderName: 'X-API-Key' })
  t.assert.strictEqual((await request({ url: '/whoami', headers: { 'x-api-key': 'Bearer 2' } })).json().name, 'Steve')
  t.assert.strictEqual((await request({ url: '/whoami', headers: { 'X-Api-KEY': 'Bearer 1' } })).json().name, 'Notch')
  t.assert.strictEqual((await request({ url: '/whoami', headers: { authorization: 'Bearer 1' } })).json().name, 'Anonymous')
  t.assert.deepStrictEqual(seen, ['Bearer 2', 'Bearer 1'])
})

test('requestLoader comes before headerLoader, which is tried when requestLoader finds nobody (Flask-Login #149)', async (t: TestContext) => {
  let requestUser: string | null = '2'
  const { users, request, seen } = await bearerApp(t, {
    requestLoader: () => requestUser === null ? null : users.get(requestUser) ?? null
  })
  t.assert.strictEqual((await request({ url: '/whoami', headers: { authorization: 'Bearer 1' } })).json().name, 'Steve')
  t.assert.deepStrictEqual(seen, [])
  requestUser = null
  t.assert.strictEqual((await request({ url: '/whoami', headers: { authorization: 'Bearer 1' } })).json().name, 'Notch')
  t.assert.deepStrictEqual(seen, ['Bearer 1'])
})

test('the session login comes before headerLoader', async (t: TestContext) => {
  const { request, seen } = await bearerApp(t)
  await request({ method: 'POST', url: '/login/1' })
  t.assert.strictEqual((await request({ url: '/whoami', headers: { authorization: 'Bearer 2' } })).json().name, 'Notch')
  t.assert.deepStrictEqual(seen, [])
})

test('an invalid remember cookie does not stop headerLoader (Flask-Login #901)', async (t: TestContext) => {
  const { jar, request } = await bearerApp(t)
  jar.set(REMEMBER, 'forged')
  const response = await request({ url: '/whoami', headers: { authorization: 'Bearer 2' } })
  t.assert.strictEqual(response.json().name, 'Steve')
  t.assert.strictEqual(setCookie(response, SESSION_COOKIE), undefined)
  const remember = setCookie(response, REMEMBER)
  t.assert.ok(remember === undefined || isDeletion(remember))
})

test('an app may register with a headerLoader only', async (t: TestContext) => {
  const { request } = await bearerApp(t, { userLoader: undefined })
  t.assert.strictEqual((await request({ url: '/whoami', headers: { authorization: 'Bearer 2' } })).json().name, 'Steve')
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})

test('a headerLoader that throws gives a 500, not a hang', async (t: TestContext) => {
  const { request } = await buildApp(t, { headerLoader: () => { throw new Error('token service down') } })
  t.assert.strictEqual((await request({ url: '/whoami', headers: { authorization: 'Bearer 1' } })).statusCode, 500)
})
