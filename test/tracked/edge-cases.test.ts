// Tracked sessions at their edges: refusals in sessionCookieFor, a remember cookie that cannot fit,
// a restored session whose user is gone, bad arguments to the manager, sessions issued by 0.1.
// Memory store, both engines.
import { test, type TestContext } from 'node:test'
import { buildApp } from '../helpers/app.js'
import { HashedUser } from '../helpers/users.js'
import { installClock, advance, isDeletion, putInSession, REMEMBER, sessionRoutes, setCookie } from '../helpers/remember.js'
import { sessionsApp } from '../helpers/tracked-sessions.js'

test('sessionCookieFor under maxPerUser with refuse throws a coded error once the user is at the limit', async (t: TestContext) => {
  const { app, users } = await sessionsApp(t, { maxPerUser: 1, onLimit: 'refuse' })
  await app.loginManager.sessionCookieFor(users.get('1') as never)
  await t.assert.rejects(app.loginManager.sessionCookieFor(users.get('1') as never), { code: 'FST_LOGIN_INVALID_USER' })
})

test('a remember cookie that cannot fit (a huge auth hash) refuses the login and leaves no tracked session', async (t: TestContext) => {
  const built = await sessionsApp(t)
  built.users.set('big', new HashedUser('big', 'Big', 'x'.repeat(5000)))
  const response = await built.request({ method: 'POST', url: '/login/big?remember=1' })
  t.assert.strictEqual(response.statusCode, 500)
  t.assert.strictEqual(response.json().code, 'FST_LOGIN_INVALID_USER')
  t.assert.deepStrictEqual(await built.entries('big'), [])
})

test('a remember cookie whose session\'s user is gone restores nobody and is deleted', async (t: TestContext) => {
  const { app, users, browser } = await sessionsApp(t)
  const a = browser()
  await a.request({ method: 'POST', url: '/login/2?remember=1' })
  users.delete('2')
  const response = await app.inject({ url: '/whoami', cookies: { [REMEMBER]: a.jar.get(REMEMBER) as string } })
  t.assert.strictEqual(response.json().anonymous, true)
  t.assert.ok(isDeletion(setCookie(response, REMEMBER)))
})

test('the manager\'s session methods answer nothing for ids and user ids of the wrong shape', async (t: TestContext) => {
  const { app, browser } = await sessionsApp(t)
  await browser().request({ method: 'POST', url: '/login/1' })
  for (const bad of [undefined, null, 42, '', ['1'], { id: '1' }] as unknown as string[]) {
    t.assert.deepStrictEqual(await app.loginManager.listSessions(bad), [])
    t.assert.strictEqual(await app.loginManager.revokeAllSessions(bad), 0)
    t.assert.strictEqual(await app.loginManager.revokeSession(bad), false)
  }
  t.assert.strictEqual((await app.loginManager.listSessions('1')).length, 1)
})

test('a login made before sessions were turned on is ended (it names no tracked session)', async (t: TestContext) => {
  const { request, entries } = await sessionsApp(t)
  await request({ method: 'POST', url: '/login/1' })
  await putInSession(request, '_sid', undefined)
  t.assert.strictEqual((await request('/whoami')).json().anonymous, true)
  t.assert.strictEqual((await entries('1')).length, 1, 'the entry is left to expire')
})

test('a session issued by 0.1 (_fresh: true) is fresh without a window and not fresh under one', async (t: TestContext) => {
  installClock(t)
  const { request } = await buildApp(t, {}, {
    routes: (app) => {
      sessionRoutes(app)
      app.get('/fresh', async (req) => ({ plain: req.loginFresh(), within: req.loginFresh(60) }))
    }
  })
  await request({ method: 'POST', url: '/login/1' })
  await putInSession(request, '_fresh', true)
  t.assert.deepStrictEqual((await request('/fresh')).json(), { plain: true, within: false })
})

test('a route without config.freshFor keeps the global window once another route declared one', async (t: TestContext) => {
  const clock = installClock(t)
  const { request } = await buildApp(t, { freshFor: 100 }, {
    routes: (app) => {
      app.get('/sudo', { config: { freshFor: 10 } }, async (req) => ({ fresh: req.loginFresh() }))
      app.get('/plain', async (req) => ({ fresh: req.loginFresh() }))
    }
  })
  await request({ method: 'POST', url: '/login/1' })
  advance(clock, 50)
  t.assert.deepStrictEqual((await request('/sudo')).json(), { fresh: false })
  t.assert.deepStrictEqual((await request('/plain')).json(), { fresh: true })
})

test('on @fastify/session, a login whose tracked session was revoked while it was made keeps no login in its stored session', async (t: TestContext) => {
  const { memorySessionStore } = await import('fastify-login')
  const inner = memorySessionStore()
  const store = {
    ...Object.fromEntries((['create', 'get', 'list', 'destroy', 'destroyAll'] as const).map((name) => [name, inner[name].bind(inner)])),
    // the entry is gone by the time the engine's id is recorded (a parallel login revoked it)
    update: async (id: string, changes: Record<string, unknown>) => changes.engineId === undefined ? inner.update(id, changes) : false
  }
  const { request } = await sessionsApp(t, { store })
  t.assert.deepStrictEqual((await request({ method: 'POST', url: '/login/1' })).json(), { ok: true })
  const { ENGINE } = await import('../helpers/app.js')
  t.assert.strictEqual((await request('/whoami')).json().anonymous, ENGINE === 'session')
})

test('two sessions seen at the same moment are both listed; revoking an id that is already gone is false', async (t: TestContext) => {
  installClock(t)
  const { app, browser } = await sessionsApp(t)
  const a = browser()
  await a.request({ method: 'POST', url: '/login/1' })
  await browser().request({ method: 'POST', url: '/login/1' })
  const listed = (await a.request('/devices')).json() as Array<{ id: string, current: boolean }>
  t.assert.strictEqual(listed.length, 2)
  const other = listed.find((entry) => !entry.current)?.id as string
  t.assert.strictEqual(await app.loginManager.revokeSession(other), true)
  t.assert.strictEqual(await app.loginManager.revokeSession(other), false)
})

test('strong session protection ends the tracked session of a login it takes for a hijack', async (t: TestContext) => {
  const { request, entries, app, jar } = await sessionsApp(t, {}, { sessionProtection: 'strong' })
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const remember = jar.get(REMEMBER) as string
  t.assert.strictEqual((await entries('1')).length, 1)
  const hijacked = await request({ url: '/whoami', headers: { 'user-agent': 'curl/8 (elsewhere)' } })
  t.assert.strictEqual(hijacked.json().anonymous, true)
  t.assert.deepStrictEqual(await entries('1'), [])
  // the remember cookie of that session is dead as well
  t.assert.strictEqual((await app.inject({ url: '/whoami', cookies: { [REMEMBER]: remember } })).json().anonymous, true)
})
