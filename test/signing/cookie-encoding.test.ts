import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import FakeTimers from '@sinonjs/fake-timers'
import fc from 'fast-check'
import { encodeCookie, decodeCookie, URLSafeTimedSerializer } from 'fastify-login'

// the salt of encodeCookie's format (documented in README.md)
const COOKIE_SALT = 'fastify-login.cookie'

const SECRET = 'a-secret-of-at-least-32-bytes-for-tests'
const OTHER_SECRET = 'another-secret-of-at-least-32-bytes!!'
const COOKIE_CHARS = /^[A-Za-z0-9_.-]+$/
// Flask-Login's golden vector (key "deterministic", payload "1"): not this plugin's format.
const FLASK_LOGIN_VECTOR = '1|0e9e6e9855fbe6df7906ec4737578a1d491b38d3fd5246c1561016e189d6516043286501ca43257c938e60aad77acec5ce916b94ca9d00c0bb6f9883ae4b82ae'

function assertInvalid (fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TypeError)
    assert.equal((err as { code?: string }).code, code)
    assert.match((err as Error).message, message)
    return true
  })
}

// Flask-Login: test_cookie_encoding
test('encodeCookie/decodeCookie round-trip; forged values decode to null', () => {
  const cookie = encodeCookie('1', SECRET)
  assert.match(cookie, COOKIE_CHARS)
  assert.equal(cookie.split('.').length, 3)
  assert.equal(decodeCookie(cookie, SECRET), '1')
  assert.equal(decodeCookie('Foo|BAD_BASH', SECRET), null)
  assert.equal(decodeCookie('no bar', SECRET), null)
})

// Flask-Login: test_cookie_encoding_with_key
test('the secret passed decides: another key decodes to null, a Buffer key works alike', () => {
  const cookie = encodeCookie('1', SECRET)
  assert.equal(decodeCookie(cookie, OTHER_SECRET), null)
  assert.equal(decodeCookie(cookie, Buffer.from(SECRET)), '1')
  assert.equal(decodeCookie(encodeCookie('1', Buffer.from(OTHER_SECRET)), OTHER_SECRET), '1')
})

test('the Flask-Login id|hmac-sha512 format is not accepted', () => {
  // Flask-Login's key "deterministic" is under 32 bytes, so it is repeated to be usable here.
  assert.equal(decodeCookie(FLASK_LOGIN_VECTOR, 'deterministic'.repeat(3)), null)
  const sameKey = '1|' + createHmac('sha512', SECRET).update('1').digest('hex')
  assert.equal(decodeCookie(sameKey, SECRET), null)
})

test('ids with separators, quotes, control characters and non-ASCII round-trip cookie-safe', () => {
  const ids = ['佐藤', 'Müller', 'a.b', 'a|b', 'a;b', 'a,b', '"q"', "'q'", 'a\r\nSet-Cookie: x=1', 'nul\u0000', '', '__proto__', 'constructor', '🔑']
  for (const id of ids) {
    const cookie = encodeCookie(id, SECRET)
    assert.match(cookie, COOKIE_CHARS)
    assert.equal(decodeCookie(cookie, SECRET), id)
  }
})

test('property: any string round-trips; any single-character change decodes to null', () => {
  // Any code points, lone surrogates included (fc.string's unicode units are slow to start up).
  const anyString = fc.array(fc.nat({ max: 0x10ffff }), { maxLength: 200 })
    .map((codePoints) => codePoints.map((codePoint) => String.fromCodePoint(codePoint)).join(''))
  fc.assert(fc.property(anyString, (id) => {
    assert.equal(decodeCookie(encodeCookie(id, SECRET), SECRET), id)
  }), { numRuns: 300 })
  const cookie = encodeCookie('42', SECRET)
  fc.assert(fc.property(fc.nat({ max: cookie.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }), (index, char) => {
    fc.pre(cookie[index] !== char)
    assert.equal(decodeCookie(cookie.slice(0, index) + char + cookie.slice(index + 1), SECRET), null)
  }), { numRuns: 1000 })
})

