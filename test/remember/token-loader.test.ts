import { test, type TestContext } from 'node:test'
import { buildApp, recordEvents } from '../helpers/app.js'
import { User } from '../helpers/users.js'
import { advance, browserWith, installClock, isDeletion, REMEMBER, setCookie } from '../helpers/remember.js'

/** A user whose remember cookie carries an opaque token (Flask-Login 0.1–0.3's get_auth_token). */
class TokenUser extends User {
  constructor (id: string, name: string, public token: string) {
    super(id, name)
  }

  getAuthToken (): string {
    return this.token
  }
}

/** An app whose users have tokens; tokenLoader finds a user by token and records the calls. */
async function tokenApp (t: TestContext, options: Record<string, unknown> = {}) {
  const tokens: string[] = []
  const userIds: string[] = []
  let users = new Map<string, User>()
  const built = await buildApp(t, {
    userLoader: (id) => { userIds.push(id); return users.get(id) ?? null },
    tokenLoader: (token) => {
      tokens.push(token)
      return [...users.values()].find((user) => user instanceof TokenUser && user.token === token) ?? null
    },
    ...options
  }, {
    routes: (_app, map) => {
      map.set('t1', new TokenUser('t1', 'Alex', 'tok.en|1 with ünïcode'))
      map.set('t2', new TokenUser('t2', 'Zuri', 'token-2'))
    }
  })
  users = built.users
  return { ...built, tokens, userIds }
}

test('the remember cookie carries getAuthToken(): tokenLoader receives it and restores the login', async (t: TestContext) => {
  const { jar, request, tokens, userIds } = await tokenApp(t)
  await request({ method: 'POST', url: '/login/t1?remember=1' })
  jar.closeBrowser()
  userIds.length = 0
  t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Alex', fresh: false, remembered: true, anonymous: false })
  t.assert.deepStrictEqual(tokens, ['tok.en|1 with ünïcode'])
  t.assert.deepStrictEqual(userIds, [])
})

test('loadedFromCookie fires once for a login restored by tokenLoader', async (t: TestContext) => {
  const { app, jar, request } = await tokenApp(t)
  await request({ method: 'POST', url: '/login/t2?remember=1' })
  jar.closeBrowser()
  const events = recordEvents(app)
  await request('/whoami')
  t.assert.deepStrictEqual(events.filter(([name]) => name === 'loadedFromCookie'), [['loadedFromCookie', 'Zuri']])
})

test('the cookie is refused when tokenLoader returns null (a token revoked by the application)', async (t: TestContext) => {
  const { jar, users, request } = await tokenApp(t)
  await request({ method: 'POST', url: '/login/t2?remember=1' })
  jar.closeBrowser()
  ;(users.get('t2') as TokenUser).token = 'token-2-rotated'
  const response = await request('/whoami')
  t.assert.strictEqual(response.json().name, 'Anonymous')
  t.assert.ok(isDeletion(setCookie(response, REMEMBER)))
})

test('the token is signed: a raw or altered token in the cookie is refused without calling tokenLoader', async (t: TestContext) => {
  const { app, jar, request, tokens } = await tokenApp(t)
  await request({ method: 'POST', url: '/login/t2?remember=1' })
  const genuine = jar.get(REMEMBER) as string
  t.assert.ok(!genuine.includes('token-2'))
  const forged = Buffer.from(JSON.stringify({ k: 'token-2', d: 3600 })).toString('base64url') + genuine.slice(genuine.indexOf('.'))
  tokens.length = 0
  for (const value of ['token-2', forged]) {
    const response = await browserWith(app, { [REMEMBER]: value }).request('/whoami')
    t.assert.strictEqual(response.json().name, 'Anonymous', value)
  }
  t.assert.deepStrictEqual(tokens, [])
})

test('a token cookie expires on the server after its duration (SEC-06)', async (t: TestContext) => {
  const clock = installClock(t)
  const { app, jar, request } = await tokenApp(t, { rememberCookie: { duration: 600 } })
  await request({ method: 'POST', url: '/login/t2?remember=1' })
  const cookie = jar.get(REMEMBER)
  advance(clock, 599)
  t.assert.strictEqual((await browserWith(app, { [REMEMBER]: cookie }).request('/whoami')).json().name, 'Zuri')
  advance(clock, 2)
  t.assert.strictEqual((await browserWith(app, { [REMEMBER]: cookie }).request('/whoami')).json().name, 'Anonymous')
})

test('a user without getAuthToken is remembered by id and restored through userLoader', async (t: TestContext) => {
  const { jar, request, tokens } = await tokenApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  jar.closeBrowser()
  t.assert.strictEqual((await request('/whoami')).json().name, 'Notch')
  t.assert.deepStrictEqual(tokens, [])
})

test('a tokenLoader that returns an inactive user does not log it in', async (t: TestContext) => {
  const { jar, users, request } = await tokenApp(t)
  await request({ method: 'POST', url: '/login/t2?remember=1' })
  jar.closeBrowser()
  ;(users.get('t2') as TokenUser).active = false
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})

test('sessionCookieFor(user, { remember: true }) puts the auth token in the remember cookie', async (t: TestContext) => {
  const tokenUser = new TokenUser('9', 'Tokened', 'opaque-token-9')
  const seen: string[] = []
  const { app } = await buildApp(t, {
    userLoader: () => null,
    tokenLoader: (token) => { seen.push(token); return token === tokenUser.token ? tokenUser as never : null }
  })
  const cookie = await app.loginManager.sessionCookieFor(tokenUser as never, { remember: true })
  const rememberOnly = cookie.split('; ').filter((pair) => pair.startsWith(`${REMEMBER}=`)).join('; ')
  const response = await app.inject({ url: '/whoami', headers: { cookie: rememberOnly } })
  t.assert.strictEqual(response.json().name, 'Tokened')
  t.assert.deepStrictEqual(seen, ['opaque-token-9'])
})
