// Tracked sessions when the store misbehaves (issue 19): a store that never answers fails closed
// with FST_LOGIN_STORE_UNAVAILABLE (503) once `sessions.timeout` passed, on every store call of
// a request. Both engines, a memory store behind a switch.
import { test, type TestContext } from 'node:test'
import { memorySessionStore, type SessionStore } from 'fastify-login'
import { buildApp } from '../helpers/app.js'
import { REMEMBER } from '../helpers/remember.js'
import { sessionsApp } from '../helpers/tracked-sessions.js'

/** A memory store whose calls (or only `destroy`), once silenced, never settle. */
function silentStore () {
  const inner = memorySessionStore()
  let silent: 'all' | 'destroy' | null = null
  const call = <T>(run: () => Promise<T>, method = ''): Promise<T> =>
    silent === 'all' || (silent !== null && silent === method) ? new Promise<T>(() => {}) : run()
  const store: SessionStore = {
    create: (session, limit) => call(() => inner.create(session, limit)),
    get: (id) => call(() => inner.get(id)),
    update: (id, changes, expected) => call(() => inner.update(id, changes, expected)),
    list: (userId) => call(() => inner.list(userId)),
    destroy: (id) => call(() => inner.destroy(id), 'destroy'),
    destroyAll: (userId, exceptId) => call(() => inner.destroyAll(userId, exceptId))
  }
  return { store, silence: (only: 'destroy' | null = null) => { silent = only ?? 'all' }, speak: () => { silent = null } }
}

test('a store that stops answering fails closed with a 503 after sessions.timeout, on every store call', async (t: TestContext) => {
  const silent = silentStore()
  const { app, browser } = await sessionsApp(t, { store: silent.store, timeout: 0.05 })
  const a = browser()
  await a.request({ method: 'POST', url: '/login/1?remember=1' })
  const remember = a.jar.get(REMEMBER) as string
  silent.silence()
  const calls: Array<[string, () => Promise<{ statusCode: number, json (): { code: string } }>]> = [
    ['the liveness check of a logged-in request', () => a.request('/secret')],
    ['a remember-cookie restore', () => browser().request({ url: '/whoami', cookies: { [REMEMBER]: remember } })],
    ['a login', () => browser().request({ method: 'POST', url: '/login/2' })]
  ]
  for (const [what, call] of calls) {
    const response = await call()
    t.assert.strictEqual(response.statusCode, 503, what)
    t.assert.strictEqual(response.json().code, 'FST_LOGIN_STORE_UNAVAILABLE', what)
  }
  await t.assert.rejects(app.loginManager.listSessions('1'), { code: 'FST_LOGIN_STORE_UNAVAILABLE', statusCode: 503 })
  await t.assert.rejects(app.loginManager.revokeAllSessions('1'), { code: 'FST_LOGIN_STORE_UNAVAILABLE', statusCode: 503 })
  // the store answers again: so does the login
  silent.speak()
  t.assert.strictEqual((await a.request('/secret')).statusCode, 200)
})

test('sessions.timeout defaults to 2 seconds; it must be a number of seconds above 0 and at most 60', async (t: TestContext) => {
  const { app } = await buildApp(t, { sessions: true })
  t.assert.strictEqual(app.loginManager.options.sessions?.timeout, 2)
  for (const timeout of [0, -1, 61, Number.NaN, Number.POSITIVE_INFINITY, '2', null]) {
    await t.assert.rejects(buildApp(t, { sessions: { timeout } } as never), { code: 'FST_LOGIN_INVALID_OPTION', message: /sessions\.timeout/ }, String(timeout))
  }
  const { app: quick } = await buildApp(t, { sessions: { timeout: 0.25 } })
  t.assert.strictEqual(quick.loginManager.options.sessions?.timeout, 0.25)
})

test('a logout that meets a store outage still logs the browser out: its cookies go, and it stays logged out (issue 19)', async (t: TestContext) => {
  const silent = silentStore()
  const { browser } = await sessionsApp(t, { store: silent.store, timeout: 0.05 })
  const a = browser()
  await a.request({ method: 'POST', url: '/login/1?remember=1' })
  a.jar.closeBrowser() // a remember-cookie login, so the answer must delete that cookie
  t.assert.strictEqual((await a.request('/whoami')).json().remembered, true)
  // the store went away while the request was running: the login was seen, the revocation fails
  silent.silence('destroy')
  const logout = await a.request({ method: 'POST', url: '/logout' })
  t.assert.deepStrictEqual([logout.statusCode, logout.json().code], [503, 'FST_LOGIN_STORE_UNAVAILABLE'])
  t.assert.strictEqual(a.jar.get(REMEMBER), undefined, 'the remember cookie was deleted')
  silent.speak()
  t.assert.strictEqual((await a.request('/whoami')).json().anonymous, true, 'the store answers again: still logged out')
})
