// `flask` in mode 'import' (after the cutover) against the real Flask + Flask-Login application:
// Flask's cookies log the user in once and are replaced by fastify-login's own.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { CookieJar } from '../helpers/cookie-jar.js'
import { createHmac } from 'node:crypto'
import { fastifyBeside, fastifyClient, flaskRequests, FLASK_SECRET } from '../helpers/flask.js'

async function cutover (t: TestContext, options: Parameters<typeof fastifyBeside>[0] = {}) {
  const app = await fastifyBeside({ ...options, flask: { mode: 'import', ...options.flask } })
  t.after(() => app.close())
  const jar = new CookieJar()
  const node = fastifyClient(app, jar)
  const config = { protection: options.protection === 'strong' ? 'strong' as const : 'basic' as const }
  const flask = (...steps: Parameters<typeof flaskRequests>[1]) => flaskRequests(jar, steps, config)
  return { app, jar, node, flask }
}

test('a Flask session login logs in once, fresh, keeping the Flask app\'s keys; the cookie becomes fastify-login\'s', async (t) => {
  const { jar, node, flask } = await cutover(t)
  flask('/legacy/keys/set', '/legacy/login/1')
  const flaskCookie = jar.get('session')
  assert.deepEqual((await node('/whoami')).json(), { user: '1', fresh: true })
  assert.notEqual(jar.get('session'), flaskCookie)
  assert.deepEqual((await node('/whoami')).json(), { user: '1', fresh: true })
  const keys = (await node('/keys/get')).json() as Record<string, unknown>
  assert.deepEqual(keys.cart, ['apple', 'pear'])
  assert.equal(keys._fresh !== undefined && keys._user_id === '1', true)
  // the Flask app no longer reads it: the cutover is one way
  assert.deepEqual(JSON.parse((flask('/legacy/whoami')[0] as { body: string }).body), { user: null, fresh: false })
})

test('a not-fresh Flask login stays not fresh; a Flask cookie without a login or with an unknown user logs nobody in', async (t) => {
  const { jar, node, flask } = await cutover(t)
  flask('/legacy/login/1?fresh=0')
  assert.deepEqual((await node('/whoami')).json(), { user: '1', fresh: false })
  jar.delete('session')
  flask('/legacy/keys/set')
  assert.deepEqual((await node('/whoami')).json(), { user: null, fresh: false })
  jar.delete('session')
  flask('/legacy/login/nobody')
  assert.deepEqual((await node('/whoami')).json(), { user: null, fresh: false })
})

test('a Flask-Login remember cookie restores the login, not fresh, and is re-issued in fastify-login\'s format', async (t) => {
  const { jar, node, flask } = await cutover(t)
  flask('/legacy/login/alice?remember=1')
  jar.delete('session')
  assert.deepEqual((await node('/whoami')).json(), { user: 'alice', fresh: false })
  const reissued = jar.get('remember_token') as string
  assert.doesNotMatch(reissued, /\|/)
  jar.delete('session')
  assert.deepEqual((await node('/whoami')).json(), { user: 'alice', fresh: false })
})

test('session protection: another client does not import a strong-protected Flask login; basic imports it not fresh', async (t) => {
  const strong = await cutover(t, { protection: 'strong' })
  strong.flask('/legacy/login/1')
  assert.deepEqual((await strong.node('/whoami', 'another browser')).json(), { user: null, fresh: false })
  const basic = await cutover(t)
  basic.flask('/legacy/login/1')
  assert.deepEqual((await basic.node('/whoami', 'another browser')).json(), { user: '1', fresh: false })
})

function flaskCookie (json: string): string {
  const key = createHmac('sha1', FLASK_SECRET).update('cookie-session').digest()
  const payload = Buffer.from(json).toString('base64url')
  const ts = Buffer.from(Math.floor(Date.now() / 1000).toString(16).padStart(8, '0'), 'hex').toString('base64url')
  return `${payload}.${ts}.${createHmac('sha1', key).update(`${payload}.${ts}`).digest('base64url')}`
}

test('a tampered Flask cookie or one without a usable user id is anonymous; a Flask cookie of another name is deleted once read', async (t) => {
  const { jar, node } = await cutover(t)
  for (const value of ['eyJfdXNlcl9pZCI6IjEifQ.aVW5AA.AAAAAAAAAAAAAAAAAAAAAAAAAAA', flaskCookie('{"_user_id":""}'), flaskCookie('{"_user_id":1}')]) {
    jar.set('session', value)
    const response = await node('/whoami')
    assert.deepEqual([response.statusCode, response.json()], [200, { user: null, fresh: false }], value)
  }
  const renamed = await cutover(t, { flask: { cookieName: 'flask_session' } })
  renamed.flask('/legacy/login/1')
  renamed.jar.set('flask_session', renamed.jar.get('session') as string)
  renamed.jar.delete('session')
  assert.deepEqual((await renamed.node('/whoami')).json(), { user: '1', fresh: true })
  assert.equal(renamed.jar.get('flask_session'), undefined)
})

test('an inactive user is not imported; with `sessions` the import opens a tracked session and a Flask-Login remember cookie is refused', async (t) => {
  const { node, flask } = await cutover(t)
  flask('/legacy/login/inactive')
  assert.deepEqual((await node('/whoami')).json(), { user: null, fresh: false })
  const app = await fastifyBeside({ flask: { mode: 'import' }, sessions: true })
  t.after(() => app.close())
  app.get('/devices', async (request) => (await request.listSessions()).length)
  const jar = new CookieJar()
  const tracked = fastifyClient(app, jar)
  flaskRequests(jar, ['/legacy/login/1'])
  assert.deepEqual((await tracked('/whoami')).json(), { user: '1', fresh: true })
  assert.equal((await tracked('/devices')).json(), 1)
  const remembered = new CookieJar()
  flaskRequests(remembered, ['/legacy/login/alice?remember=1'])
  remembered.delete('session')
  assert.deepEqual((await fastifyClient(app, remembered)('/whoami')).json(), { user: null, fresh: false })
  assert.equal(remembered.get('remember_token'), undefined)
})
