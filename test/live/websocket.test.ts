// A WebSocket ends with its tracked session: closed with code 3000 and the reason word, on both
// engines, @fastify/websocket registered before or after fastify-login. Real sockets over HTTP.
import { test, type TestContext } from 'node:test'
import { liveApp, loggedIn, openSocket } from '../helpers/live.js'

const sidOf = async (app: Awaited<ReturnType<typeof liveApp>>, userId = '1'): Promise<string[]> => (await app.store.list(userId)).map((entry) => entry.id)

for (const after of [false, true]) {
  const order = after ? 'registered after fastify-login' : 'registered before fastify-login'

  test(`@fastify/websocket ${order}: a logout in another tab closes the socket with 3000 "logout"; the user's other sessions keep theirs`, async (t: TestContext) => {
    const app = await liveApp(t, {}, { after })
    const tab = await loggedIn(app)
    const laptop = await loggedIn(app)
    const socket = await openSocket(app, '/live', tab)
    const other = await openSocket(app, '/live', laptop)
    t.assert.strictEqual(socket.greeting, 'hello Notch')
    await tab.request({ method: 'POST', url: '/logout' })
    t.assert.deepStrictEqual(await socket.closed, { code: 3000, reason: 'logout' })
    t.assert.strictEqual(await other.echo('still here'), 'echo still here')
    other.socket.close()
  })
}

test('revokeSession of another session closes its sockets with "revoked", and only those', async (t: TestContext) => {
  const app = await liveApp(t)
  const phone = await loggedIn(app)
  const [phoneSid] = await sidOf(app)
  const laptop = await loggedIn(app)
  const first = await openSocket(app, '/live', phone)
  const second = await openSocket(app, '/live', phone)
  const mine = await openSocket(app, '/live', laptop)
  const ended: unknown[] = []
  app.app.loginManager.on('sessionEnded', (...args) => ended.push(args))
  const revoked = await laptop.request({ method: 'POST', url: '/devices/revoke', payload: { id: phoneSid } })
  t.assert.deepStrictEqual(revoked.json(), { revoked: true })
  t.assert.deepStrictEqual(await first.closed, { code: 3000, reason: 'revoked' })
  t.assert.deepStrictEqual(await second.closed, { code: 3000, reason: 'revoked' })
  t.assert.deepStrictEqual(ended, [[phoneSid, '1', 'revoked']])
  t.assert.strictEqual(await mine.echo('x'), 'echo x')
  mine.socket.close()
})

test('revokeAllSessions closes every socket of the user; another user\'s stay open', async (t: TestContext) => {
  const app = await liveApp(t)
  const sockets = await Promise.all([loggedIn(app), loggedIn(app)].map(async (browser) => await openSocket(app, '/live', await browser)))
  const steve = await openSocket(app, '/live', await loggedIn(app, '2'))
  t.assert.strictEqual(await app.app.loginManager.revokeAllSessions('1'), 2)
  for (const socket of sockets) {
    t.assert.deepStrictEqual(await socket.closed, { code: 3000, reason: 'revoked' })
  }
  t.assert.strictEqual(await steve.echo('y'), 'echo y')
  steve.socket.close()
})

test('logoutOtherSessions closes the other sessions\' sockets with "revoked"; the current one\'s stay open', async (t: TestContext) => {
  const app = await liveApp(t)
  const phone = await openSocket(app, '/live', await loggedIn(app))
  const laptop = await loggedIn(app)
  const mine = await openSocket(app, '/live', laptop)
  t.assert.deepStrictEqual((await laptop.request({ method: 'POST', url: '/devices/others/logout' })).json(), { ended: 1 })
  t.assert.deepStrictEqual(await phone.closed, { code: 3000, reason: 'revoked' })
  t.assert.strictEqual(await mine.echo('m'), 'echo m')
  mine.socket.close()
})

test('a stolen remember cookie replayed after its rotation closes the session\'s sockets with "theft"', async (t: TestContext) => {
  const app = await liveApp(t, { rememberCookie: { rotationGrace: 0 } })
  const owner = await loggedIn(app, '1', '?remember=1')
  const socket = await openSocket(app, '/live', owner)
  const stolen = owner.jar.get('remember_token') as string
  // the owner's browser restores from its remember cookie alone: a new token
  const restored = app.browser()
  restored.jar.set('remember_token', stolen)
  t.assert.strictEqual((await restored.request('/whoami')).json().name, 'Notch')
  // the thief replays the old token
  const thief = app.browser()
  thief.jar.set('remember_token', stolen)
  t.assert.strictEqual((await thief.request('/whoami')).json().anonymous, true)
  t.assert.deepStrictEqual(await socket.closed, { code: 3000, reason: 'theft' })
})

test('a maxPerUser eviction closes the evicted session\'s socket with "limit"', async (t: TestContext) => {
  const app = await liveApp(t, { sessions: { maxPerUser: 1 } })
  const old = await openSocket(app, '/live', await loggedIn(app))
  const fresh = await openSocket(app, '/live', await loggedIn(app))
  t.assert.deepStrictEqual(await old.closed, { code: 3000, reason: 'limit' })
  t.assert.strictEqual(await fresh.echo('z'), 'echo z')
  fresh.socket.close()
})

test('an anonymous upgrade to a guarded route never opens; a public route opens for anyone and nothing closes it', async (t: TestContext) => {
  const app = await liveApp(t)
  await t.assert.rejects(openSocket(app, '/live'), /HTTP 401/)
  const open = await openSocket(app, '/public-live')
  t.assert.strictEqual(open.greeting, 'hello Anonymous')
  const other = await loggedIn(app)
  await other.request({ method: 'POST', url: '/logout' })
  t.assert.strictEqual(await open.echo('a'), 'echo a')
  open.socket.close()
})

test('without sessions a socket is authenticated when it opens, and a logout does not close it', async (t: TestContext) => {
  const app = await liveApp(t, { sessions: null })
  const browser = await loggedIn(app)
  const socket = await openSocket(app, '/live', browser)
  t.assert.strictEqual(socket.greeting, 'hello Notch')
  await browser.request({ method: 'POST', url: '/logout' })
  t.assert.strictEqual(await socket.echo('b'), 'echo b')
  socket.socket.close()
})
