import { test, type TestContext } from 'node:test'
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import fastifyLogin, { UserMixin } from 'fastify-login'
import { SECRET, SESSION_SECRET } from '../helpers/app.js'

class User extends UserMixin {
  constructor (readonly id: string) { super() }
}

async function build (t: TestContext, prefix: string | undefined) {
  const user = new User('1')
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyCookie)
  await app.register(fastifySession, { secret: SESSION_SECRET, cookiePrefix: 's:', cookie: { secure: false }, saveUninitialized: false })
  await app.register(fastifyLogin, {
    secret: SECRET,
    userLoader: (id) => id === '1' ? user : null,
    ...(prefix !== undefined ? { sessionCookiePrefix: prefix } : {})
  })
  app.get('/me', async (request) => ({ anonymous: request.currentUser.isAnonymous }))
  return { app, user }
}

test('sessionCookieFor adds @fastify/session\'s cookiePrefix given as sessionCookiePrefix', async (t: TestContext) => {
  const { app, user } = await build(t, 's:')
  const cookie = await app.loginManager.sessionCookieFor(user)
  t.assert.match(cookie, /^sessionId=s%3A/)
  const response = await app.inject({ url: '/me', headers: { cookie } })
  t.assert.deepStrictEqual(response.json(), { anonymous: false })
})

test('without sessionCookiePrefix a prefixed @fastify/session does not read the cookie', async (t: TestContext) => {
  const { app, user } = await build(t, undefined)
  const cookie = await app.loginManager.sessionCookieFor(user)
  const response = await app.inject({ url: '/me', headers: { cookie } })
  t.assert.deepStrictEqual(response.json(), { anonymous: true })
})

test('a sessionCookiePrefix with a ";" is refused at registration', async (t: TestContext) => {
  const app = Fastify()
  t.after(() => app.close())
  await t.assert.rejects(async () => { await app.register(fastifyLogin, { secret: SECRET, userLoader: () => null, sessionCookiePrefix: 'a;b' }) }, {
    code: 'FST_LOGIN_INVALID_OPTION',
    message: /sessionCookiePrefix/
  })
})
