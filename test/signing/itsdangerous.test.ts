// URLSafeTimedSerializer({ format: 'itsdangerous' }) and encodeCookie/decodeCookie({ format:
// 'flask-login' }) against the real Python packages, run at test time: tokens made by Python load
// in Node and the reverse, and for the same value and second both make the same bytes.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import FakeTimers from '@sinonjs/fake-timers'
import { BadSignature, decodeCookie, encodeCookie, SignatureExpired, URLSafeTimedSerializer } from 'fastify-login'
import { python } from '../helpers/python.js'

const SECRET = 'the Flask app secret key'
const OLD = 'a short one'
// 2026-01-01T00:00:00Z
const NOW = 1767225600

const VALUES: unknown[] = [
  'short',
  42,
  { user: 7, next: '/a?b=c' },
  'unicode: 佐藤 Müller 🔑 "quoted" \\ \n\t\u0001',
  // long and repetitive: Python compresses it (the payload starts with ".")
  { reset: 'x'.repeat(400), list: Array.from({ length: 40 }, (_, index) => index % 7) },
  [true, false, null, '', []]
]

const PY_DUMPS = `
from itsdangerous import URLSafeTimedSerializer
import itsdangerous.timed as timed
timed.TimestampSigner.get_timestamp = lambda self: data['now']
s = URLSafeTimedSerializer(data['keys'], salt=data['salt'])
result = [s.dumps(value) for value in data['values']]
`
const PY_LOADS = `
from itsdangerous import URLSafeTimedSerializer, BadSignature
s = URLSafeTimedSerializer(data['keys'], salt=data['salt'])
result = []
for token in data['tokens']:
    try:
        result.append({'value': s.loads(token)})
    except BadSignature:
        result.append({'error': 'BadSignature'})
`

function atSecond (t: TestContext, seconds = NOW): void {
  const clock = FakeTimers.install({ now: seconds * 1000 + 500, toFake: ['Date'] })
  t.after(() => clock.uninstall())
}

test('tokens Python makes load in Node, with the value Python signed', (t: TestContext) => {
  atSecond(t)
  const tokens = python(PY_DUMPS, { keys: [SECRET], salt: 'reset', values: VALUES, now: NOW }) as string[]
  assert.ok(tokens.some((token) => token.startsWith('.')), 'one token is compressed')
  const s = new URLSafeTimedSerializer(SECRET, { salt: 'reset', format: 'itsdangerous' })
  assert.deepEqual(tokens.map((token) => s.loads(token, { maxAge: 60 })), VALUES)
})

test('tokens Node makes load in Python, and are the same bytes for the same value and second', (t: TestContext) => {
  atSecond(t)
  const s = new URLSafeTimedSerializer(SECRET, { salt: 'reset', format: 'itsdangerous' })
  const mine = VALUES.map((value) => s.dumps(value))
  const loaded = python(PY_LOADS, { keys: [SECRET], salt: 'reset', tokens: mine }) as Array<{ value: unknown }>
  assert.deepEqual(loaded.map((entry) => entry.value), VALUES)
  const theirs = python(PY_DUMPS, { keys: [SECRET], salt: 'reset', values: VALUES, now: NOW }) as string[]
  // Node's zlib (Chromium's fork) makes other, equally valid, deflate bytes than the zlib Python
  // links: a compressed token is compressed on both sides and loads on both, uncompressed ones are
  // the same bytes
  const compressed = (token: string): boolean => token.startsWith('.')
  assert.deepEqual(mine.map(compressed), theirs.map(compressed))
  assert.deepEqual(mine.filter((token) => !compressed(token)), theirs.filter((token) => !compressed(token)))
  assert.deepEqual(mine.filter(compressed).map((token) => s.loads(token)), VALUES.filter((_, index) => compressed(theirs[index] as string)))
})

test('the default salt is itsdangerous\' own ("itsdangerous")', (t: TestContext) => {
  atSecond(t)
  const token = (python(`
from itsdangerous import URLSafeTimedSerializer
import itsdangerous.timed as timed
timed.TimestampSigner.get_timestamp = lambda self: data
result = URLSafeTimedSerializer(${JSON.stringify(SECRET)}).dumps({'id': 1})
`, NOW)) as string
  assert.equal(new URLSafeTimedSerializer(SECRET, { format: 'itsdangerous' }).dumps({ id: 1 }), token)
})

