// Issue 11, item 10: with refreshEachRequest, only a remember cookie that would log this very
// user in is re-issued (and makes loginRemembered() true). Both engines.
import { test, type TestContext } from 'node:test'
import { buildApp } from '../helpers/app.js'
import { HashedUser, User } from '../helpers/users.js'
import { browserWith, client, REMEMBER, setCookie } from '../helpers/remember.js'

class TokenUser extends User {
  constructor (id: string, name: string, public token: string) { super(id, name) }
  getAuthToken (): string { return this.token }
}

test('refreshEachRequest does not re-issue a remember cookie whose auth hash no longer matches', async (t: TestContext) => {
  const user = new HashedUser('h', 'Hana', 'pw-1')
  const { app } = await buildApp(t, { rememberCookie: { refreshEachRequest: true } }, { routes: (_app, users) => { users.set('h', user) } })
  const before = client(app)
  await before.request({ method: 'POST', url: '/login/h?remember=1' })
  const stale = before.jar.get(REMEMBER) as string
  user.passwordHash = 'pw-2'
  const after = client(app)
  await after.request({ method: 'POST', url: '/login/h' })
  after.jar.set(REMEMBER, stale)
  const response = await after.request('/whoami')
  t.assert.deepStrictEqual(response.json(), { name: 'Hana', fresh: true, remembered: false, anonymous: false })
  t.assert.strictEqual(setCookie(response, REMEMBER), undefined, 'the stale cookie is not re-signed')
  // and the stale cookie alone still logs nobody in
  t.assert.strictEqual((await browserWith(app, { [REMEMBER]: stale }).request('/whoami')).json().anonymous, true)
})

test('refreshEachRequest does not re-issue another user\'s token cookie carried beside a session', async (t: TestContext) => {
  const { app } = await buildApp(t, {
    rememberCookie: { refreshEachRequest: true },
    tokenLoader: () => null
  }, {
    routes: (_app, users) => {
      users.set('t1', new TokenUser('t1', 'Alex', 'token-1'))
      users.set('t2', new TokenUser('t2', 'Zuri', 'token-2'))
    }
  })
  const zuri = client(app)
  await zuri.request({ method: 'POST', url: '/login/t2?remember=1' })
  const alex = client(app)
  await alex.request({ method: 'POST', url: '/login/t1' })
  alex.jar.set(REMEMBER, zuri.jar.get(REMEMBER) as string)
  const response = await alex.request('/whoami')
  t.assert.deepStrictEqual(response.json(), { name: 'Alex', fresh: true, remembered: false, anonymous: false })
  t.assert.strictEqual(setCookie(response, REMEMBER), undefined)
  // the user's own token cookie is still refreshed
  await alex.request({ method: 'POST', url: '/login/t1?remember=1' })
  const own = await alex.request('/whoami')
  t.assert.strictEqual(own.json().remembered, true)
  t.assert.notStrictEqual(setCookie(own, REMEMBER), undefined)
})
