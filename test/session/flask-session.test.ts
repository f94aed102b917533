// The `flask` option (mode 'shared') against the real Flask + Flask-Login application
// (test/flask/fixtures/app.py, through Flask's test client): one cookie jar, as one browser on
// one host, carries the session and remember cookies between the two applications.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { deflateSync } from 'node:zlib'
import { createHmac } from 'node:crypto'
import { CookieJar } from '../helpers/cookie-jar.js'
import { fastifyBeside, fastifyClient, flaskRequests, FLASK_SECRET, USER_AGENT } from '../helpers/flask.js'

async function pair (t: TestContext, options: Parameters<typeof fastifyBeside>[0] = {}) {
  const app = await fastifyBeside(options)
  t.after(() => app.close())
  const jar = new CookieJar()
  const node = fastifyClient(app, jar)
  const config = { protection: options.protection === undefined ? 'basic' as const : options.protection === false ? null : options.protection }
  const flask = (...steps: Parameters<typeof flaskRequests>[1]) => flaskRequests(jar, steps, config)
  const nodeWho = async (userAgent?: string) => (await node('/whoami', userAgent)).json() as { user: string | null, fresh: boolean }
  const flaskWho = (userAgent = USER_AGENT) => JSON.parse((flask({ path: '/legacy/whoami', userAgent })[0] as { body: string }).body) as { user: string | null, fresh: boolean }
  return { app, jar, node, flask, nodeWho, flaskWho }
}

test('a Flask login is a fastify-login login, fresh, and a Flask logout ends it', async (t) => {
  const { flask, nodeWho, node } = await pair(t)
  flask('/legacy/login/1')
  assert.deepEqual(await nodeWho(), { user: '1', fresh: true })
  assert.equal((await node('/fresh')).statusCode, 200)
  flask('/legacy/logout')
  assert.deepEqual(await nodeWho(), { user: null, fresh: false })
})

test('a fastify-login login is a Flask-Login login, fresh, and a fastify-login logout ends it', async (t) => {
  const { flask, node, flaskWho } = await pair(t)
  await node('/login/2')
  assert.deepEqual(flaskWho(), { user: '2', fresh: true })
  assert.deepEqual(flask('/legacy/fresh').map((response) => response.status), [200])
  await node('/logout')
  assert.deepEqual(flaskWho(), { user: null, fresh: false })
})

test('freshness and confirm_login / confirmLogin each way', async (t) => {
  const { flask, node, nodeWho, flaskWho } = await pair(t)
  flask('/legacy/login/1?fresh=0')
  assert.deepEqual(await nodeWho(), { user: '1', fresh: false })
  assert.equal((await node('/fresh')).statusCode, 401)
  await node('/confirm')
  assert.deepEqual(flaskWho(), { user: '1', fresh: true })
  await node('/login/2?fresh=0')
  assert.deepEqual(flaskWho(), { user: '2', fresh: false })
  assert.deepEqual(flask('/legacy/fresh').map((response) => response.status), [401])
  flask('/legacy/confirm')
  assert.deepEqual(await nodeWho(), { user: '2', fresh: true })
})

test('remember me: a remember cookie set by either side restores the login on the other, not fresh', async (t) => {
  const { jar, flask, node, nodeWho, flaskWho } = await pair(t)
  flask('/legacy/login/1?remember=1')
  assert.match(jar.get('remember_token') as string, /^1\|[0-9a-f]{128}$/)
  jar.delete('session')
  assert.deepEqual(await nodeWho(), { user: '1', fresh: false })
  await node('/logout')
  assert.equal(jar.get('remember_token'), undefined)
  await node('/login/alice?remember=1')
  assert.match(jar.get('remember_token') as string, /^alice\|[0-9a-f]{128}$/)
  jar.delete('session')
  assert.deepEqual(flaskWho(), { user: 'alice', fresh: false })
  flask('/legacy/logout')
  assert.equal(jar.get('remember_token'), undefined)
})

test('basic protection: another User-Agent keeps the login, not fresh, on both sides', async (t) => {
  const { node, flask, nodeWho, flaskWho } = await pair(t)
  await node('/login/1')
  assert.deepEqual(flaskWho('another browser'), { user: '1', fresh: false })
  flask('/legacy/login/2')
  assert.deepEqual(await nodeWho('another browser'), { user: '2', fresh: false })
  assert.deepEqual(await nodeWho(), { user: '2', fresh: false })
})

test('strong protection: another User-Agent loses the login on both sides; the same one keeps it', async (t) => {
  const { node, flask, nodeWho, flaskWho } = await pair(t, { protection: 'strong' })
  await node('/login/1')
  assert.deepEqual(flaskWho(), { user: '1', fresh: true })
  assert.deepEqual(flaskWho('another browser'), { user: null, fresh: false })
  flask('/legacy/login/2')
  assert.deepEqual(await nodeWho(), { user: '2', fresh: true })
  assert.deepEqual(await nodeWho('another browser'), { user: null, fresh: false })
  assert.deepEqual(flaskWho(), { user: null, fresh: false })
})

test('X-Forwarded-For counts as Flask-Login counts it', async (t) => {
  const { node, flask, nodeWho } = await pair(t, { protection: 'strong' })
  flask({ path: '/legacy/login/1', forwardedFor: ' 203.0.113.9 , 10.0.0.1' })
  assert.deepEqual((await node('/whoami', USER_AGENT, '203.0.113.9')).json(), { user: '1', fresh: true })
  assert.deepEqual(await nodeWho(), { user: null, fresh: false })
})

