// SEC-29 on @fastify/session (issue 19): fastify-login's own calls into the engine's store — the
// session rotation of a login or a remember-cookie restore, the destruction of the stored session
// a restore replaces — end within sessions.timeout like its tracked-session calls: a store that
// stops answering fails them closed with the coded 503, it never holds the request. (The calls
// @fastify/session makes itself, for a request that carries a session cookie, are bounded by the
// store client's own timeouts: docs/session-engines-and-redis.md.) Memory tracked store; runs
// on @fastify/session whatever the suite's engine.
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type InjectOptions, type LightMyRequestResponse } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import fastifyLogin, { memorySessionStore } from 'fastify-login'
import { SECRET, SESSION_SECRET } from '../helpers/app.js'
import { makeUsers } from '../helpers/users.js'

/** @fastify/session's store contract on a Map; `silent`: no call ever answers. */
class SilentableStore {
  readonly sessions = new Map<string, unknown>()
  silent = false
  get (id: string, done: (error: Error | null, session?: unknown) => void): void { if (!this.silent) done(null, this.sessions.get(id)) }
  set (id: string, session: unknown, done: (error?: Error | null) => void): void { if (!this.silent) { this.sessions.set(id, session); done(null) } }
  destroy (id: string, done: (error?: Error | null) => void): void { if (!this.silent) { this.sessions.delete(id); done(null) } }
}

/** The answer, or 'no answer' after a generous deadline (a hang guard, not a timing assertion). */
async function answerOf (app: ReturnType<typeof Fastify>, options: InjectOptions): Promise<LightMyRequestResponse | 'no answer'> {
  const deadline = new AbortController()
  const answer = await Promise.race([app.inject(options), sleep(20_000, 'no answer' as const, { signal: deadline.signal }).catch(() => 'no answer' as const)])
  deadline.abort()
  return answer
}

test('a silent @fastify/session store fails a login and a remember restore closed (503), never holding them', async (t: TestContext) => {
  const users = makeUsers()
  const engineStore = new SilentableStore()
  const tracked = memorySessionStore()
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyCookie)
  await app.register(fastifySession, { secret: SESSION_SECRET, store: engineStore as never, cookie: { secure: false }, saveUninitialized: false })
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) ?? null, sessions: { store: tracked, timeout: 0.2 } })
  app.post('/login', async (request) => ({ ok: await request.loginUser(users.get('1') as never, { remember: true }) }))
  app.get('/me', async (request) => ({ anonymous: request.currentUser.isAnonymous }))
  await app.ready()

  const remembered = await app.inject({ method: 'POST', url: '/login' })
  const cookie = remembered.cookies.find((c) => c.name === 'remember_token')?.value as string
  t.assert.ok(cookie !== undefined)
  engineStore.silent = true

  const login = await answerOf(app, { method: 'POST', url: '/login' })
  t.assert.notStrictEqual(login, 'no answer', 'the login was answered')
  t.assert.deepStrictEqual([(login as LightMyRequestResponse).statusCode, (login as LightMyRequestResponse).json().code], [503, 'FST_LOGIN_STORE_UNAVAILABLE'])
  t.assert.strictEqual((await tracked.list('1')).length, 1, 'the failed login left no entry behind (only the first login\'s)')

  const restore = await answerOf(app, { url: '/me', cookies: { remember_token: cookie } })
  t.assert.notStrictEqual(restore, 'no answer', 'the restore was answered')
  t.assert.deepStrictEqual([(restore as LightMyRequestResponse).statusCode, (restore as LightMyRequestResponse).json().code], [503, 'FST_LOGIN_STORE_UNAVAILABLE'])
})
