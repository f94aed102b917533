// Flask's tagged JSON in the `flask` session: what Flask writes arrives in Fastify with its type,
// what Fastify writes arrives in Flask with its type, and malformed tags (under a genuine
// signature) make an empty session, never an error.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { CookieJar } from '../helpers/cookie-jar.js'
import { fastifyBeside, fastifyClient, flaskRequests, FLASK_SECRET, USER_AGENT } from '../helpers/flask.js'
import { python } from '../helpers/python.js'
import { rawRequest } from '../helpers/raw-request.js'
import { User } from '../helpers/users.js'

function flaskCookie (json: string): string {
  const key = createHmac('sha1', FLASK_SECRET).update('cookie-session').digest()
  const payload = Buffer.from(json).toString('base64url')
  const ts = Buffer.from(Math.floor(Date.now() / 1000).toString(16).padStart(8, '0'), 'hex').toString('base64url')
  return `${payload}.${ts}.${createHmac('sha1', key).update(`${payload}.${ts}`).digest('base64url')}`
}

type Session = { get: (key: string) => unknown, set: (key: string, value: unknown) => void, delete: (key: string) => void, permanent: boolean }

async function setup (t: TestContext) {
  const app = await fastifyBeside()
  t.after(() => app.close())
  app.get('/write', async (request) => {
    const session = request.session as unknown as Session
    session.set('values', [null, true, Number.NaN, 10n, new Uint8Array([1, 2]), 1.5, -3, { a: 1, b: () => 1, c: undefined }, { ' u': 'x' }, 'é\u0001\u007f"\\\n\r\t\b\f😀'])
    session.set('__proto__', { polluted: true })
    session.set('gone', 1)
    session.set('gone', undefined)
    session.delete('never there')
    session.permanent = true
    return { permanent: session.permanent }
  })
  app.get('/read', async (request) => {
    const session = request.session as unknown as { data: () => Record<string, unknown> }
    const text = (value: unknown): unknown => value instanceof Date ? `date:${value.toISOString()}` : Buffer.isBuffer(value) ? `bytes:${value.toString('hex')}` : Array.isArray(value) ? value.map(text) : typeof value === 'object' && value !== null && value.constructor !== Object ? `text:${String(value)}` : value
    return Object.fromEntries(Object.entries(session.data()).map(([key, value]) => [key, text(value)]))
  })
  const jar = new CookieJar()
  return { app, jar, node: fastifyClient(app, jar) }
}

test('what Fastify writes, Flask reads with its Python type; `__proto__` and undefined are not written', async (t) => {
  const { jar, node } = await setup(t)
  const response = await node('/write')
  assert.deepEqual(response.json(), { permanent: true })
  const cookie = response.cookies.find((entry) => entry.name === 'session') as { expires?: Date }
  assert.ok(cookie.expires instanceof Date)
  const seen = python(`
import importlib.util
spec = importlib.util.spec_from_file_location('flask_fixture', data['app'])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
app = module.create_app({'secret': data['secret']})
session = app.session_interface.get_signing_serializer(app).loads(data['cookie'])
result = {'keys': sorted(session.keys()), 'values': module.describe(session['values']), 'permanent': session.get('_permanent')}
`, { app: (await import('../helpers/flask.js')).FLASK_APP, secret: FLASK_SECRET, cookie: jar.get('session') })
  assert.deepEqual(seen, {
    keys: ['_permanent', 'values'],
    permanent: true,
    values: [null, true, null, 10, { bytes: '0102' }, 1.5, -3, { a: 1 }, { ' u': 'x' }, 'é\u0001\u007f"\\\n\r\t\b\f😀']
  })
})

