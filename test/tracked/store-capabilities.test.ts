// An application's SessionStore that declares no capability (issue 19, items 11 and 4): it is
// given exactly what it was before them (no `origin` in the limit, no `authDigest` in the entry),
// and the plugin behaves with it as before: a login form submitted twice leaves two tracked
// sessions, and sessions made before a password change are listed and count against maxPerUser
// until they expire or are revoked. Memory store behind the six methods, on the suite's engine.
import { test, type TestContext } from 'node:test'
import { memorySessionStore, type NewStoredSession, type SessionLimit, type SessionStore } from 'fastify-login'
import { ENGINE } from '../helpers/app.js'
import { client } from '../helpers/cookie-jar.js'
import { doubleLoginApp } from '../helpers/double-login.js'
import { staleApp, type PasswordUser } from '../helpers/stale-entries.js'

/** The memory store's six methods only, recording what `create` is given. */
function applicationStore (): { store: SessionStore, given: Array<[NewStoredSession, SessionLimit]> } {
  const base = memorySessionStore()
  const given: Array<[NewStoredSession, SessionLimit]> = []
  const store: SessionStore = {
    create: (session, limit) => { given.push([session, limit]); return base.create(session, limit) },
    get: (id) => base.get(id),
    update: (id, changes, expected) => base.update(id, changes, expected),
    list: (userId) => base.list(userId),
    destroy: (id) => base.destroy(id),
    destroyAll: (userId, exceptId) => base.destroyAll(userId, exceptId)
  }
  return { store, given }
}

test('a store without capabilities: a login posted twice leaves two tracked sessions, as before; it is given no origin and no authDigest', async (t: TestContext) => {
  const { store, given } = applicationStore()
  const setup = await doubleLoginApp(t, ENGINE, store)
  const browser = client(setup.app)
  await browser.request({ method: 'POST', url: '/visit' })
  const cookie = browser.jar.header()
  const answers = await Promise.all([1, 2].map(() => setup.app.inject({ method: 'POST', url: '/login/twice?remember=1', headers: { cookie } })))
  t.assert.deepStrictEqual(answers.map((answer) => answer.json()), [{ ok: true }, { ok: true }])
  t.assert.strictEqual((await store.list('twice')).length, 2, 'two entries, one of them orphaned')
  for (const answer of answers) {
    const kept = client(setup.app)
    kept.jar.take(answer)
    t.assert.strictEqual((await kept.request('/me')).json().user, 'twice')
    t.assert.deepStrictEqual((await kept.request('/devices')).json().sort(), [false, true])
  }
  t.assert.strictEqual(given.length, 2)
  for (const [session, limit] of given) {
    t.assert.deepStrictEqual(Object.keys(limit).sort(), ['maxPerUser', 'onLimit', 'replaces'])
    t.assert.ok(!('authDigest' in session), 'no authDigest in the entry')
  }
})

test('a store without capabilities: sessions made before a password change are listed and counted (refuse locks the user out), as before', async (t: TestContext) => {
  const { store } = applicationStore()
  const setup = await staleApp(t, ENGINE, store, 'refuse')
  for (let i = 0; i < 3; i++) t.assert.deepStrictEqual((await setup.browser().request({ method: 'POST', url: '/login/locked' })).json(), { ok: true })
  const user = setup.users.get('locked') as PasswordUser
  user.password = 'second password'
  t.assert.deepStrictEqual((await setup.browser().request({ method: 'POST', url: '/login/locked' })).json(), { ok: false }, 'the stale sessions count')
  t.assert.strictEqual((await setup.app.loginManager.listSessions(user)).length, 3, 'and are listed')
  t.assert.strictEqual((await store.list('locked')).length, 3)
  t.assert.deepStrictEqual(setup.ended, [])
})
