// The remember-token rotation judged by the store (issue 19, item 7): the memory store's `rotate`
// on its own clock; an application's SessionStore without the optional `rotate`, where the plugin
// rotates with update's compare-and-set and judges the grace by its own clock, as before (the
// memory store behind a wrapper that hides `rotate`). Fake clock, both engines.
import { test, type TestContext } from 'node:test'
import { memorySessionStore, type SessionStore } from 'fastify-login'
import { advance, installClock, REMEMBER, setCookie } from '../helpers/remember.js'
import { sessionsApp } from '../helpers/tracked-sessions.js'

/** The memory store's six required methods only. */
function withoutRotate (store: SessionStore): SessionStore {
  return {
    create: (session, limit) => store.create(session, limit),
    get: (id) => store.get(id),
    update: (id, changes, expected) => store.update(id, changes, expected),
    list: (userId) => store.list(userId),
    destroy: (id) => store.destroy(id),
    destroyAll: (userId, exceptId) => store.destroyAll(userId, exceptId)
  }
}

test('a store without rotate: a restore rotates, the previous token is in its grace, then theft; an upgrade only judges', async (t: TestContext) => {
  const clock = installClock(t)
  const { app, browser } = await sessionsApp(t, { store: withoutRotate(memorySessionStore()) }, { rememberCookie: { rotationGrace: 10 } })
  const thefts: string[] = []
  app.loginManager.on('rememberTheft', (_request, user) => thefts.push((user as unknown as { name: string }).name))
  const owner = browser()
  await owner.request({ method: 'POST', url: '/login/1?remember=1' })
  const cookie = owner.jar.get(REMEMBER) as string
  const other = browser()
  await other.request({ method: 'POST', url: '/login/2?remember=1' })
  const otherCookie = other.jar.get(REMEMBER) as string
  t.assert.strictEqual((await app.inject({ url: '/whoami', cookies: { [REMEMBER]: otherCookie } })).json().name, 'Steve')
  const upgrade = await app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie }, headers: { upgrade: 'websocket' } })
  t.assert.deepStrictEqual([upgrade.json().name, setCookie(upgrade, REMEMBER)], ['Notch', undefined], 'an upgrade is judged, nothing rotates')
  const restored = await app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie } })
  t.assert.strictEqual(restored.json().name, 'Notch')
  const next = setCookie(restored, REMEMBER)?.value as string
  t.assert.ok(next !== undefined && next !== cookie, 'rotated')
  advance(clock, 9)
  for (const headers of [{}, { upgrade: 'websocket' }]) {
    const tab = await app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie }, headers })
    t.assert.deepStrictEqual([tab.json().name, setCookie(tab, REMEMBER)], ['Notch', undefined], 'the previous token inside the grace')
  }
  advance(clock, 2)
  t.assert.strictEqual((await app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie } })).json().anonymous, true)
  const late = await app.inject({ url: '/whoami', cookies: { [REMEMBER]: otherCookie }, headers: { upgrade: 'websocket' } })
  t.assert.strictEqual(late.json().anonymous, true, 'an upgrade with a previous token past the grace is theft too')
  t.assert.deepStrictEqual(thefts, ['Notch', 'Steve'])
  t.assert.strictEqual((await app.inject({ url: '/whoami', cookies: { [REMEMBER]: next } })).json().anonymous, true, 'theft ended the session')
})

test('the store judges an upgrade: the previous token inside the grace logs in for that request, past it is theft', async (t: TestContext) => {
  const clock = installClock(t)
  const { app, browser } = await sessionsApp(t, {}, { rememberCookie: { rotationGrace: 10 } })
  const owner = browser()
  await owner.request({ method: 'POST', url: '/login/1?remember=1' })
  const cookie = owner.jar.get(REMEMBER) as string
  t.assert.strictEqual((await app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie } })).json().name, 'Notch')
  const upgrade = { upgrade: 'websocket' }
  advance(clock, 10)
  t.assert.strictEqual((await app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie }, headers: upgrade })).json().name, 'Notch')
  advance(clock, 1)
  t.assert.strictEqual((await app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie }, headers: upgrade })).json().anonymous, true)
})
