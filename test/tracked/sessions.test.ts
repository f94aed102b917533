// Tracked sessions (API.md "Tracked sessions"): the devices list, revocation, limits. Memory
// store, both engines (FASTIFY_LOGIN_ENGINE).
import { test, type TestContext } from 'node:test'
import { buildApp, ENGINE, recordEvents } from '../helpers/app.js'
import { advance, installClock, isDeletion, REMEMBER, setCookie } from '../helpers/remember.js'
import { memorySessionStore, type SessionStore, type SessionStoreCapability } from 'fastify-login'
import { devices, revoke, sessionsApp } from '../helpers/tracked-sessions.js'

test('every loginUser creates one tracked session; listSessions shows them, most recently seen first', async (t: TestContext) => {
  const clock = installClock(t)
  const { browser, entries } = await sessionsApp(t)
  const laptop = browser()
  const phone = browser()
  await laptop.request({ method: 'POST', url: '/login/1', headers: { 'user-agent': 'Laptop' } })
  advance(clock, 5)
  await phone.request({ method: 'POST', url: '/login/1?remember=1', headers: { 'user-agent': 'Phone' } })
  t.assert.strictEqual((await entries('1')).length, 2)
  const seen = await devices(phone)
  t.assert.deepStrictEqual(seen.map((device) => [device.userAgent, device.current, device.remembered, device.ip]),
    [['Phone', true, true, '127.0.0.1'], ['Laptop', false, false, '127.0.0.1']])
  for (const device of seen) {
    t.assert.match(String(device.id), /^[\w.-]{16,128}$/)
    t.assert.strictEqual(typeof device.createdAt, 'string', 'a Date, serialized')
    t.assert.ok(Number.isFinite(Date.parse(String(device.lastSeenAt))))
  }
  // an anonymous request lists nothing
  t.assert.deepStrictEqual(await devices(browser()), [])
})

test('listSessions returns Date objects and the manager lists without marking a current one', async (t: TestContext) => {
  const { app, browser } = await sessionsApp(t)
  await browser().request({ method: 'POST', url: '/login/1' })
  const listed = await app.loginManager.listSessions('1')
  t.assert.strictEqual(listed.length, 1)
  t.assert.ok(listed[0]?.createdAt instanceof Date && listed[0].lastSeenAt instanceof Date)
  t.assert.strictEqual(listed[0]?.current, false)
  t.assert.deepStrictEqual(await app.loginManager.listSessions('nobody'), [])
})

test('revokeSession ends another device at once: its next request is anonymous and its remember cookie is deleted', async (t: TestContext) => {
  const { browser, entries, app } = await sessionsApp(t)
  const a = browser()
  const b = browser()
  await a.request({ method: 'POST', url: '/login/1' })
  await b.request({ method: 'POST', url: '/login/1?remember=1' })
  const bId = (await devices(b)).find((device) => device.current)?.id as string
  t.assert.strictEqual(await revoke(a, bId), true)
  const after = await b.request('/whoami')
  t.assert.strictEqual(after.json().anonymous, true)
  t.assert.ok(isDeletion(setCookie(after, REMEMBER)), 'the remember cookie of the revoked session is deleted')
  t.assert.strictEqual((await a.request('/whoami')).json().name, 'Notch')
  t.assert.strictEqual((await entries('1')).length, 1)
  // revoking again, or an unknown, malformed or another user's id: false, nothing changes
  const c = browser()
  await c.request({ method: 'POST', url: '/login/2' })
  const cId = (await devices(c))[0]?.id as string
  for (const id of [bId, 'unknown', 'x'.repeat(300), '__proto__', cId, 42, null, ['a'], { id: cId }]) {
    t.assert.strictEqual(await revoke(a, id), false, JSON.stringify(id))
  }
  t.assert.strictEqual((await c.request('/whoami')).json().name, 'Steve')
  t.assert.strictEqual(await app.loginManager.revokeSession(42 as unknown as string), false)
})

test('revoking the current session is a logout; logoutUser ends the tracked session', async (t: TestContext) => {
  const { browser, entries, app } = await sessionsApp(t)
  const events = recordEvents(app)
  const a = browser()
  await a.request({ method: 'POST', url: '/login/1' })
  const id = (await devices(a))[0]?.id as string
  t.assert.strictEqual(await revoke(a, id), true)
  t.assert.ok(events.some(([name]) => name === 'loggedOut'))
  t.assert.strictEqual((await a.request('/whoami')).json().anonymous, true)
  await a.request({ method: 'POST', url: '/login/1' })
  t.assert.strictEqual((await entries('1')).length, 1)
  await a.request({ method: 'POST', url: '/logout' })
  t.assert.deepStrictEqual(await entries('1'), [])
})

