// Issue 11, item 13: a loader that returns something that is not a user is the application's
// mistake: a coded error (logged, a 500), never a silent login. Both engines.
import { test, type TestContext } from 'node:test'
import { buildApp } from '../helpers/app.js'
import { REMEMBER } from '../helpers/remember.js'

const NOT_USERS: Array<[string, unknown]> = [['a string', 'alice'], ['true', true], ['0', 0], ['{}', {}], ['an array', []]]

for (const [label, value] of NOT_USERS) {
  test(`userLoader returning ${label} is a 500 with FST_LOGIN_NOT_A_USER, not a login`, async (t: TestContext) => {
    let answer: unknown = null
    const { app, request } = await buildApp(t, { userLoader: ((id: string) => answer ?? (id === '1' ? undefined : null)) as never })
    // log in through the route (the loader is not consulted for that), then make it misbehave
    await request({ method: 'POST', url: '/login/1' })
    answer = value
    const response = await request('/whoami')
    t.assert.strictEqual(response.statusCode, 500)
    t.assert.strictEqual(response.json().code, 'FST_LOGIN_NOT_A_USER')
    t.assert.match(response.json().message, /userLoader returned/)
    await app.close()
  })
}

test('an async userLoader resolving to a non-user is refused for a session login and for a remember-cookie restore', async (t: TestContext) => {
  const { request, jar } = await buildApp(t, { userLoader: async () => 'alice' as never })
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const response = await request('/whoami')
  t.assert.strictEqual(response.statusCode, 500)
  t.assert.strictEqual(response.json().code, 'FST_LOGIN_NOT_A_USER')
  jar.closeBrowser()
  t.assert.ok(jar.get(REMEMBER) !== undefined)
  const restored = await request('/whoami')
  t.assert.strictEqual(restored.statusCode, 500)
  t.assert.strictEqual(restored.json().code, 'FST_LOGIN_NOT_A_USER')
})

for (const loader of ['requestLoader', 'headerLoader'] as const) {
  test(`${loader} returning a string is a 500 with FST_LOGIN_NOT_A_USER`, async (t: TestContext) => {
    const { request } = await buildApp(t, { [loader]: () => 'alice' })
    const response = await request({ url: '/whoami', headers: { authorization: 'Bearer x' } })
    t.assert.strictEqual(response.statusCode, 500)
    t.assert.strictEqual(response.json().code, 'FST_LOGIN_NOT_A_USER')
    t.assert.match(response.json().message, new RegExp(`${loader} returned a string`))
  })
}
