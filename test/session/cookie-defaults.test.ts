// The session cookie of the @fastify/secure-session that fastify-login registers: Path=/, HttpOnly,
// SameSite=Lax and Secure over HTTPS, with or without options.session (issue 11, item 1); what
// options.session.cookie sets wins.
import { test, type TestContext } from 'node:test'
import Fastify from 'fastify'
import fastifyLogin, { type FastifyLoginOptions } from 'fastify-login'
import { SECRET } from '../helpers/app.js'
import { makeUsers } from '../helpers/users.js'

interface ParsedCookie { name: string, path?: string, httpOnly?: boolean, sameSite?: string, secure?: boolean }

async function loginCookie (t: TestContext, options: Partial<FastifyLoginOptions>, headers: Record<string, string> = {}): Promise<ParsedCookie | undefined> {
  const users = makeUsers()
  const app = Fastify({ trustProxy: true })
  t.after(() => app.close())
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) ?? null, ...options } as FastifyLoginOptions)
  app.post('/auth/login', async (request) => ({ ok: await request.loginUser(users.get('1') as never) }))
  const response = await app.inject({ method: 'POST', url: '/auth/login', headers })
  t.assert.deepStrictEqual(response.json(), { ok: true })
  return (response.cookies as ParsedCookie[]).find((cookie) => cookie.name === 'session')
}

function attributes (cookie: ParsedCookie | undefined): Omit<ParsedCookie, 'name'> {
  return { path: cookie?.path, httpOnly: cookie?.httpOnly, sameSite: cookie?.sameSite, secure: cookie?.secure }
}

const KEY = Buffer.alloc(32, 9)

test('with options.session = { key }, the session cookie is Path=/, HttpOnly, SameSite=Lax, not Secure over HTTP', async (t: TestContext) => {
  const cookie = await loginCookie(t, { session: { key: KEY } })
  t.assert.deepStrictEqual(attributes(cookie), { path: '/', httpOnly: true, sameSite: 'Lax', secure: undefined })
})

test('with options.session = { key }, the session cookie is Secure over HTTPS', async (t: TestContext) => {
  const cookie = await loginCookie(t, { session: { key: KEY } }, { 'x-forwarded-proto': 'https' })
  t.assert.deepStrictEqual(attributes(cookie), { path: '/', httpOnly: true, sameSite: 'Lax', secure: true })
})

test('without options.session, the same defaults apply (HTTP and HTTPS)', async (t: TestContext) => {
  t.assert.deepStrictEqual(attributes(await loginCookie(t, {})), { path: '/', httpOnly: true, sameSite: 'Lax', secure: undefined })
  t.assert.deepStrictEqual(attributes(await loginCookie(t, {}, { 'x-forwarded-proto': 'https' })),
    { path: '/', httpOnly: true, sameSite: 'Lax', secure: true })
})

test('what options.session.cookie sets wins over each default; the others stay', async (t: TestContext) => {
  const strict = await loginCookie(t, { session: { key: KEY, cookie: { sameSite: 'strict', path: '/auth' } } })
  t.assert.deepStrictEqual(attributes(strict), { path: '/auth', httpOnly: true, sameSite: 'Strict', secure: undefined })
  const secure = await loginCookie(t, { session: { key: KEY, cookie: { secure: true, httpOnly: false } } })
  t.assert.deepStrictEqual(attributes(secure), { path: '/', httpOnly: undefined, sameSite: 'Lax', secure: true })
})

test('secure-session\'s other name for the cookie options, cookieOptions, overrides the defaults the same way', async (t: TestContext) => {
  const cookie = await loginCookie(t, { session: { key: KEY, cookieOptions: { path: '/auth' } } as never })
  t.assert.deepStrictEqual(attributes(cookie), { path: '/auth', httpOnly: true, sameSite: 'Lax', secure: undefined })
})

test('the application\'s options.session object is not changed', async (t: TestContext) => {
  const session = { key: KEY, cookie: { sameSite: 'strict' as const } }
  await loginCookie(t, { session })
  t.assert.deepStrictEqual(session, { key: KEY, cookie: { sameSite: 'strict' } })
})

test('the session cookie keeps base64\'s + / = as they are (only the ; separator is escaped) and logs the user in', async (t: TestContext) => {
  const users = makeUsers()
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) ?? null })
  app.post('/login', async (request) => ({ ok: await request.loginUser(users.get('1') as never) }))
  app.get('/me', async (request) => ({ anonymous: request.currentUser.isAnonymous }))
  for (let i = 0; i < 10; i++) {
    const login = await app.inject({ method: 'POST', url: '/login' })
    const header = ([] as string[]).concat(login.headers['set-cookie'] as string | string[]).find((line) => line.startsWith('session='))
    const pair = header?.split(';')[0] as string
    t.assert.match(pair, /^session=[A-Za-z0-9+/=]+%3B[A-Za-z0-9+/=]+$/)
    t.assert.ok(pair.length - 'session='.length <= 180, `${pair.length - 8} bytes`)
    t.assert.deepStrictEqual((await app.inject({ url: '/me', headers: { cookie: pair } })).json(), { anonymous: false })
  }
})

test('options.session.cookie.encode wins over fastify-login\'s encoding', async (t: TestContext) => {
  const users = makeUsers()
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) ?? null, session: { key: KEY, cookie: { encode: encodeURIComponent } } })
  app.post('/login', async (request) => ({ ok: await request.loginUser(users.get('1') as never) }))
  const login = await app.inject({ method: 'POST', url: '/login' })
  const header = ([] as string[]).concat(login.headers['set-cookie'] as string | string[]).find((line) => line.startsWith('session='))
  t.assert.doesNotMatch(header as string, /^session=[^;]*[+/=][^;]*;/)
})
