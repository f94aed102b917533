// SEC-29 on @fastify/session (issue 19): fastify-login's own calls into the engine's store — the
// session rotation of a login or a remember-cookie restore, the destruction of the stored session
// a restore replaces — end within sessions.timeout like its tracked-session calls: a store that
// stops answering fails them closed with the coded 503, it never holds the request. (The calls
// @fastify/session makes itself, for a request that carries a session cookie, are bounded by the
// store client's own timeouts: docs/session-engines-and-redis.md.) Memory tracked store; runs
// on @fastify/session whatever the suite's engine.
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { appOnMapStore } from '../helpers/session-map-store.js'

/** The answer, or 'no answer' after a generous deadline (a hang guard, not a timing assertion). */
async function answerOf (app: FastifyInstance, options: InjectOptions): Promise<LightMyRequestResponse | 'no answer'> {
  const deadline = new AbortController()
  const answer = await Promise.race([app.inject(options), sleep(20_000, 'no answer' as const, { signal: deadline.signal }).catch(() => 'no answer' as const)])
  deadline.abort()
  return answer
}

test('a silent @fastify/session store fails a login and a remember restore closed (503), never holding them', async (t: TestContext) => {
  const { app, users, sessionStore: engineStore, tracked } = await appOnMapStore(t, { sessions: { timeout: 0.2 } })
  app.post('/login', async (request) => ({ ok: await request.loginUser(users.get('1') as never, { remember: true }) }))
  app.get('/me', async (request) => ({ anonymous: request.currentUser.isAnonymous }))
  await app.ready()

  const remembered = await app.inject({ method: 'POST', url: '/login' })
  const cookie = remembered.cookies.find((c) => c.name === 'remember_token')?.value as string
  t.assert.ok(cookie !== undefined)
  engineStore.fault = 'silent'

  const login = await answerOf(app, { method: 'POST', url: '/login' })
  t.assert.notStrictEqual(login, 'no answer', 'the login was answered')
  t.assert.deepStrictEqual([(login as LightMyRequestResponse).statusCode, (login as LightMyRequestResponse).json().code], [503, 'FST_LOGIN_STORE_UNAVAILABLE'])
  t.assert.strictEqual((await tracked.list('1')).length, 1, 'the failed login left no entry behind (only the first login\'s)')

  const restore = await answerOf(app, { url: '/me', cookies: { remember_token: cookie } })
  t.assert.notStrictEqual(restore, 'no answer', 'the restore was answered')
  t.assert.deepStrictEqual([(restore as LightMyRequestResponse).statusCode, (restore as LightMyRequestResponse).json().code], [503, 'FST_LOGIN_STORE_UNAVAILABLE'])
})
