// Live connections closed by another process through Redis pub/sub (API.md "Live connections",
// issue 18): two application processes (test/redis/fixtures/live-app.ts) share one redis-server
// or a 3-master Redis Cluster, on @fastify/secure-session and @fastify/session, with the store on
// node-redis and on ioredis. `recheckEvery` is 600 s, so only a notification can close a
// connection here: each wait below is a hang guard, not a measure.
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AppProcess } from '../helpers/redis/app-process.js'
import { Browser } from '../helpers/redis/browser.js'
import { guarded, killSubscribers, openSocket, openStream, pubSubConnections, startLivePair, subscribers, until, type LivePair, type LiveSocket, type LiveStream } from '../helpers/redis/live-pair.js'
import type { ClientName, EngineName } from '../helpers/redis/tracked-pair.js'

const REMEMBER = 'remember_token'

interface Live { socket: LiveSocket, stream: LiveStream }

async function login (t: TestContext, app: AppProcess, userId: string, remember = false): Promise<{ browser: Browser, sid: string }> {
  const browser = new Browser()
  const answer = await browser.request(app.url, '/login', { json: { id: userId, remember } })
  t.assert.strictEqual(answer.status, 200, app.log())
  t.assert.strictEqual(answer.body.loggedIn, true)
  return { browser, sid: answer.body.sid }
}

/** A WebSocket and an event stream opened on `app` with the browser's cookies. */
async function openLive (t: TestContext, app: AppProcess, browser: Browser, userId: string): Promise<Live> {
  const socket = await openSocket(app.url, '/live', browser.cookieHeader())
  t.assert.strictEqual(socket.greeting, `hello ${userId}`)
  const stream = await openStream(app.url, '/feed', browser.cookieHeader())
  t.assert.match(stream.first, new RegExp(`hello ${userId}`))
  return { socket, stream }
}

async function assertClosed (t: TestContext, live: Live, reason: string): Promise<void> {
  t.assert.deepStrictEqual(await guarded('the WebSocket closed', live.socket.closed), { code: 3000, reason })
  await guarded('the event stream ended', live.stream.ended)
}

/** A connection of another session is still open and served; then it is closed. */
async function assertOpen (t: TestContext, socket: LiveSocket): Promise<void> {
  t.assert.strictEqual(await socket.echo('still here'), 'echo still here')
  socket.close()
}

type Case = (t: TestContext, pair: LivePair, userId: string) => Promise<void>

/**
 * Two logins of `userId`: the first on A, with its WebSocket and event stream on A (`live`); the
 * second on B, with a WebSocket on A (`kept`) that the first's end must leave open.
 */
async function twoDevices (t: TestContext, pair: LivePair, userId: string, remember = false) {
  const first = await login(t, pair.a, userId, remember)
  const second = await login(t, pair.b, userId)
  const live = await openLive(t, pair.a, first.browser, userId)
  const kept = await openSocket(pair.a.url, '/live', second.browser.cookieHeader())
  return { first, second, live, kept }
}

const logout: Case = async (t: TestContext, pair: LivePair, userId: string) => {
  const { first: tab, live, kept } = await twoDevices(t, pair, userId)
  await tab.browser.request(pair.b.url, '/logout', { method: 'POST' })
  await assertClosed(t, live, 'logout')
  await assertOpen(t, kept)
}

const revokeSession: Case = async (t: TestContext, pair: LivePair, userId: string) => {
  const { first: phone, second: devices, live, kept } = await twoDevices(t, pair, userId)
  const answer = await devices.browser.request(pair.b.url, '/devices/revoke', { json: { id: phone.sid } })
  t.assert.deepStrictEqual(answer.body, { revoked: true })
  await assertClosed(t, live, 'revoked')
  await assertOpen(t, kept)
}

const logoutOtherSessions: Case = async (t: TestContext, pair: LivePair, userId: string) => {
  const { second: devices, live, kept } = await twoDevices(t, pair, userId)
  const answer = await devices.browser.request(pair.b.url, '/devices/others/logout', { method: 'POST' })
  t.assert.deepStrictEqual(answer.body, { ended: 1 })
  await assertClosed(t, live, 'revoked')
  await assertOpen(t, kept)
}

