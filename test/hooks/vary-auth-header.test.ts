// A response that depends on a user loaded by headerLoader names its header in Vary, so that a
// shared cache never serves one API key's answer to another (Cookie as well where it was read).
import { test, type TestContext } from 'node:test'
import { buildApp } from '../helpers/app.js'
import { logIn } from '../helpers/flows.js'

/** The Vary header's names, lower-cased. */
function varyOf (response: { headers: Record<string, unknown> }): string[] {
  const vary = response.headers.vary
  return typeof vary === 'string' ? vary.split(',').map((name) => name.trim().toLowerCase()) : []
}

test('a user loaded from a custom authHeaderName: Vary names that header, not Cookie', async (t: TestContext) => {
  const built = await buildApp(t, {
    authHeaderName: 'X-Api-Key',
    headerLoader: (value) => value.startsWith('key-') ? built.users.get(value.slice(4)) ?? null : null
  }, {
    routes: (app) => {
      app.get('/negotiated', async (request, reply) => { reply.header('vary', 'Accept-Encoding'); return { anonymous: request.currentUser.isAnonymous } })
      app.get('/already', async (_request, reply) => { reply.header('vary', 'x-API-key'); return {} })
      app.get('/star', async (_request, reply) => { reply.header('vary', '*'); return {} })
    }
  })
  const { request } = built
  const loaded = await request({ url: '/secret', headers: { 'x-api-key': 'key-2' } })
  t.assert.strictEqual(loaded.statusCode, 200)
  t.assert.strictEqual(loaded.json().name, 'Steve')
  t.assert.strictEqual(loaded.headers.vary, 'X-Api-Key')
  // an unknown key was read too: the 401 depends on it as well
  const refused = await request({ url: '/secret', headers: { 'x-api-key': 'nobody' } })
  t.assert.strictEqual(refused.statusCode, 401)
  t.assert.deepStrictEqual(varyOf(refused), ['x-api-key'])
  t.assert.deepStrictEqual(varyOf(await request({ url: '/negotiated', headers: { 'x-api-key': 'key-1' } })), ['accept-encoding', 'x-api-key'])
  t.assert.strictEqual((await request({ url: '/already', headers: { 'x-api-key': 'key-1' } })).headers.vary, 'x-API-key')
  t.assert.strictEqual((await request({ url: '/star', headers: { 'x-api-key': 'key-1' } })).headers.vary, '*')
  // no header, nothing read: no Vary from fastify-login
  t.assert.deepStrictEqual(varyOf(await request('/whoami')), [])
})

test('the default authorization header: Vary: Authorization', async (t: TestContext) => {
  const built = await buildApp(t, {
    headerLoader: (value) => built.users.get(value.replace(/^Bearer /, '')) ?? null
  })
  const response = await built.request({ url: '/whoami', headers: { authorization: 'Bearer 1' } })
  t.assert.strictEqual(response.json().name, 'Notch')
  t.assert.strictEqual(response.headers.vary, 'Authorization')
})

test('a session login consulted before the header: Vary names both Cookie and the header', async (t: TestContext) => {
  const built = await buildApp(t, {
    authHeaderName: 'x-api-key',
    headerLoader: (value) => built.users.get(value) ?? null
  })
  const { request, jar } = built
  await logIn(request, '1', 'remember=1')
  // the session login wins: the header is not read
  const session = await request({ url: '/whoami', headers: { 'x-api-key': '2' } })
  t.assert.strictEqual(session.json().name, 'Notch')
  t.assert.deepStrictEqual(varyOf(session), ['cookie'])
  // a remember cookie that no longer works, then the header: both were read
  jar.set('remember_token', 'not-a-valid-cookie')
  jar.delete(jar.names().find((name) => name !== 'remember_token') as string)
  const both = await request({ url: '/whoami', headers: { 'x-api-key': '2' } })
  t.assert.strictEqual(both.json().name, 'Steve')
  t.assert.deepStrictEqual(varyOf(both).sort(), ['cookie', 'x-api-key'])
})
