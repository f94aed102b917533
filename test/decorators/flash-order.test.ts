import { test, type TestContext } from 'node:test'
import Fastify from 'fastify'
import fastifyFlash from '@fastify/flash'
import fastifySecureSession from '@fastify/secure-session'
import fastifyLogin from 'fastify-login'
import { SECRET } from '../helpers/app.js'
import { BROWSER_ACCEPT, LOGIN_MESSAGE } from '../helpers/flows.js'

const userLoader = (): null => null

// docs/plugins.md, @fastify/flash: the order that works, and what the other order says
test('@fastify/flash before fastify-login (no session plugin yet): Fastify refuses it, naming the missing session', async (t: TestContext) => {
  const app = Fastify()
  t.after(() => app.close())
  await t.assert.rejects(async () => {
    await app.register(fastifyFlash)
    await app.register(fastifyLogin, { secret: SECRET, userLoader })
  }, (error: Error & { code?: string }) => {
    t.assert.strictEqual(error.code, 'FST_ERR_PLUGIN_NOT_PRESENT_IN_INSTANCE')
    t.assert.match(error.message, /'session' required by '@fastify\/flash'/)
    return true
  })
})

test('@fastify/flash after fastify-login, or after the application\'s own session plugin, flashes the login message', async (t: TestContext) => {
  for (const order of ['after fastify-login', 'after the session plugin, before fastify-login'] as const) {
    const app = Fastify()
    t.after(() => app.close())
    if (order === 'after fastify-login') {
      await app.register(fastifyLogin, { secret: SECRET, userLoader, loginView: '/login' })
      await app.register(fastifyFlash)
    } else {
      await app.register(fastifySecureSession, { key: Buffer.alloc(32, 7), cookie: { path: '/' } })
      await app.register(fastifyFlash)
      await app.register(fastifyLogin, { secret: SECRET, userLoader, loginView: '/login' })
    }
    app.get('/secret', { preHandler: app.loginRequired }, async () => 'secret')
    app.get('/login', async (_request, reply) => reply.flash('message'))
    const redirected = await app.inject({ url: '/secret', headers: { accept: BROWSER_ACCEPT } })
    t.assert.strictEqual(redirected.statusCode, 302, order)
    const cookie = (redirected.cookies as Array<{ name: string, value: string }>).find((c) => c.name === 'session')
    t.assert.ok(cookie !== undefined, order)
    const page = await app.inject({ url: '/login', headers: { cookie: `session=${encodeURIComponent(cookie.value)}` } })
    t.assert.deepStrictEqual(page.json(), [LOGIN_MESSAGE], order)
  }
})
