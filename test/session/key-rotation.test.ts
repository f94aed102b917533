// Rotating `secret` keeps @fastify/secure-session users logged in (issue 11, item 14): when
// fastify-login registers secure-session without a key of the application's, it derives one key
// per secret; the first encrypts, all decrypt.
import { test, type TestContext } from 'node:test'
import Fastify from 'fastify'
import fastifyLogin, { type FastifyLoginOptions } from 'fastify-login'
import { makeUsers } from '../helpers/users.js'

const A = 'secret-A-that-is-at-least-32-bytes-long'
const B = Buffer.alloc(32, 0xb)
const C = 'secret-C-that-is-at-least-32-bytes-long'

/** A server with `secret` (an earlier or later deployment of the same application). */
async function server (t: TestContext, secret: NonNullable<FastifyLoginOptions['secret']>, session?: FastifyLoginOptions['session']) {
  const users = makeUsers()
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyLogin, { secret, userLoader: (id) => users.get(id) ?? null, ...(session !== undefined ? { session } : {}) })
  app.post('/login', async (request) => ({ ok: await request.loginUser(users.get('1') as never) }))
  app.get('/whoami', async (request) => ({ name: request.currentUser.isAnonymous ? 'Anonymous' : (request.currentUser as unknown as { name: string }).name }))
  await app.ready()
  return {
    async login (): Promise<string> {
      const response = await app.inject({ method: 'POST', url: '/login' })
      return sessionCookie(response)
    },
    async whoami (cookie: string) {
      const response = await app.inject({ url: '/whoami', headers: { cookie } })
      return { name: response.json().name as string, cookie: sessionCookie(response) }
    }
  }
}

function sessionCookie (response: import('fastify').LightMyRequestResponse): string {
  const cookie = (response.cookies as Array<{ name: string, value: string }>).find((c) => c.name === 'session')
  return cookie === undefined ? '' : `session=${encodeURIComponent(cookie.value)}`
}

test('a session issued with secret A still logs in after a restart with [B, A], and is re-encrypted with B\'s key', async (t: TestContext) => {
  const cookieA = await (await server(t, A)).login()
  const rotated = await server(t, [B, A])
  const seen = await rotated.whoami(cookieA)
  t.assert.strictEqual(seen.name, 'Notch')
  t.assert.notStrictEqual(seen.cookie, '', 'secure-session re-issues a cookie decrypted with an older key')
  t.assert.strictEqual((await (await server(t, B)).whoami(seen.cookie)).name, 'Notch', 'the re-issued cookie uses B\'s key')
})

test('new sessions after the rotation use B\'s key: a server with only [B] reads them, one with only [A] does not', async (t: TestContext) => {
  const cookieB = await (await server(t, [B, A])).login()
  t.assert.strictEqual((await (await server(t, B)).whoami(cookieB)).name, 'Notch')
  t.assert.strictEqual((await (await server(t, A)).whoami(cookieB)).name, 'Anonymous')
})

test('a secret removed from the list no longer opens its sessions', async (t: TestContext) => {
  const cookieA = await (await server(t, A)).login()
  t.assert.strictEqual((await (await server(t, [B, C])).whoami(cookieA)).name, 'Anonymous')
})

test('options.session without a key of its own gets the derived keys too; with a key, that key is used', async (t: TestContext) => {
  const cookieA = await (await server(t, A)).login()
  t.assert.strictEqual((await (await server(t, [B, A], { cookie: { sameSite: 'strict' } })).whoami(cookieA)).name, 'Notch')
  const own = Buffer.alloc(32, 0xc)
  const cookieOwn = await (await server(t, A, { key: own })).login()
  t.assert.strictEqual((await (await server(t, A)).whoami(cookieOwn)).name, 'Anonymous')
  t.assert.strictEqual((await (await server(t, B, { key: own })).whoami(cookieOwn)).name, 'Notch')
})

test('options.session with a secret (and salt) of secure-session\'s own: that one is used, not fastify-login\'s keys', async (t: TestContext) => {
  // (one server only: secure-session derives its key from `secret` with a slow password hash)
  const cookie = await (await server(t, A, { secret: 'a-secure-session-password-of-32-bytes!', salt: 'sixteen-byte-slt' })).login()
  t.assert.notStrictEqual(cookie, '')
  t.assert.strictEqual((await (await server(t, A)).whoami(cookie)).name, 'Anonymous')
})
