// A request pays only for the features it uses (issue 22): the shortcuts taken when nothing is to
// be looked up or written must answer exactly as the full path does.
import { test, type TestContext } from 'node:test'
import type { FastifyLoginOptions } from 'fastify-login'
import { buildApp, recordEvents } from '../helpers/app.js'
import type { User } from '../helpers/users.js'

/** `?user_id=` names the user, answered at once or (async) with a promise. */
function queryLoader (users: () => Map<string, User>, async: boolean): FastifyLoginOptions['requestLoader'] {
  return (request) => {
    const id = (request.query as Record<string, string | undefined>).user_id
    const user = id === undefined ? null : users().get(id) ?? null
    return async ? Promise.resolve(user) : user
  }
}

test('requestLoader alone: the same answers, caching headers and cookies with and without an event listener', async (t: TestContext) => {
  for (const async of [false, true]) {
    for (const listen of [false, true]) {
      let users = new Map<string, User>()
      const built = await buildApp(t, { userLoader: undefined, requestLoader: queryLoader(() => users, async) })
      users = built.users
      const events = listen ? recordEvents(built.app) : null
      const found = await built.request('/secret?user_id=2')
      t.assert.deepStrictEqual(found.json(), { name: 'Steve', fresh: false, remembered: false, anonymous: false })
      const nobody = await built.request('/secret?user_id=404')
      t.assert.strictEqual(nobody.statusCode, 401)
      for (const response of [found, nobody]) {
        t.assert.strictEqual(response.headers['set-cookie'], undefined)
        t.assert.strictEqual(response.headers.vary, undefined)
        t.assert.strictEqual(response.headers['cache-control'], undefined)
      }
      if (events !== null) {
        t.assert.deepStrictEqual(events, [['accessed', undefined], ['loadedFromRequest', 'Steve'], ['accessed', undefined], ['unauthorized', undefined]])
      }
    }
  }
})

test('requestLoader alone: what is not a user, a throw and a rejection each give a 500, the next request is served', async (t: TestContext) => {
  const loaders: Array<FastifyLoginOptions['requestLoader']> = [
    () => ({ name: 'not a user' }) as never,
    async () => ({ name: 'not a user' }) as never,
    () => { throw new Error('api key store down') },
    async () => { throw new Error('api key store down') }
  ]
  for (const requestLoader of loaders) {
    let calls = 0
    const { request } = await buildApp(t, {
      requestLoader: (req) => (++calls === 1 ? (requestLoader as (r: unknown) => unknown)(req) : null) as never
    })
    t.assert.strictEqual((await request('/whoami')).statusCode, 500)
    t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
  }
})

test('headerLoader alone is not asked for requests without its header, which stay anonymous with no caching headers', async (t: TestContext) => {
  const asked: string[] = []
  let users = new Map<string, User>()
  const built = await buildApp(t, { userLoader: undefined, headerLoader: (value) => { asked.push(value); return users.get(value) ?? null } })
  users = built.users
  const anonymous = await built.request('/whoami')
  t.assert.strictEqual(anonymous.json().name, 'Anonymous')
  t.assert.strictEqual(anonymous.headers.vary, undefined)
  t.assert.deepStrictEqual(asked, [])
  const found = await built.request({ url: '/whoami', headers: { authorization: '2' } })
  t.assert.strictEqual(found.json().name, 'Steve')
  t.assert.strictEqual(found.headers.vary, 'Authorization')
  t.assert.deepStrictEqual(asked, ['2'])
})

test('an anonymous response that another plugin sets a cookie on still gets Cache-Control: no-store', async (t: TestContext) => {
  const { request } = await buildApp(t, {}, {
    routes: (app) => {
      app.get('/tracking', async (_request, reply) => reply.header('set-cookie', 'seen=1; Path=/').send({ ok: true }))
    }
  })
  const withCookie = await request('/tracking')
  t.assert.strictEqual(withCookie.headers['cache-control'], 'no-store')
  t.assert.strictEqual(withCookie.headers.vary, undefined)
  const plain = await request('/whoami')
  t.assert.strictEqual(plain.headers['cache-control'], undefined)
  t.assert.strictEqual(plain.headers.vary, undefined)
})
