import { test, type TestContext } from 'node:test'
import { buildApp } from '../helpers/app.js'
import { logIn } from '../helpers/flows.js'

// Flask tests set app.config['LOGIN_DISABLED'] at run time; options here are frozen
test('loginManager.disabled switches both guards off and on at run time; options stay as registered', async (t: TestContext) => {
  const { app, request } = await buildApp(t)
  const refused: string[] = []
  app.loginManager.on('unauthorized', () => { refused.push('unauthorized') })
  t.assert.strictEqual(app.loginManager.disabled, false)
  t.assert.strictEqual((await request('/secret')).statusCode, 401)

  app.loginManager.disabled = true
  t.assert.strictEqual(app.loginManager.disabled, true)
  const open = await request('/secret')
  t.assert.strictEqual(open.statusCode, 200)
  t.assert.strictEqual(open.json().anonymous, true)
  t.assert.strictEqual((await request('/needs-refresh')).statusCode, 200)
  t.assert.strictEqual(app.loginManager.options.disabled, false)

  app.loginManager.disabled = false
  t.assert.strictEqual((await request('/secret')).statusCode, 401)
  await logIn(request, '1', 'fresh=0')
  t.assert.strictEqual((await request('/secret')).statusCode, 200)
  t.assert.strictEqual((await request('/needs-refresh')).statusCode, 401)
  t.assert.deepStrictEqual(refused, ['unauthorized', 'unauthorized'])
})

test('the disabled option is where the switch starts, and it can be switched back on', async (t: TestContext) => {
  const { app, request } = await buildApp(t, { disabled: true })
  t.assert.strictEqual(app.loginManager.disabled, true)
  t.assert.strictEqual((await request('/secret')).statusCode, 200)
  app.loginManager.disabled = false
  t.assert.strictEqual((await request('/secret')).statusCode, 401)
})

test('loginManager.disabled takes only a boolean: FST_LOGIN_INVALID_OPTION, the switch unchanged', async (t: TestContext) => {
  const { app, request } = await buildApp(t)
  for (const value of ['true', 1, null, undefined]) {
    t.assert.throws(() => { (app.loginManager as { disabled: unknown }).disabled = value }, { code: 'FST_LOGIN_INVALID_OPTION' })
  }
  t.assert.strictEqual(app.loginManager.disabled, false)
  t.assert.strictEqual((await request('/secret')).statusCode, 401)
})