test('logoutOtherSessions ends every other session of the user and keeps this one; revokeAllSessions ends all', async (t: TestContext) => {
  const { app, browser } = await sessionsApp(t)
  const [a, b, c, other] = [browser(), browser(), browser(), browser()]
  for (const each of [a, b, c]) await each.request({ method: 'POST', url: '/login/1' })
  await other.request({ method: 'POST', url: '/login/2' })
  t.assert.deepStrictEqual((await a.request({ method: 'POST', url: '/devices/others/logout' })).json(), { ended: 2 })
  t.assert.strictEqual((await a.request('/whoami')).json().name, 'Notch')
  t.assert.strictEqual((await b.request('/whoami')).json().anonymous, true)
  t.assert.strictEqual((await c.request('/whoami')).json().anonymous, true)
  t.assert.strictEqual((await other.request('/whoami')).json().name, 'Steve')
  t.assert.deepStrictEqual((await browser().request({ method: 'POST', url: '/devices/others/logout' })).json(), { ended: 0 })
  t.assert.strictEqual(await app.loginManager.revokeAllSessions('1'), 1)
  t.assert.strictEqual((await a.request('/whoami')).json().anonymous, true)
  t.assert.strictEqual(await app.loginManager.revokeAllSessions(''), 0)
})

test('a restore through the remember cookie continues its session; confirmLogin creates none', async (t: TestContext) => {
  const { browser, entries } = await sessionsApp(t)
  const a = browser()
  await a.request({ method: 'POST', url: '/login/1?remember=1&fresh=0' })
  const [before] = await entries('1')
  a.jar.closeBrowser()
  const restored = await a.request('/whoami')
  t.assert.deepStrictEqual(restored.json(), { name: 'Notch', fresh: false, remembered: true, anonymous: false })
  t.assert.deepStrictEqual((await a.request({ method: 'POST', url: '/confirm' })).json(), { fresh: true })
  const after = await entries('1')
  t.assert.deepStrictEqual(after.map((entry) => entry.id), [before?.id])
  t.assert.strictEqual((await devices(a))[0]?.current, true)
})

test('logging in again in the same browser replaces its session (no second entry, and it does not count against maxPerUser)', async (t: TestContext) => {
  const { browser, entries } = await sessionsApp(t, { maxPerUser: 1, onLimit: 'refuse' })
  const a = browser()
  await a.request({ method: 'POST', url: '/login/1' })
  t.assert.deepStrictEqual((await a.request({ method: 'POST', url: '/login/1?remember=1' })).json(), { ok: true })
  t.assert.strictEqual((await entries('1')).length, 1)
  // a login as another user in that browser ends the first user's session there
  t.assert.deepStrictEqual((await a.request({ method: 'POST', url: '/login/2' })).json(), { ok: true })
  t.assert.deepStrictEqual(await entries('1'), [])
  t.assert.strictEqual((await entries('2')).length, 1)
})

test('maxPerUser with revoke-oldest ends the least recently seen sessions', async (t: TestContext) => {
  const clock = installClock(t)
  const { browser, entries } = await sessionsApp(t, { maxPerUser: 2 })
  const [a, b, c] = [browser(), browser(), browser()]
  await a.request({ method: 'POST', url: '/login/1' })
  advance(clock, 61)
  await b.request({ method: 'POST', url: '/login/1' })
  advance(clock, 61)
  await a.request('/whoami') // a is seen again: b is now the least recently seen
  advance(clock, 1)
  await c.request({ method: 'POST', url: '/login/1' })
  t.assert.strictEqual((await entries('1')).length, 2)
  t.assert.strictEqual((await a.request('/whoami')).json().name, 'Notch')
  t.assert.strictEqual((await b.request('/whoami')).json().anonymous, true)
  t.assert.strictEqual((await c.request('/whoami')).json().name, 'Notch')
})

test('maxPerUser with refuse: loginUser returns false, sets no cookie and changes nothing', async (t: TestContext) => {
  const { browser, entries, app } = await sessionsApp(t, { maxPerUser: 1, onLimit: 'refuse' })
  await browser().request({ method: 'POST', url: '/login/1' })
  const events = recordEvents(app)
  const second = browser()
  const refused = await second.request({ method: 'POST', url: '/login/1?remember=1' })
  t.assert.deepStrictEqual(refused.json(), { ok: false })
  t.assert.deepStrictEqual(refused.cookies, [])
  t.assert.strictEqual((await second.request('/whoami')).json().anonymous, true)
  t.assert.strictEqual((await entries('1')).length, 1)
  t.assert.strictEqual(events.filter(([name]) => name === 'loggedIn').length, 0)
})

