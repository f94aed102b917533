import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { buildApp } from './helpers/app.js'

test('an async userLoader is awaited: the session login loads the user it resolves to', async (t: TestContext) => {
  const { users, request } = await buildApp(t, {
    userLoader: async (id) => { await sleep(5); return users.get(id) ?? null }
  })
  await request({ method: 'POST', url: '/login/2' })
  t.assert.strictEqual((await request('/secret')).json().name, 'Steve')
})

test('an async userLoader that resolves to null ends the login', async (t: TestContext) => {
  let gone = false
  const { users, request } = await buildApp(t, {
    userLoader: async (id) => gone ? null : users.get(id)
  })
  await request({ method: 'POST', url: '/login/2' })
  gone = true
  t.assert.strictEqual((await request('/secret')).statusCode, 401)
})

test('an async userLoader that rejects gives a 500 with the error logged', async (t: TestContext) => {
  const logged: string[] = []
  const { request } = await buildApp(t, {
    userLoader: async () => { throw new Error('replica unreachable') }
  }, { server: { logger: { level: 'error', stream: { write: (line: string) => { logged.push(line) } } } } })
  await request({ method: 'POST', url: '/login/1' })
  t.assert.strictEqual((await request('/whoami')).statusCode, 500)
  t.assert.ok(logged.some((line) => line.includes('replica unreachable')))
})
