// The `flask` option: what it accepts, what it refuses, and what it cannot be combined with.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import fastifyLogin, { type FastifyLoginOptions } from 'fastify-login'
import { SECRET, SESSION_SECRET } from '../helpers/app.js'

const userLoader = (): null => null

async function register (t: TestContext, options: Record<string, unknown>, before?: (app: ReturnType<typeof Fastify>) => Promise<void>): Promise<unknown> {
  const app = Fastify()
  t.after(() => app.close())
  await before?.(app)
  try {
    await app.register(fastifyLogin, { userLoader, ...options } as unknown as FastifyLoginOptions)
    await app.ready()
    return null
  } catch (error) {
    return error
  }
}

test('malformed flask options are FST_LOGIN_INVALID_OPTION naming the option', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    ['the key', /"flask"/],
    [[], /"flask"/],
    [{}, /"flask.secretKey"/],
    [{ secretKey: '' }, /"flask.secretKey".*0 bytes/],
    [{ secretKey: [] }, /"flask.secretKey".*empty/],
    [{ secretKey: 'k', mode: 'both' }, /"flask.mode"/],
    [{ secretKey: 'k', cookieName: 'a b' }, /"flask.cookieName"/],
    [{ secretKey: 'k', permanentLifetime: 0 }, /"flask.permanentLifetime"/],
    [{ secretKey: 'k', permanentLifetime: 1.5 }, /"flask.permanentLifetime"/]
  ]
  for (const [flask, message] of cases) {
    const error = await register(t, { flask }) as { code: string, message: string }
    assert.equal(error?.code, 'FST_LOGIN_INVALID_OPTION', String(flask))
    assert.match(error.message, message)
  }
})

test('flask cannot be combined with `session`, nor (mode shared) with `sessions` or a session plugin', async (t) => {
  const withSession = await register(t, { flask: { secretKey: 'k', mode: 'import' }, session: {} }) as { code: string, message: string }
  assert.deepEqual([withSession.code, /`session`/.test(withSession.message)], ['FST_LOGIN_INVALID_OPTION', true])
  const withSessions = await register(t, { flask: { secretKey: 'k' }, sessions: true }) as { code: string, message: string }
  assert.deepEqual([withSessions.code, /`sessions`/.test(withSessions.message)], ['FST_LOGIN_INVALID_OPTION', true])
  assert.equal(await register(t, { flask: { secretKey: 'k', mode: 'import' }, sessions: true }), null)
  assert.equal(await register(t, { flask: { secretKey: 'k' }, sessions: false }), null)
  assert.equal(await register(t, { flask: null, secret: SECRET }), null)
  const withPlugin = await register(t, { flask: { secretKey: 'k' } }, async (app) => {
    await app.register(fastifyCookie)
    await app.register(fastifySession, { secret: SESSION_SECRET })
  }) as { code: string }
  assert.equal(withPlugin.code, 'FST_LOGIN_UNSUPPORTED_SESSION')
  const sameCookie = await register(t, { flask: { secretKey: 'k' }, rememberCookie: { name: 'session' } }) as { code: string }
  assert.equal(sameCookie.code, 'FST_LOGIN_INVALID_OPTION')
})

test('a short Flask SECRET_KEY is accepted with one warning; `secret` defaults to it and may be given apart', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } })
  const app = Fastify({ logger: { level: 'warn', stream } })
  t.after(() => app.close())
  await app.register(fastifyLogin, { userLoader, flask: { secretKey: 'short' } })
  await app.ready()
  assert.equal(lines.filter((line) => line.includes('flask.secretKey is shorter than 32 bytes')).length, 1)
  assert.equal(await register(t, { flask: { secretKey: SECRET }, secret: SECRET }), null)
  const error = await register(t, { flask: { secretKey: SECRET }, secret: 'short' }) as { code: string }
  assert.equal(error.code, 'FST_LOGIN_INVALID_SECRET')
})