const revokeAllSessions: Case = async (t: TestContext, pair: LivePair, userId: string) => {
  const phone = await login(t, pair.a, userId)
  const laptop = await login(t, pair.b, userId)
  const someoneElse = await login(t, pair.a, `${userId}-other`)
  const lives = [await openLive(t, pair.a, phone.browser, userId), await openLive(t, pair.a, laptop.browser, userId)]
  const theirs = await openSocket(pair.a.url, '/live', someoneElse.browser.cookieHeader())
  const answer = await new Browser().request(pair.b.url, '/admin/revoke-all', { json: { userId } })
  t.assert.deepStrictEqual(answer.body, { ended: 2 })
  for (const live of lives) await assertClosed(t, live, 'revoked')
  await assertOpen(t, theirs)
}

const theft: Case = async (t: TestContext, pair: LivePair, userId: string) => {
  const { first: owner, live, kept } = await twoDevices(t, pair, userId, true)
  const oldCookie = owner.browser.jar.get(REMEMBER) as string
  // a restore from the remember cookie alone rotates the token (the same tracked session)
  for (const name of [...owner.browser.jar.keys()]) if (name !== REMEMBER) owner.browser.jar.delete(name)
  t.assert.deepStrictEqual((await owner.browser.request(pair.a.url, '/me')).body, { user: userId })
  t.assert.notStrictEqual(owner.browser.jar.get(REMEMBER), oldCookie)
  await sleep(1200) // past rotationGrace (1 s): the old token is now a stolen one
  const thief = new Browser()
  thief.jar.set(REMEMBER, oldCookie)
  t.assert.deepStrictEqual((await thief.request(pair.b.url, '/me')).body, { user: null })
  await assertClosed(t, live, 'theft')
  await assertOpen(t, kept)
}

const afterReconnect: Case = async (t: TestContext, pair: LivePair, userId: string) => {
  await killSubscribers(pair)
  const phone = await login(t, pair.a, userId)
  const live = await openLive(t, pair.a, phone.browser, userId)
  const answer = await new Browser().request(pair.b.url, '/admin/revoke', { json: { id: phone.sid } })
  t.assert.deepStrictEqual(answer.body, { revoked: true })
  await assertClosed(t, live, 'revoked')
}

async function closeClosesSubscriber (t: TestContext, pair: LivePair): Promise<void> {
  t.assert.strictEqual(await pubSubConnections(pair), 2, 'one subscriber connection per process')
  pair.a.terminate()
  t.assert.deepStrictEqual(await guarded('process A exited by itself after app.close()', pair.a.exited), { code: 0, signal: null }, pair.a.log())
  await until('A\'s subscriber connection gone from CLIENT LIST', async () => await pubSubConnections(pair) === 1)
  t.assert.strictEqual(await subscribers(pair), 1)
}

const CASES: Array<[string, Case]> = [
  ['logoutUser on B closes the WebSocket and the event stream on A ("logout"); another session\'s stays', logout],
  ['revokeSession on B closes them on A ("revoked"); the revoking session\'s stays', revokeSession],
  ['logoutOtherSessions on B closes them on A ("revoked"); the current session\'s stays', logoutOtherSessions],
  ['revokeAllSessions on B closes every one of the user\'s on A ("revoked"); another user\'s stays', revokeAllSessions],
  ['a stolen remember cookie replayed on B closes them on A ("theft"); the user\'s other session\'s stays', theft],
  ['after every subscriber connection is killed (CLIENT KILL), both processes subscribe again and B still closes A\'s', afterReconnect]
]

const ENGINES: EngineName[] = ['secure-session', 'session']
const CLIENTS: ClientName[] = ['redis', 'ioredis']

for (const cluster of [false, true]) {
  for (const engine of ENGINES) {
    for (const client of CLIENTS) {
      const where = cluster ? 'a 3-master Redis Cluster' : 'one redis-server'
      test(`live connections on ${engine}, store on ${client}, ${where}: closed by the other process through pub/sub`, async (t: TestContext) => {
        const pair = await startLivePair(t, { engine, client, cluster })
        let n = 0
        for (const [name, run] of CASES) {
          const userId = `u${++n}`
          await t.test(name, async (t: TestContext) => { await run(t, pair, userId) })
        }
        // last: it stops A
        await t.test('closing the app closes its subscriber connection (CLIENT LIST), and nothing keeps the process alive', async (t: TestContext) => { await closeClosesSubscriber(t, pair) })
      })
    }
  }
}
