// SEC-27 on @fastify/session (both suites build it): a logout leaves a mark before it destroys a
// session that held a login, and a request of that session in flight writes, then looks for the
// mark, and destroys the session again. Each interleaving is forced here with a store that can
// hold a write, fail a call, and counts what a request asks of it (the figures of
// docs/performance.md).
import { test, type TestContext } from 'node:test'
import Fastify, { type FastifyRequest } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession, { MemoryStore } from '@fastify/session'
import fastifyLogin, { type FastifyLoginOptions } from 'fastify-login'
import { SECRET, SESSION_SECRET } from '../helpers/app.js'
import { client } from '../helpers/cookie-jar.js'
import { installClock, advance } from '../helpers/remember.js'
import { makeUsers } from '../helpers/users.js'

type Done = (error?: Error | null) => void
type Call = 'get' | 'set' | 'destroy'

/** @fastify/session's memory store, counted, with a write that can be held and calls that can fail. */
class TestStore extends MemoryStore {
  readonly sessions: Map<string, unknown>
  counts: Record<Call, number> = { get: 0, set: 0, destroy: 0 }
  /** The next `set` waits for `release()`; `held` resolves once it waits. */
  #hold: { reached: () => void, gate: Promise<void> } | null = null
  /** Calls on ids ending with this fail. */
  failing: { call: Call, suffix: string } | null = null

  constructor (sessions = new Map<string, unknown>()) {
    super(sessions as Map<string, never>)
    this.sessions = sessions
  }

  holdNextSet (): { held: Promise<void>, release: () => void } {
    let reached: () => void = () => {}
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => { reached = resolve })
    this.#hold = { reached, gate: new Promise<void>((resolve) => { release = resolve }) }
    return { held, release }
  }

  #call (call: Call, id: string, done: (error?: Error) => void, run: () => void): void {
    this.counts[call]++
    if (this.failing?.call === call && id.endsWith(this.failing.suffix)) {
      done(new Error(`the store failed a ${call}`))
      return
    }
    run()
  }

  override get (id: string, done: Parameters<MemoryStore['get']>[1]): void {
    this.#call('get', id, (error) => done(error ?? null), () => super.get(id, done))
  }

  override set (id: string, session: unknown, done: Done): void {
    this.#call('set', id, done, () => {
      const hold = this.#hold
      if (hold === null) {
        super.set(id, session as never, done)
        return
      }
      this.#hold = null
      hold.reached()
      hold.gate.then(() => super.set(id, session as never, done), /* c8 ignore next */ () => {})
    })
  }

  override destroy (id: string, done: Done): void {
    this.#call('destroy', id, done, () => super.destroy(id, done))
  }
}

interface SessionLike { sessionId: string, set (key: string, value: unknown): void, get (key: string): unknown }
const sessionOf = (request: FastifyRequest) => request.session as unknown as SessionLike

async function build (t: TestContext, options: Partial<FastifyLoginOptions> = {}, rolling = true) {
  const users = makeUsers()
  const store = new TestStore()
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyCookie)
  await app.register(fastifySession, { secret: SESSION_SECRET, cookie: { secure: false }, saveUninitialized: false, rolling, store })
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) as never ?? null, ...options })
  app.post('/login', async (request) => request.loginUser(users.get('1') as never))
  app.post('/logout', async (request) => request.logoutUser())
  app.get('/me', async (request) => ({ anonymous: request.currentUser.isAnonymous, note: sessionOf(request).get('note') ?? null }))
  let release: () => void = () => {}
  let arrived: () => void = () => {}
  const reached = new Promise<void>((resolve) => { arrived = resolve })
  const held = new Promise<void>((resolve) => { release = resolve })
  // a request that writes the session once released
  app.post('/slow-note', async (request) => {
    arrived()
    await held
    sessionOf(request).set('note', 'written in flight')
    return { anonymous: request.currentUser.isAnonymous }
  })
  const browser = client(app)
  await browser.request({ method: 'POST', url: '/login' })
  const oldCookie = browser.jar.header()
  const oldId = [...store.sessions.keys()][0] as string
  const asCopy = (url: string) => app.inject({ url, headers: { cookie: oldCookie } })
  return { app, store, browser, oldCookie, oldId, asCopy, slow: { reached, release } }
}

test('SEC-27: a logout landing between an in-flight request\'s write and its end does not bring the login back', async (t: TestContext) => {
  const { app, store, oldCookie, oldId, asCopy } = await build(t)
  const { held, release } = store.holdNextSet()
  // rolling: the copy's request writes the session on its way out; its write waits
  const inFlight = asCopy('/me')
  await held
  const logout = await app.inject({ method: 'POST', url: '/logout', headers: { cookie: oldCookie } })
  t.assert.strictEqual(logout.statusCode, 200)
  t.assert.strictEqual(store.sessions.has(oldId), false, 'the logout destroyed the session')
  release()
  const answer = await inFlight
  t.assert.deepStrictEqual([answer.statusCode, answer.json().anonymous], [200, false], 'the request in flight answered as it started')
  t.assert.strictEqual(store.sessions.has(oldId), false, 'its write was undone')
  t.assert.strictEqual((await asCopy('/me')).json().anonymous, true)
})