test('lastSeenAt and ip are written at most once a minute', async (t: TestContext) => {
  const clock = installClock(t)
  const { browser, entries } = await sessionsApp(t)
  const a = browser()
  await a.request({ method: 'POST', url: '/login/1' })
  const [created] = await entries('1')
  advance(clock, 30)
  await a.request({ url: '/whoami', remoteAddress: '203.0.113.5' })
  t.assert.deepStrictEqual(await entries('1'), [created], 'nothing written 30 s later')
  advance(clock, 31)
  await a.request({ url: '/whoami', remoteAddress: '203.0.113.5' })
  const [seen] = await entries('1')
  t.assert.strictEqual(seen?.ip, '203.0.113.5')
  t.assert.strictEqual(seen?.lastSeenAt, Date.now())
})

test('the session id is not a credential: no cookie or header built from it logs anyone in', async (t: TestContext) => {
  const { browser } = await sessionsApp(t, {}, { headerLoader: () => null })
  const a = browser()
  await a.request({ method: 'POST', url: '/login/1' })
  const id = (await devices(a))[0]?.id as string
  const stranger = browser()
  stranger.jar.set(REMEMBER, id)
  t.assert.strictEqual((await stranger.request({ url: '/whoami', headers: { authorization: id } })).json().anonymous, true)
})

test('entries expire: the engine\'s lifetime without remember, never past absoluteTimeout, gone once idle past idleTimeout', async (t: TestContext) => {
  installClock(t)
  const { browser, entries } = await sessionsApp(t, {}, { absoluteTimeout: 3600, idleTimeout: 600, rememberCookie: { duration: 7200 } })
  await browser().request({ method: 'POST', url: '/login/1?remember=1' })
  const [entry] = await entries('1')
  t.assert.strictEqual(entry?.expiresAt, (entry?.createdAt as number) + 600_000, 'idle first')
  const plain = await sessionsApp(t, {}, { rememberCookie: { duration: 7200 } })
  await plain.browser().request({ method: 'POST', url: '/login/1' })
  const [unremembered] = await plain.entries('1')
  // @fastify/session here has no maxAge: a day after its last sighting, as its store keeps it (issue 19)
  const lifetime = ENGINE === 'session' ? 86400 : 86401
  t.assert.strictEqual(unremembered?.expiresAt, (unremembered?.createdAt as number) + lifetime * 1000)
  const remembered = await sessionsApp(t, {}, { rememberCookie: { duration: 365 * 86400 }, absoluteTimeout: 86400 * 30 })
  await remembered.browser().request({ method: 'POST', url: '/login/1?remember=1' })
  const [long] = await remembered.entries('1')
  t.assert.strictEqual(long?.expiresAt, (long?.createdAt as number) + 86400 * 30 * 1000, 'capped by absoluteTimeout')
})

/** A store that answers like `inner` until `down` is set, then rejects (or throws) like a Redis that went away. */
function failingStore (inner: SessionStore): { store: SessionStore, fail (how: 'reject' | 'throw'): void } {
  let failure: 'reject' | 'throw' | null = null
  const call = <T>(run: () => Promise<T>): Promise<T> => {
    if (failure === 'throw') throw new Error('down')
    return failure === 'reject' ? Promise.reject(new Error('connection refused')) : run()
  }
  return {
    store: {
      create: (session, limit) => call(() => inner.create(session, limit)),
      get: (id) => call(() => inner.get(id)),
      update: (id, changes, expected) => call(() => inner.update(id, changes, expected)),
      list: (userId) => call(() => inner.list(userId)),
      destroy: (id) => call(() => inner.destroy(id)),
      destroyAll: (userId, exceptId) => call(() => inner.destroyAll(userId, exceptId))
    },
    fail: (how) => { failure = how }
  }
}