test('rotation: Python signs with its last key, Node with its first; each verifies the other\'s old tokens', (t: TestContext) => {
  atSecond(t)
  const [pythonOld] = python(PY_DUMPS, { keys: [OLD], salt: 's', values: ['old'], now: NOW }) as string[]
  const rotated = new URLSafeTimedSerializer([SECRET, Buffer.from(OLD)], { salt: 's', format: 'itsdangerous' })
  const result = (rotated as unknown as { loadsWithMeta: (token: string) => { value: unknown, renew: boolean } }).loadsWithMeta(pythonOld as string)
  assert.deepEqual([result.value, result.renew], ['old', true])
  const loaded = python(PY_LOADS, { keys: [OLD, SECRET], salt: 's', tokens: [rotated.dumps('new')] }) as Array<{ value: unknown }>
  assert.deepEqual(loaded, [{ value: 'new' }])
})

test('a token of another salt, key or format does not load on either side', (t: TestContext) => {
  atSecond(t)
  const node = new URLSafeTimedSerializer(SECRET, { salt: 'reset', format: 'itsdangerous' })
  const [other] = python(PY_DUMPS, { keys: [SECRET], salt: 'other', values: ['x'], now: NOW }) as string[]
  assert.throws(() => node.loads(other as string), BadSignature)
  const native = new URLSafeTimedSerializer('a-secret-of-at-least-32-bytes-for-tests', { salt: 'reset' })
  assert.throws(() => node.loads(native.dumps('x')), /base64url/)
  const tampered = node.dumps('x').replace(/.$/, (last) => last === 'A' ? 'B' : 'A')
  assert.throws(() => node.loads(tampered), /signature does not match/)
  const wrongKey = new URLSafeTimedSerializer(OLD, { salt: 'reset', format: 'itsdangerous' }).dumps('x')
  const pythonSays = python(PY_LOADS, { keys: [SECRET], salt: 'reset', tokens: [tampered, wrongKey] })
  assert.deepEqual(pythonSays, [{ error: 'BadSignature' }, { error: 'BadSignature' }])
})

test('maxAge: a Python token older than maxAge is SignatureExpired', (t: TestContext) => {
  atSecond(t, NOW + 100)
  const [token] = python(PY_DUMPS, { keys: [SECRET], salt: 'reset', values: ['x'], now: NOW }) as string[]
  const s = new URLSafeTimedSerializer(SECRET, { salt: 'reset', format: 'itsdangerous' })
  assert.throws(() => s.loads(token as string, { maxAge: 99 }), SignatureExpired)
  assert.equal(s.loads(token as string, { maxAge: 100 }), 'x')
})

test('a zlib bomb under a genuine signature is refused before it is inflated past 64 KiB', (t: TestContext) => {
  atSecond(t)
  const [bomb] = python(PY_DUMPS, { keys: [SECRET], salt: 'reset', values: ['a'.repeat(200_000)], now: NOW }) as string[]
  assert.ok((bomb as string).length < 1000, 'the bomb is small')
  const s = new URLSafeTimedSerializer(SECRET, { salt: 'reset', format: 'itsdangerous' })
  assert.throws(() => s.loads(bomb as string), /payload is not UTF-8 JSON/)
})

test('options: an unknown format is refused; any key length is accepted for the Python format', () => {
  assert.throws(() => new URLSafeTimedSerializer(SECRET, { format: 'pickle' as 'itsdangerous' }), { code: 'FST_LOGIN_INVALID_OPTION' })
  assert.throws(() => new URLSafeTimedSerializer('', { format: 'itsdangerous' }), { code: 'FST_LOGIN_INVALID_SECRET' })
  assert.throws(() => new URLSafeTimedSerializer(OLD), { code: 'FST_LOGIN_INVALID_SECRET' })
  assert.equal(typeof new URLSafeTimedSerializer('k', { format: 'itsdangerous' }).dumps(1), 'string')
})

const PY_COOKIES = `
from flask_login.utils import encode_cookie, decode_cookie
result = {
  'encoded': [encode_cookie(value, key=data['key']) for value in data['values']],
  'decoded': [decode_cookie(cookie, key=data['key']) for cookie in data['cookies']]
}
`