test('SEC-27: a request in flight whose login ended by idleTimeout does not write back the session a logout destroyed', async (t: TestContext) => {
  const clock = installClock(t)
  const { app, store, oldCookie, oldId, asCopy, slow } = await build(t, { idleTimeout: 60 })
  advance(clock, 61)
  const inFlight = app.inject({ method: 'POST', url: '/slow-note', headers: { cookie: oldCookie } })
  await slow.reached
  await app.inject({ method: 'POST', url: '/logout', headers: { cookie: oldCookie } })
  slow.release()
  t.assert.deepStrictEqual((await inFlight).json(), { anonymous: true }, 'the login had ended by idleTimeout')
  t.assert.strictEqual(store.sessions.has(oldId), false, 'the destroyed session was not written back')
  t.assert.deepStrictEqual((await asCopy('/me')).json(), { anonymous: true, note: null })
})

test('SEC-27: the mark of a logout lives as long as the session could have, and only a session that held a login gets one', async (t: TestContext) => {
  const { browser, store, oldId } = await build(t, {}, true)
  await browser.request({ method: 'POST', url: '/logout' })
  const mark = store.sessions.get(`${oldId}.ended`) as { cookie: { expires: Date } }
  t.assert.ok(mark !== undefined, 'the logout left its mark')
  // no cookie.maxAge: a store keeps such a session a day (connect-redis' default TTL)
  const life = mark.cookie.expires.getTime() - Date.now()
  t.assert.ok(life > 86_000_000 && life <= 86_400_000, `mark life ${life} ms`)
  // the logged-out browser logs out again: its session held no login, so no second mark
  const marks = (): number => [...store.sessions.keys()].filter((id) => id.endsWith('.ended')).length
  await browser.request({ method: 'POST', url: '/logout' })
  t.assert.strictEqual(marks(), 1)
})

test('SEC-27: a store that cannot say whether a logout marked the session fails closed: the written session goes, the request errs', async (t: TestContext) => {
  const { store, oldId, asCopy } = await build(t)
  store.failing = { call: 'get', suffix: '.ended' }
  const answer = await asCopy('/me')
  t.assert.strictEqual(answer.statusCode, 500)
  t.assert.match(answer.json().message, /the store failed a get/)
  t.assert.strictEqual(store.sessions.has(oldId), false, 'the session was destroyed')
  store.failing = null
  t.assert.strictEqual((await asCopy('/me')).json().anonymous, true)
})

test('SEC-27: a logout whose mark the store refuses still logs the browser out, and errs', async (t: TestContext) => {
  const { browser, store, oldId, asCopy } = await build(t)
  store.failing = { call: 'set', suffix: '.ended' }
  const logout = await browser.request({ method: 'POST', url: '/logout' })
  t.assert.strictEqual(logout.statusCode, 500)
  t.assert.match(logout.json().message, /the store failed a set/)
  t.assert.strictEqual(store.sessions.has(oldId), false, 'the session was destroyed all the same')
  t.assert.strictEqual((await browser.request('/me')).json().anonymous, true, 'the browser is logged out')
  t.assert.strictEqual((await asCopy('/me')).json().anonymous, true, 'so is a copy of its old cookie')
})

test('a save the store refuses fails the request, as without the check', async (t: TestContext) => {
  const { store, asCopy } = await build(t)
  store.failing = { call: 'set', suffix: '' }
  store.counts = { get: 0, set: 0, destroy: 0 }
  const answer = await asCopy('/me')
  t.assert.strictEqual(answer.statusCode, 500)
  t.assert.match(answer.json().message, /the store failed a set/)
  // (the error answer tries its save once more, and fails again)
  t.assert.deepStrictEqual([store.counts.get, store.counts.destroy], [1, 0], 'the session read, its write failed, nothing checked after')
})

// before the logout's mark (figures in docs/performance.md): the same, but a logout made 1 set
test('SEC-27 cost: store calls per request, with rolling true and false', async (t: TestContext) => {
  const figures: Record<string, Record<Call, number>> = {}
  for (const rolling of [true, false]) {
    const { browser, store } = await build(t, {}, rolling)
    const count = async (what: string, run: () => Promise<unknown>): Promise<void> => {
      store.counts = { get: 0, set: 0, destroy: 0 }
      await run()
      figures[`${what}, rolling ${rolling}`] = store.counts
    }
    await count('logged-in GET', () => browser.request('/me'))
    await count('logout', () => browser.request({ method: 'POST', url: '/logout' }))
    await count('login', () => browser.request({ method: 'POST', url: '/login' }))
  }
  t.diagnostic(JSON.stringify(figures))
  t.assert.deepStrictEqual(figures, {
    'logged-in GET, rolling true': { get: 2, set: 1, destroy: 0 },
    'logout, rolling true': { get: 1, set: 2, destroy: 1 },
    'login, rolling true': { get: 0, set: 2, destroy: 1 },
    'logged-in GET, rolling false': { get: 1, set: 0, destroy: 0 },
    'logout, rolling false': { get: 1, set: 2, destroy: 1 },
    'login, rolling false': { get: 0, set: 2, destroy: 1 }
  })
})