test('Flask\'s tags arrive typed; an accepted UUID form and a tag-like dict too', async (t) => {
  const { jar, node } = await setup(t)
  jar.set('session', flaskCookie('{"a":{" u":"{12345678-1234-5678-1234-567812345678}"},"b":{" b":"AP8="},"c":{" d":"Fri, 02 Jan 2026 03:04:05 GMT"},"d":{" di":{" m__":"x"}},"e":{" t":[1,{" m":"<i>"}]}}'))
  assert.deepEqual((await node('/read')).json(), {
    a: 'text:12345678-1234-5678-1234-567812345678',
    b: 'bytes:00ff',
    c: 'date:2026-01-02T03:04:05.000Z',
    d: { ' m': 'x' },
    e: [1, 'text:<i>']
  })
})

test('malformed tags under a genuine signature, or a payload that is not a dict, make an empty session', async (t) => {
  const { jar, node } = await setup(t)
  const payloads = [
    '{"_user_id":"1","x":{" b":1}}',
    '{"_user_id":"1","x":{" b":"@@@="}}',
    '{"_user_id":"1","x":{" b":"AP8"}}',
    '{"_user_id":"1","x":{" u":"not a uuid"}}',
    '{"_user_id":"1","x":{" t":"not a list"}}',
    '{"_user_id":"1","x":{" di":{"a__":1,"b__":2}}}',
    '{"_user_id":"1","x":{" di":{"a":1}}}',
    '{"_user_id":"1","x":{" di":[1]}}',
    '{"_user_id":"1","x":{" d":"2026-01-02"}}',
    '{" d":"Fri, 02 Jan 2026 03:04:05 GMT"}',
    '{" b":"AP8="}',
    '{" m":"x"}',
    '{" u":"12345678123456781234567812345678"}',
    '{" t":[]}',
    '"a string"',
    'null'
  ]
  for (const payload of payloads) {
    jar.set('session', flaskCookie(payload))
    const response = await node('/whoami')
    assert.deepEqual([response.statusCode, response.json()], [200, { user: null, fresh: false }], payload)
    jar.set('session', flaskCookie(payload))
    assert.deepEqual((await node('/read')).json(), {}, payload)
  }
})

test('sessionCookieFor makes a Flask session cookie both applications take as logged in', async (t) => {
  const { app, jar } = await setup(t)
  await app.ready()
  const header = await app.loginManager.sessionCookieFor(new User('1', '1'), { ip: '127.0.0.1', userAgent: USER_AGENT })
  const [name, value] = header.split(';')[0]?.split('=') as [string, string]
  jar.set(name, decodeURIComponent(value))
  assert.deepEqual(JSON.parse((flaskRequests(jar, ['/legacy/whoami'])[0] as { body: string }).body), { user: '1', fresh: true })
  assert.deepEqual((await fastifyClient(app, jar)('/whoami')).json(), { user: '1', fresh: true })
})

test('the session identifier is Flask-Login\'s for quotes, backslashes, tabs, non-ASCII, an empty and a missing User-Agent', async (t) => {
  const { app } = await setup(t)
  app.get('/id', async (request) => {
    await request.loginUser(new User('1', '1'))
    return (request.session as unknown as Session).get('_id')
  })
  const agents = ["it's", 'say "hi", it\'s', 'back\\slash', 'tab\there', 'caf\u00e9', 'plain', null]
  const mine: string[] = []
  for (const agent of agents) {
    const headers: Record<string, string | undefined> = { 'user-agent': agent ?? undefined }
    mine.push((await app.inject({ url: '/id', headers: agent === null ? { 'user-agent': '' } : headers })).body)
  }
  await app.listen({ host: '127.0.0.1', port: 0 })
  const raw = await rawRequest(app, 'GET /id HTTP/1.1\r\nHost: localhost')
  const theirs = python(`
from flask import Flask
from flask_login.utils import _create_identifier
app = Flask('id')
result = []
for agent in data:
    headers = {} if agent is None else {'User-Agent': agent}
    with app.test_request_context(headers=headers, environ_base={'REMOTE_ADDR': '127.0.0.1'}):
        result.append(_create_identifier())
`, [...agents.map((agent) => agent === null ? '' : agent), null]) as string[]
  assert.deepEqual([...mine, raw.body], theirs)
})