test('the Flask app\'s keys (cart, flashes, tuple, bytes, datetime, Markup, UUID, tag-like dict) survive a fastify-login login and logout', async (t) => {
  const { flask, node } = await pair(t)
  flask('/legacy/keys/set')
  const keys = (): unknown => JSON.parse((flask('/legacy/keys/get')[0] as { body: string }).body)
  const before = keys() as Record<string, unknown>
  assert.deepEqual(before.pair, { tuple: [1, 'a'] })
  assert.deepEqual(before._flashes, [{ tuple: ['message', 'welcome'] }])
  await node('/login/1')
  assert.deepEqual(keys(), before)
  await node('/logout')
  assert.deepEqual(keys(), before)
  const seen = (await node('/keys/get')).json() as Record<string, unknown>
  assert.deepEqual(seen.cart, ['apple', 'pear'])
  assert.deepEqual(seen.when, '2026-01-02T03:04:05.000Z')
  assert.deepEqual(seen.html, '<b>bold</b>')
  assert.deepEqual(seen.ident, '12345678-1234-5678-1234-567812345678')
  assert.deepEqual(seen.tagged, { ' t': 'a dict whose key looks like a tag' })
  await node('/keys/set')
  assert.deepEqual((keys() as Record<string, unknown>).from_node, { raw: { bytes: '00ff' }, text: 'Müller', when: { datetime: '2026-01-02T03:04:05' } })
})

test('a permanent Flask session stays permanent: fastify-login re-signs it with an expiry', async (t) => {
  const { app, jar } = await pair(t, { flask: { permanentLifetime: 3600 } })
  flaskRequests(jar, ['/legacy/permanent', '/legacy/login/1'], { lifetime: 3600 })
  const response = await app.inject({ url: '/whoami', headers: { cookie: jar.header(), 'user-agent': USER_AGENT } })
  const cookie = response.cookies.find((entry) => entry.name === 'session') as { expires?: Date }
  assert.ok(cookie.expires !== undefined && Math.abs(cookie.expires.getTime() - Date.now() - 3600_000) < 5000)
  assert.deepEqual(response.json(), { user: '1', fresh: true })
})

function flaskCookie (json: string | Buffer, secret = FLASK_SECRET, compress = false, seconds = Math.floor(Date.now() / 1000)): string {
  const key = createHmac('sha1', secret).update('cookie-session').digest()
  const bytes = Buffer.from(json)
  const payload = compress ? '.' + deflateSync(bytes).toString('base64url') : bytes.toString('base64url')
  const ts = Buffer.from(seconds.toString(16).padStart(8, '0'), 'hex').toString('base64url')
  return `${payload}.${ts}.${createHmac('sha1', key).update(`${payload}.${ts}`).digest('base64url')}`
}

test('SEC-28: tampered, foreign-key, expired, malformed cookies are anonymous on both sides; oversized and zlib-bomb ones in fastify-login; never a 5xx', async (t) => {
  const { jar, node, flask } = await pair(t)
  const login = JSON.stringify({ _fresh: true, _id: 'x', _user_id: '1' })
  const genuine = flaskCookie(login)
  const cases: Record<string, string> = {
    tampered: genuine.replace(/^./, (first) => first === 'e' ? 'f' : 'e'),
    'foreign key': flaskCookie(login, 'another Flask app\'s key'),
    expired: flaskCookie(login, FLASK_SECRET, false, Math.floor(Date.now() / 1000) - 2678401),
    oversized: flaskCookie(JSON.stringify({ _user_id: '1', pad: 'x'.repeat(5000) })),
    'zlib bomb': flaskCookie(JSON.stringify({ _user_id: '1', pad: 'x'.repeat(100_000) }), FLASK_SECRET, true),
    'not JSON': flaskCookie('{_user_id: 1}'),
    'bad tag': flaskCookie(JSON.stringify({ _user_id: '1', x: { ' d': 'yesterday' } })),
    'not a dict': flaskCookie('["_user_id"]'),
    'proto key': flaskCookie('{"__proto__":{"_user_id":"1"},"a":{" di":{"__proto____":{"_user_id":"1"}}}}')
  }
  for (const [name, value] of Object.entries(cases)) {
    jar.set('session', value)
    const response = await node('/whoami')
    assert.equal(response.statusCode, 200, name)
    assert.deepEqual(response.json(), { user: null, fresh: false }, name)
    // Flask itself reads a cookie of any size and inflates any payload (a browser drops cookies
    // over 4 KiB), and answers 500 for a genuine signature over what does not parse: only the
    // cookies made without the key are compared with Flask
    if (!['tampered', 'foreign key', 'expired'].includes(name)) continue
    jar.set('session', value)
    const [flaskSays] = flask('/legacy/whoami')
    assert.deepEqual([flaskSays?.status, JSON.parse(flaskSays?.body as string).user], [200, null], name)
  }
  jar.delete('session')
  for (const forged of ['1|' + '0'.repeat(128), '1|' + createHmac('sha512', 'another key').update('1').digest('hex'), '|' + createHmac('sha512', FLASK_SECRET).update('').digest('hex'), 'not a cookie']) {
    jar.set('remember_token', forged)
    const response = await node('/whoami')
    assert.deepEqual([response.statusCode, response.json()], [200, { user: null, fresh: false }], forged)
    assert.equal(jar.get('remember_token'), undefined, 'the forged remember cookie is deleted')
  }
  jar.set('session', flaskCookie(login.replace('"x"', '"y"')))
  assert.deepEqual((await node('/whoami')).json(), { user: '1', fresh: false }, 'the forged-free control cookie loads (basic protection)')
})