test('Flask-Login remember cookies: same bytes both ways, each side decodes the other\'s', () => {
  const values = ['1', 'user@example.com', '佐藤|with bar', '']
  const mine = values.map((value) => encodeCookie(value, SECRET, { format: 'flask-login' }))
  const tampered = mine[0]?.replace(/.$/, (last) => last === '0' ? '1' : '0') as string
  const result = python(PY_COOKIES, { key: SECRET, values, cookies: [...mine, tampered, 'no bar'] }) as { encoded: string[], decoded: unknown[] }
  assert.deepEqual(result.encoded, mine)
  assert.deepEqual(result.decoded, [...values, null, null])
  assert.deepEqual(result.encoded.map((cookie) => decodeCookie(cookie, SECRET, { format: 'flask-login' })), values)
  for (const bad of [tampered, 'no bar', '1|' + 'A'.repeat(128), 'x'.repeat(9000), 7, null]) {
    assert.equal(decodeCookie(bad, SECRET, { format: 'flask-login' }), null)
  }
})

test('Flask-Login remember cookies: a Latin-1 key, a Buffer key, rotation, an unknown format', () => {
  const latin = 'clé secrète'
  const [pythonCookie] = (python(PY_COOKIES, { key: latin, values: ['9'], cookies: [] }) as { encoded: string[] }).encoded
  assert.equal(encodeCookie('9', latin, { format: 'flask-login' }), pythonCookie)
  assert.equal(decodeCookie(pythonCookie, [SECRET, Buffer.from(latin, 'latin1')], { format: 'flask-login' }), '9')
  assert.equal(decodeCookie(pythonCookie, SECRET, { format: 'flask-login' }), null)
  assert.throws(() => encodeCookie('9', SECRET, { format: 'django' as 'flask-login' }), { code: 'FST_LOGIN_INVALID_OPTION' })
  assert.throws(() => decodeCookie('9', SECRET, { format: 'django' as 'flask-login' }), { code: 'FST_LOGIN_INVALID_OPTION' })
})

// itsdangerous' signing written out independently (django-concat key, HMAC-SHA1), to put a genuine
// signature over parts Python would never make
function signRaw (payload: string, timestamp: string, salt = 'reset'): string {
  const key = createHash('sha1').update(salt + 'signer' + SECRET).digest()
  return `${payload}.${timestamp}.${createHmac('sha1', key).update(`${payload}.${timestamp}`).digest('base64url')}`
}

test('a genuine signature over a malformed timestamp or payload is still a BadSignature', (t: TestContext) => {
  atSecond(t)
  const s = new URLSafeTimedSerializer(SECRET, { salt: 'reset', format: 'itsdangerous' })
  const now = Buffer.from(NOW.toString(16), 'hex').toString('base64url')
  const json = (text: string | Buffer): string => Buffer.from(text).toString('base64url')
  assert.equal(s.loads(signRaw(json('"ok"'), now)), 'ok', 'the raw signer is itsdangerous\'')
  const cases: Array<[string, string, RegExp]> = [
    ['signature with trailing bits', signRaw(json('"ok"'), now).replace(/.$/, (last) => last === 'B' ? 'C' : 'B'), /base64url|signature/],
    ['timestamp of seven bytes', signRaw(json('"ok"'), json(Buffer.alloc(7, 1))), /timestamp is malformed/],
    ['timestamp with a leading zero byte', signRaw(json('"ok"'), json(Buffer.from([0, 1]))), /timestamp is malformed/],
    ['non-canonical timestamp', signRaw(json('"ok"'), 'AB'), /timestamp is malformed/],
    ['non-canonical payload', signRaw('eB', now), /canonical/],
    ['compressed garbage', signRaw('.' + json('not zlib'), now), /UTF-8 JSON/],
    ['non-UTF-8 payload', signRaw(json(Buffer.from([0x22, 0xff, 0x22])), now), /UTF-8 JSON/],
    ['not JSON', signRaw(json('{id: 1}'), now), /UTF-8 JSON/],
    ['a time in the future', signRaw(json('"ok"'), Buffer.from((NOW + 120).toString(16), 'hex').toString('base64url')), /future/]
  ]
  for (const [name, token, message] of cases) {
    assert.throws(() => s.loads(token), (err: unknown) => err instanceof BadSignature && message.test(err.message), name)
  }
})
