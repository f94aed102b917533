// Remember durations are bounded by 400 days (34 560 000 s, the cap browsers put on cookie
// lifetimes), so that every accepted value can be sent as a cookie (issue 11, item 6).
import { test, type TestContext } from 'node:test'
import Fastify from 'fastify'
import fastifyLogin from 'fastify-login'
import { buildApp, SECRET, SESSION_COOKIE } from '../helpers/app.js'
import { REMEMBER, setCookie } from '../helpers/remember.js'

const MAX = 400 * 24 * 60 * 60
const TOO_LONG = [MAX + 1, 1e13, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE]

test('a rememberCookie.duration over 400 days is refused at registration, the bound in the message', async (t: TestContext) => {
  for (const duration of TOO_LONG) {
    const app = Fastify()
    t.after(() => app.close())
    await t.assert.rejects(async () => {
      await app.register(fastifyLogin, { secret: SECRET, userLoader: () => null, rememberCookie: { duration } })
    }, (error: Error & { code?: string }) => {
      t.assert.strictEqual(error.code, 'FST_LOGIN_INVALID_OPTION', String(duration))
      t.assert.match(error.message, /rememberCookie\.duration/)
      t.assert.match(error.message, /34560000/)
      t.assert.match(error.message, /400 days/)
      return true
    }, String(duration))
  }
})

test('a rememberCookie.duration of exactly 400 days is accepted and sent as the cookie\'s Max-Age', async (t: TestContext) => {
  const { request } = await buildApp(t, { rememberCookie: { duration: MAX } })
  const cookie = setCookie(await request({ method: 'POST', url: '/login/1?remember=1' }), REMEMBER)
  t.assert.strictEqual(cookie?.maxAge, MAX)
})

/** An app whose POST /try/:id?duration=N answers what loginUser did: { ok } or the error's { code, message, type }. */
async function tryApp (t: TestContext) {
  return await buildApp(t, {}, {
    routes: (app, users) => {
      app.post<{ Params: { id: string }, Querystring: { duration: string } }>('/try/:id', async (request) => {
        try {
          return { ok: await request.loginUser(users.get(request.params.id) as never, { remember: true, duration: Number(request.query.duration) }) }
        } catch (error) {
          const { code, message } = error as Error & { code: string }
          return { code, message, type: error instanceof TypeError }
        }
      })
    }
  })
}

test('loginUser({ duration }) over 400 days rejects with FST_LOGIN_INVALID_DURATION and sets no cookie', async (t: TestContext) => {
  const { request, jar } = await tryApp(t)
  for (const duration of TOO_LONG) {
    const response = await request({ method: 'POST', url: `/try/1?duration=${duration}` })
    t.assert.strictEqual(response.statusCode, 200, String(duration))
    const body = response.json()
    t.assert.strictEqual(body.code, 'FST_LOGIN_INVALID_DURATION', String(duration))
    t.assert.strictEqual(body.type, true)
    t.assert.match(body.message, /34560000 \(400 days\)/)
    t.assert.deepStrictEqual(response.cookies, [], String(duration))
  }
  t.assert.deepStrictEqual(jar.names(), [])
  t.assert.deepStrictEqual((await request('/whoami')).json().anonymous, true)
})

test('loginUser({ duration: 400 days }) logs in and sends a remember cookie with that Max-Age', async (t: TestContext) => {
  const { request } = await tryApp(t)
  const response = await request({ method: 'POST', url: `/try/1?duration=${MAX}` })
  t.assert.deepStrictEqual(response.json(), { ok: true })
  t.assert.strictEqual(setCookie(response, REMEMBER)?.maxAge, MAX)
  t.assert.notStrictEqual(setCookie(response, SESSION_COOKIE), undefined)
})
