// A browser that kept only its remember cookie opens a WebSocket first (a tab restored with the
// browser): the upgrade is restored from the remember cookie for itself (it cannot carry a new
// cookie), yet its socket is bound to that tracked session like any other. Real sockets, both engines.
import { test, type TestContext } from 'node:test'
import { liveApp, loggedIn, openSocket, wrapStore, type OpenSocket } from '../helpers/live.js'
import { advance, installClock, REMEMBER } from '../helpers/remember.js'
import { HashedUser } from '../helpers/users.js'
import { memorySessionStore } from 'fastify-login'

/** API.md's default rotationGrace, in seconds. */
const DEFAULT_GRACE = 30

/** The echo of `text`, or how the socket closed when it closed instead. */
async function echoOrClose (socket: OpenSocket, text: string): Promise<string> {
  return await Promise.race([socket.echo(text), socket.closed.then(({ code, reason }) => `closed ${code} ${reason}`)])
}

test('a remember-cookie restore on an upgrade binds the socket to its tracked session and rotates nothing: no theft after the grace, revoking closes it with 3000', { timeout: 120_000 /* a hang guard only */ }, async (t: TestContext) => {
  const clock = installClock(t)
  const inner = memorySessionStore()
  // counts the store's reads, so the test can let two recheck rounds pass
  let reads = 0
  let onRead: () => void = () => {}
  const store = wrapStore(inner, { get: async (id: string) => { reads++; onRead(); return await inner.get(id) } })
  const app = await liveApp(t, { sessions: { store, recheckEvery: 0.05 } })
  app.users.set('5', new HashedUser('5', 'Alex', 'password'))
  const thefts: string[] = []
  app.app.loginManager.on('rememberTheft', (_request, user) => thefts.push(String((user as unknown as { name: string }).name)))

  const owner = await loggedIn(app, '5', '?remember=1')
  const [sid] = (await store.list('5')).map((entry) => entry.id) as [string]
  const before = await store.get(sid)
  // the browser was closed: only its (persistent) remember cookie is left, and a socket opens first
  const cookie = owner.jar.get(REMEMBER) as string
  const browser = app.browser()
  browser.jar.set(REMEMBER, cookie)
  const socket = await openSocket(app, '/live', browser)
  t.assert.strictEqual(socket.greeting, 'hello Alex')
  const after = await store.get(sid)
  t.assert.deepStrictEqual([after?.rememberHash, after?.rotatedAt], [before?.rememberHash, before?.rotatedAt], 'nothing rotated on the upgrade')
  t.assert.deepStrictEqual((await store.list('5')).map((entry) => entry.id), [sid], 'no other session made')

  // two recheck rounds find the session as the socket's login left it (same user, same auth hash)
  const twoRounds = new Promise<void>((resolve) => {
    const from = reads
    onRead = () => { if (reads - from >= 2) resolve() }
  })
  await Promise.race([twoRounds, socket.closed])
  t.assert.strictEqual(await echoOrClose(socket, 'alive'), 'echo alive')

  // the browser's next ordinary request, after the grace: restored and rotated, not a theft
  advance(clock, DEFAULT_GRACE + 1)
  const next = await browser.request('/whoami')
  t.assert.deepStrictEqual(next.json(), { name: 'Alex', fresh: false, remembered: true, anonymous: false })
  t.assert.notStrictEqual(browser.jar.get(REMEMBER), cookie, 'the ordinary response carried the rotated cookie')
  t.assert.deepStrictEqual(thefts, [])
  t.assert.strictEqual(await echoOrClose(socket, 'still'), 'echo still')

  // ended from another device: the socket of the upgrade closes with it
  const laptop = await loggedIn(app, '5')
  t.assert.deepStrictEqual((await laptop.request({ method: 'POST', url: '/devices/revoke', payload: { id: sid } })).json(), { revoked: true })
  t.assert.deepStrictEqual(await socket.closed, { code: 3000, reason: 'revoked' })
  t.assert.strictEqual((await browser.request('/whoami')).json().anonymous, true)
  t.assert.deepStrictEqual(thefts, [])
})
