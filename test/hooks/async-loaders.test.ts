import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { buildApp, recordEvents } from '../helpers/app.js'

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

/** An app whose requestLoader reads `?user_id=` and headerLoader `Bearer <id>`, both resolving later. */
async function asyncRequestApp (t: TestContext, headerLoader: 'resolves' | 'rejects' = 'resolves') {
  const logged: string[] = []
  const built = await buildApp(t, {
    requestLoader: async (request) => {
      await sleep(1)
      const id = (request.query as Record<string, string | undefined>).user_id
      return id === undefined ? null : built.users.get(id) ?? null
    },
    headerLoader: async (value) => {
      await sleep(1)
      if (headerLoader === 'rejects') throw new Error('token service down')
      return built.users.get(value.replace(/^Bearer /, '')) ?? null
    }
  }, { server: { logger: { level: 'error', stream: { write: (line: string) => { logged.push(line) } } } } })
  return { ...built, logged }
}

test('an async requestLoader is awaited, and what it resolves to is the user', async (t: TestContext) => {
  const { app, request } = await asyncRequestApp(t)
  const events = recordEvents(app)
  const response = await request('/secret?user_id=2')
  t.assert.strictEqual(response.statusCode, 200)
  t.assert.strictEqual(response.json().name, 'Steve')
  t.assert.deepStrictEqual(events, [['accessed', undefined], ['loadedFromRequest', 'Steve']])
})

test('an async requestLoader that resolves to null falls through to an async headerLoader', async (t: TestContext) => {
  const { app, request } = await asyncRequestApp(t)
  const events = recordEvents(app)
  const response = await request({ url: '/secret', headers: { authorization: 'Bearer 1' } })
  t.assert.strictEqual(response.json().name, 'Notch')
  t.assert.deepStrictEqual(events, [['accessed', undefined], ['loadedFromHeader', 'Notch']])
  t.assert.strictEqual((await request({ url: '/secret', headers: { authorization: 'Bearer 99' } })).statusCode, 401)
})

test('an async headerLoader that rejects gives a 500 with the error logged', async (t: TestContext) => {
  const { request, logged } = await asyncRequestApp(t, 'rejects')
  t.assert.strictEqual((await request({ url: '/whoami', headers: { authorization: 'Bearer 1' } })).statusCode, 500)
  t.assert.ok(logged.some((line) => line.includes('token service down')))
})
