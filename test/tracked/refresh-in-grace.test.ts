// refreshEachRequest with tracked sessions (issue 19, item 2): a restore inside the rotation grace
// never re-issues the previous token, and a session login never refreshes a remember cookie that
// holds one, so parallel tabs never end in a false theft. Memory store, fake clock, both engines.
import { test, type TestContext } from 'node:test'
import { advance, installClock, REMEMBER, setCookie } from '../helpers/remember.js'
import { sessionsApp } from '../helpers/tracked-sessions.js'

test('two restores with one cookie, answers applied in order: after the grace the browser is still logged in, no theft', async (t: TestContext) => {
  const clock = installClock(t)
  const { app, browser } = await sessionsApp(t, {}, { rememberCookie: { refreshEachRequest: true, rotationGrace: 1 } })
  const thefts: string[] = []
  app.loginManager.on('rememberTheft', (_request, user) => thefts.push((user as unknown as { name: string }).name))
  const owner = browser()
  await owner.request({ method: 'POST', url: '/login/1?remember=1' })
  const cookie = owner.jar.get(REMEMBER) as string
  owner.jar.closeBrowser()
  // two tabs restore with the same cookie; their answers reach the browser in order
  const [first, second] = await Promise.all([1, 2].map(() => app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie } })))
  t.assert.strictEqual(first?.json().name, 'Notch')
  t.assert.strictEqual(second?.json().name, 'Notch')
  owner.jar.take(first!)
  owner.jar.take(second!)
  const current = owner.jar.get(REMEMBER)
  t.assert.notStrictEqual(current, cookie, 'the browser keeps the rotated token')

  advance(clock, 2)
  // session logins refresh the current token only
  const refreshed = await owner.request('/whoami')
  t.assert.strictEqual(refreshed.json().name, 'Notch')
  owner.jar.closeBrowser()
  const restored = await owner.request('/whoami')
  t.assert.deepStrictEqual([restored.json().name, thefts], ['Notch', []])
  t.assert.ok(setCookie(restored, REMEMBER) !== undefined)
})

test('a session login whose remember cookie holds the previous token does not refresh it', async (t: TestContext) => {
  installClock(t)
  const { app, browser } = await sessionsApp(t, {}, { rememberCookie: { refreshEachRequest: true, rotationGrace: 10 } })
  const owner = browser()
  await owner.request({ method: 'POST', url: '/login/1?remember=1' })
  const previous = owner.jar.get(REMEMBER) as string
  owner.jar.closeBrowser()
  await owner.request('/whoami') // restores: the token rotates, the browser has a session again
  owner.jar.set(REMEMBER, previous) // an older answer overwrote the cookie
  const login = await owner.request('/whoami')
  t.assert.strictEqual(login.json().name, 'Notch')
  t.assert.strictEqual(setCookie(login, REMEMBER), undefined)
  t.assert.ok(app !== undefined)
})
