// One user with very many sessions (issue 19, item 5): a default cap of 100 per user, and
// listSessions answers at most 1 000 (the most recently seen). Memory store, both engines.
import { test, type TestContext } from 'node:test'
import { memorySessionStore, type NewStoredSession } from 'fastify-login'
import { sessionsApp } from '../helpers/tracked-sessions.js'

function entryOf (userId: string, seen: number): NewStoredSession {
  return {
    userId,
    createdAt: seen,
    lastSeenAt: seen,
    ip: '',
    userAgent: '',
    rememberHash: null,
    previousRememberHash: null,
    rotatedAt: null,
    engineId: null,
    expiresAt: Date.now() + 3_600_000
  }
}

test('by default one user keeps at most 100 sessions: the 101st login ends the least recently seen', async (t: TestContext) => {
  const { browser, entries } = await sessionsApp(t)
  const first = browser()
  await first.request({ method: 'POST', url: '/login/1' })
  for (let i = 0; i < 100; i++) await browser().request({ method: 'POST', url: '/login/1' })
  t.assert.strictEqual((await entries('1')).length, 100)
  t.assert.strictEqual((await first.request('/whoami')).json().anonymous, true)
})

test('listSessions answers at most 1 000 sessions, the most recently seen, even without a limit', async (t: TestContext) => {
  const store = memorySessionStore()
  const { app } = await sessionsApp(t, { store, maxPerUser: null })
  const now = Date.now()
  for (let i = 0; i < 1005; i++) await store.create(entryOf('1', now - i), { maxPerUser: null, onLimit: 'revoke-oldest', replaces: null })
  const listed = await app.loginManager.listSessions('1')
  t.assert.strictEqual(listed.length, 1000)
  t.assert.strictEqual(listed[0]?.lastSeenAt.getTime(), now)
  t.assert.strictEqual(listed.at(-1)?.lastSeenAt.getTime(), now - 999)
})