test('a store that fails makes a logged-in request fail closed with FST_LOGIN_STORE_UNAVAILABLE (503)', async (t: TestContext) => {
  const failing = failingStore(memorySessionStore())
  const { browser } = await sessionsApp(t, { store: failing.store })
  const a = browser()
  await a.request({ method: 'POST', url: '/login/1?remember=1' })
  t.assert.strictEqual((await a.request('/secret')).statusCode, 200, 'a store without a synchronous get works as well')
  for (const how of ['reject', 'throw'] as const) {
    failing.fail(how)
    const response = await a.request('/secret')
    t.assert.strictEqual(response.statusCode, 503, how)
    t.assert.strictEqual(response.json().code, 'FST_LOGIN_STORE_UNAVAILABLE')
    // a remember-cookie restore fails closed too
    const restore = await browser().request({ url: '/secret', cookies: { [REMEMBER]: a.jar.get(REMEMBER) as string } })
    t.assert.strictEqual(restore.statusCode, 503, `${how}: restore`)
    // an anonymous request does not touch the store
    t.assert.strictEqual((await browser().request('/whoami')).statusCode, 200)
    t.assert.strictEqual((await browser().request({ method: 'POST', url: '/login/2' })).statusCode, 503)
  }
})

test('sessionCookieFor with sessions on creates a tracked session', async (t: TestContext) => {
  const { app, users, entries } = await sessionsApp(t)
  const cookie = await app.loginManager.sessionCookieFor(users.get('1') as never, { remember: true })
  const response = await app.inject({ url: '/whoami', headers: { cookie } })
  t.assert.strictEqual(response.json().name, 'Notch')
  const [entry] = await entries('1')
  t.assert.ok(entry !== undefined && entry.rememberHash !== null)
})

test('on @fastify/session, revoking a session destroys its stored session too (secure-session has none)', async (t: TestContext) => {
  const { browser, entries, app } = await sessionsApp(t)
  const a = browser()
  await a.request({ method: 'POST', url: '/login/1' })
  const [entry] = await entries('1')
  if (ENGINE !== 'session') {
    t.assert.strictEqual(entry?.engineId, null)
    return
  }
  t.assert.ok(typeof entry?.engineId === 'string')
  t.assert.deepStrictEqual((await a.request(`/engine-has/${entry?.engineId}`)).json(), { stored: true })
  t.assert.strictEqual(await app.loginManager.revokeSession(entry?.id as string), true)
  t.assert.deepStrictEqual((await browser().request(`/engine-has/${entry?.engineId}`)).json(), { stored: false })
})

/** The six methods of a memory store, as a plain object. */
function memoryMethods (): Record<string, unknown> {
  const store = memorySessionStore()
  return Object.fromEntries(['create', 'get', 'update', 'list', 'destroy', 'destroyAll'].map((name) => [name, (store[name as keyof typeof store] as () => unknown).bind(store)]))
}

test('registration refuses sessions with tokenLoader, a bad maxPerUser, onLimit, store (capabilities, rotate) or rotationGrace', async (t: TestContext) => {
  const bad: Array<Record<string, unknown>> = [
    { sessions: true, tokenLoader: () => null },
    { sessions: { maxPerUser: 0 } },
    { sessions: { maxPerUser: 1.5 } },
    { sessions: { maxPerUser: '3' } },
    { sessions: { onLimit: 'oldest' } },
    { sessions: { store: { get () {} } } },
    { sessions: { store: { ...memoryMethods(), capabilities: 'origin' } } },
    { sessions: { store: { ...memoryMethods(), capabilities: ['origin', 'rotate'] } } },
    { sessions: { store: { ...memoryMethods(), rotate: true } } },
    { sessions: 'yes' },
    { sessions: true, rememberCookie: { rotationGrace: -1 } }
  ]
  for (const options of bad) {
    await t.assert.rejects(buildApp(t, options), { code: 'FST_LOGIN_INVALID_OPTION' }, JSON.stringify(options))
  }
  for (const capabilities of [[], ['origin'], ['authDigest', 'origin']] as SessionStoreCapability[][]) {
    await buildApp(t, { sessions: { store: { ...memoryMethods(), capabilities } as unknown as SessionStore } })
  }
  const { app } = await buildApp(t, { sessions: true })
  // issue 19: a default cap, so one account cannot fill the store; null turns it off
  t.assert.strictEqual(app.loginManager.options.sessions?.maxPerUser, 100)
  const { app: unlimited } = await buildApp(t, { sessions: { maxPerUser: null } })
  t.assert.strictEqual(unlimited.loginManager.options.sessions?.maxPerUser, null)
  t.assert.strictEqual(app.loginManager.options.sessions?.onLimit, 'revoke-oldest')
})

test('the tracked-session methods without the sessions option are a coded error', async (t: TestContext) => {
  const { app, request } = await buildApp(t, {}, { routes: (instance) => { instance.get('/devices', async (req) => req.listSessions()) } })
  t.assert.strictEqual((await request('/devices')).json().code, 'FST_LOGIN_NO_SESSIONS')
  await t.assert.rejects(app.loginManager.listSessions('1'), { code: 'FST_LOGIN_NO_SESSIONS' })
})
