// Numeric user ids (issue 19, item 10): the administrator's listSessions and revokeAllSessions
// take the id as the idAttribute method returns it, a number as well as a string. Both engines.
import { test, type TestContext } from 'node:test'
import { UserMixin } from 'fastify-login'
import { buildApp } from '../helpers/app.js'
import { client } from '../helpers/cookie-jar.js'

class NumberedUser extends UserMixin {
  constructor (readonly id: number) {
    super()
  }

  // an application's getId() that returns its database's number
  override getId (): string {
    return this.id as unknown as string
  }
}

test('loginManager.listSessions and revokeAllSessions find a numeric id given as a number or a string', async (t: TestContext) => {
  const users = new Map([[7, new NumberedUser(7)]])
  const { app } = await buildApp(t, { sessions: true, userLoader: (id) => users.get(Number(id)) ?? null }, {
    routes: (app) => {
      app.post('/login-numbered', async (request) => ({ ok: await request.loginUser(users.get(7) as never) }))
    }
  })
  const browsers = [client(app), client(app)]
  for (const browser of browsers) await browser.request({ method: 'POST', url: '/login-numbered' })
  t.assert.strictEqual((await app.loginManager.listSessions(7)).length, 2)
  t.assert.strictEqual((await app.loginManager.listSessions('7')).length, 2)
  for (const nothing of [Number.NaN, Number.POSITIVE_INFINITY, '', {}, null]) {
    t.assert.deepStrictEqual(await app.loginManager.listSessions(nothing as never), [])
    t.assert.strictEqual(await app.loginManager.revokeAllSessions(nothing as never), 0)
  }
  t.assert.strictEqual(await app.loginManager.revokeAllSessions(7), 2)
  for (const browser of browsers) t.assert.strictEqual((await browser.request('/whoami')).json().anonymous, true)
})