test('the cookie salt is its own: serializer tokens and cookies do not cross', () => {
  const apiToken = new URLSafeTimedSerializer(SECRET).dumps('1')
  assert.equal(decodeCookie(apiToken, SECRET), null)
  assert.throws(() => new URLSafeTimedSerializer(SECRET).loads(encodeCookie('1', SECRET)), { code: 'FST_LOGIN_BAD_SIGNATURE' })
  assert.equal(new URLSafeTimedSerializer(SECRET, { salt: COOKIE_SALT }).loads(encodeCookie('1', SECRET)), '1')
})

test('a genuine cookie-salt token whose value is not a string decodes to null', () => {
  const serializer = new URLSafeTimedSerializer(SECRET, { salt: COOKIE_SALT })
  for (const value of [1, null, true, ['1'], { id: '1' }]) {
    assert.equal(decodeCookie(serializer.dumps(value), SECRET), null)
  }
})

test('key rotation: a cookie signed with an older listed secret decodes, a removed one does not', () => {
  const old = encodeCookie('7', OTHER_SECRET)
  assert.equal(decodeCookie(old, [SECRET, OTHER_SECRET]), '7')
  assert.equal(decodeCookie(old, [SECRET]), null)
  assert.equal(decodeCookie(encodeCookie('7', [SECRET, OTHER_SECRET]), SECRET), '7')
})

test('decodeCookie never throws on hostile cookies, and returns null', () => {
  const cookie = encodeCookie('1', SECRET)
  const [payload, timestamp, signature] = cookie.split('.') as [string, string, string]
  const inputs: unknown[] = [
    undefined, null, 0, 1, true, {}, [], [cookie], Buffer.from(cookie), Symbol('s'),
    '', '.', '..', '|', cookie.slice(0, -1), cookie + 'x', cookie + ';', `"${cookie}"`,
    encodeURIComponent(cookie + '|'), cookie.toUpperCase(),
    `${payload}.${timestamp}.${signature.toUpperCase()}`,
    `${encodeCookie('2', SECRET).split('.')[0]}.${timestamp}.${signature}`,
    'a'.repeat(100_000), Buffer.from([0xff, 0xfe, 0x80]).toString('latin1'),
    `${payload}.${timestamp}.${createHmac('sha512', SECRET).update(`${payload}.${timestamp}`).digest('base64url')}`
  ]
  for (const input of inputs) {
    assert.equal(decodeCookie(input, SECRET), null)
  }
})

test('cookies do not expire by themselves (the remember cookie checks its own duration)', (t: TestContext) => {
  const clock = FakeTimers.install({ now: Date.UTC(2026, 0, 1), toFake: ['Date'] })
  t.after(() => clock.uninstall())
  const cookie = encodeCookie('1', SECRET)
  clock.tick(400 * 24 * 3600 * 1000)
  assert.equal(decodeCookie(cookie, SECRET), '1')
})

test('encodeCookie requires a string value (FST_LOGIN_INVALID_VALUE)', () => {
  for (const value of [1, null, undefined, { id: 1 }, ['1']]) {
    assertInvalid(() => encodeCookie(value as unknown as string, SECRET), 'FST_LOGIN_INVALID_VALUE', /needs a string value/)
  }
  assertInvalid(() => encodeCookie(null as unknown as string, SECRET), 'FST_LOGIN_INVALID_VALUE', /got null/)
})

test('an unusable secret throws FST_LOGIN_INVALID_SECRET from both functions', () => {
  for (const secret of [undefined, 'short', [], [SECRET, 42]]) {
    assertInvalid(() => encodeCookie('1', secret as string), 'FST_LOGIN_INVALID_SECRET', /secret/)
    assertInvalid(() => decodeCookie('x', secret as string), 'FST_LOGIN_INVALID_SECRET', /secret/)
  }
})
