import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import FakeTimers from '@sinonjs/fake-timers'
import fc from 'fast-check'
import {
  URLSafeTimedSerializer,
  BadSignature,
  SignatureExpired,
  MAX_TOKEN_LENGTH
} from 'fastify-login'

// tokens issued up to a minute in the future are accepted (clock skew between machines)
const MAX_CLOCK_SKEW_SECONDS = 60

const SECRET = 'a-secret-of-at-least-32-bytes-for-tests'
const OLD_SECRET = 'an-older-secret-also-32-bytes-long-!!'
const REMOVED_SECRET = 'a-removed-secret-that-is-32-bytes-long'
const TOKEN_CHARS = /^[A-Za-z0-9_.-]+$/
// 2026-01-01T00:00:00Z
const NOW = Date.UTC(2026, 0, 1)

// The documented format, written independently of lib/signing/serializer.ts (see docs/readme-serializer.md).
function signRaw (secret: string | Buffer, salt: string, payload: string, timestamp: string): string {
  const key = createHmac('sha256', secret).update('fastify-login:' + salt).digest()
  const signature = createHmac('sha256', key).update(`${payload}.${timestamp}`).digest('base64url')
  return `${payload}.${timestamp}.${signature}`
}

function b64 (text: string | Buffer): string {
  return Buffer.from(text).toString('base64url')
}

function timestampPart (seconds: number): string {
  let hex = seconds.toString(16)
  if (hex.length % 2 === 1) hex = '0' + hex
  return Buffer.from(hex, 'hex').toString('base64url')
}

function assertBad (fn: () => unknown, message?: RegExp, label = ''): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BadSignature, `${label}: expected BadSignature, got ${String(err)}`)
    assert.ok(!(err instanceof SignatureExpired))
    assert.equal(err.code, 'FST_LOGIN_BAD_SIGNATURE')
    assert.equal(err.name, 'BadSignature')
    if (message) assert.match(err.message, message, label)
    return true
  })
}

function withClock (t: TestContext, now = NOW): ReturnType<typeof FakeTimers.install> {
  const clock = FakeTimers.install({ now, toFake: ['Date'] })
  t.after(() => clock.uninstall())
  return clock
}

test('dumps/loads round-trips JSON values, ids with separators and non-ASCII', (t: TestContext) => {
  const s = new URLSafeTimedSerializer(SECRET)
  const values: unknown[] = [
    0, 1, -1.5, 1e300, true, false, null, '', 'x', '1', '佐藤', 'Müller', '🔑 emoji',
    'id.with.dots', 'a|b', 'a;b,c', '"quoted"', "'single'", 'line\r\nbreak', 'nul\u0000byte',
    '__proto__', 'constructor', '%2F%00', [], [1, 'two', null], {},
    { id: '佐藤', nested: { list: [1, 2, 3], empty: '' } }, JSON.parse('{"__proto__":{"x":1}}')
  ]
  for (const value of values) {
    const token = s.dumps(value)
    t.assert.match(token, TOKEN_CHARS)
    t.assert.deepStrictEqual(s.loads(token), value)
  }
})

test('property: any JSON value round-trips and the token is URL- and cookie-safe', () => {
  const s = new URLSafeTimedSerializer(SECRET)
  fc.assert(fc.property(fc.jsonValue(), (value) => {
    const token = s.dumps(value)
    assert.match(token, TOKEN_CHARS)
    assert.deepStrictEqual(s.loads(token), JSON.parse(JSON.stringify(value)))
  }), { numRuns: 500 })
})

test('property: any single-character change of a token is a BadSignature', () => {
  const s = new URLSafeTimedSerializer(SECRET)
  const token = s.dumps({ id: '42', hash: 'abc' })
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.|%=+/ '
  fc.assert(fc.property(
    fc.nat({ max: token.length - 1 }),
    fc.constantFrom(...alphabet),
    (index, char) => {
      fc.pre(token[index] !== char)
      assertBad(() => s.loads(token.slice(0, index) + char + token.slice(index + 1)))
    }
  ), { numRuns: 1000 })
})

test('token format: base64url(JSON).base64url(big-endian seconds).base64url(HMAC-SHA256)', (t: TestContext) => {
  withClock(t)
  const s = new URLSafeTimedSerializer(SECRET)
  const token = s.dumps({ id: '1' })
  const seconds = NOW / 1000
  t.assert.equal(token, signRaw(SECRET, 'fastify-login', b64('{"id":"1"}'), timestampPart(seconds)))
  t.assert.equal(token.split('.').length, 3)
  t.assert.deepStrictEqual(s.loadsWithMeta(token), { value: { id: '1' }, issuedAt: seconds, renew: false })
})

test('the issue time at the epoch and at the largest supported value', (t: TestContext) => {
  const clock = withClock(t, 0)
  const s = new URLSafeTimedSerializer(SECRET)
  const atEpoch = s.dumps('x')
  t.assert.equal(atEpoch.split('.')[1], 'AA')
  t.assert.equal(s.loadsWithMeta(atEpoch).issuedAt, 0)
  clock.setSystemTime(-5000)
  t.assert.equal(s.loadsWithMeta(s.dumps('x')).issuedAt, 0, 'a clock before 1970 counts as 0')
  const max = 2 ** 48 - 1
  clock.setSystemTime(max * 1000)
  const far = s.dumps('x')
  t.assert.equal(far.split('.')[1], timestampPart(max))
  t.assert.equal(s.loadsWithMeta(far).issuedAt, max)
})

test('a salt separates purposes', () => {
  const a = new URLSafeTimedSerializer(SECRET, { salt: 'api-token' })
  const b = new URLSafeTimedSerializer(SECRET, { salt: 'password-reset' })
  const byDefault = new URLSafeTimedSerializer(SECRET)
  const explicitDefault = new URLSafeTimedSerializer(SECRET, { salt: 'fastify-login' })
  const token = a.dumps('42')
  assert.equal(a.loads(token), '42')
  assertBad(() => b.loads(token), /signature does not match/)
  assertBad(() => byDefault.loads(token))
  assert.equal(explicitDefault.loads(byDefault.dumps('42')), '42')
})

test('maxAge: valid at maxAge seconds, SignatureExpired one second later', (t: TestContext) => {
  const clock = withClock(t)
  const s = new URLSafeTimedSerializer(SECRET)
  const token = s.dumps({ id: 7 })
  const issuedAt = NOW / 1000

  clock.tick(3600 * 1000)
  t.assert.deepStrictEqual(s.loads(token, { maxAge: 3600 }), { id: 7 })
  t.assert.deepStrictEqual(s.loads(token), { id: 7 }, 'no maxAge: no expiry')
  t.assert.deepStrictEqual(s.loads(token, { maxAge: null }), { id: 7 })

  clock.tick(1000)
  t.assert.throws(() => s.loads(token, { maxAge: 3600 }), (err: unknown) => {
    t.assert.ok(err instanceof SignatureExpired)
    t.assert.ok(err instanceof BadSignature)
    t.assert.equal(err.code, 'FST_LOGIN_SIGNATURE_EXPIRED')
    t.assert.equal(err.name, 'SignatureExpired')
    t.assert.equal(err.issuedAt, issuedAt)
    t.assert.match(err.message, /maxAge 3600s/)
    return true
  })
  t.assert.throws(() => s.loadsWithMeta(token, { maxAge: 3600 }), SignatureExpired)
})

test('maxAge 0 accepts a token only within the second it was issued', (t: TestContext) => {
  const clock = withClock(t)
  const s = new URLSafeTimedSerializer(SECRET)
  const token = s.dumps('x')
  clock.tick(999)
  assert.equal(s.loads(token, { maxAge: 0 }), 'x')
  clock.tick(1)
  assert.throws(() => s.loads(token, { maxAge: 0 }), SignatureExpired)
})

test('an issue time in the future beyond the clock skew is a BadSignature', (t: TestContext) => {
  const clock = withClock(t)
  const s = new URLSafeTimedSerializer(SECRET)
  const token = s.dumps('x')
  clock.setSystemTime(NOW - MAX_CLOCK_SKEW_SECONDS * 1000)
  t.assert.equal(s.loads(token), 'x', 'within the skew')
  clock.setSystemTime(NOW - (MAX_CLOCK_SKEW_SECONDS + 1) * 1000)
  assertBad(() => s.loads(token), /future/)
})

test('maxAge must be a finite number of seconds >= 0', () => {
  const s = new URLSafeTimedSerializer(SECRET)
  const token = s.dumps('x')
  for (const maxAge of [-1, Number.NaN, Infinity, '60', {}]) {
    assert.throws(() => s.loads(token, { maxAge: maxAge as number }), (err: unknown) => {
      assert.ok(err instanceof TypeError)
      assert.equal((err as { code?: string }).code, 'FST_LOGIN_INVALID_OPTION')
      assert.match((err as Error).message, /maxAge/)
      return true
    })
  }
})

test('key rotation: the first secret signs, older secrets verify with renew, removed ones fail', () => {
  const before = new URLSafeTimedSerializer([OLD_SECRET, REMOVED_SECRET])
  const rotated = new URLSafeTimedSerializer([SECRET, OLD_SECRET])
  const oldToken = before.dumps({ id: '1' })
  const removedToken = new URLSafeTimedSerializer(REMOVED_SECRET).dumps({ id: '1' })

  assert.deepStrictEqual(rotated.loadsWithMeta(oldToken).value, { id: '1' })
  assert.equal(rotated.loadsWithMeta(oldToken).renew, true)
  assert.deepStrictEqual(rotated.loads(oldToken), { id: '1' })
  assertBad(() => rotated.loads(removedToken), /signature does not match/)

  const fresh = rotated.dumps({ id: '1' })
  assert.equal(rotated.loadsWithMeta(fresh).renew, false)
  assert.deepStrictEqual(new URLSafeTimedSerializer(SECRET).loads(fresh), { id: '1' }, 'signed with the first secret')
  assertBad(() => new URLSafeTimedSerializer(OLD_SECRET).loads(fresh))
})

// Flask-Login: test_bytes, test_native, test_default (SecretKeyTestCase). Flask-Login encodes a
// str key as latin-1; this plugin uses UTF-8 (its token format is its own, not Flask-Login's).
test('a Buffer secret and the same string secret sign alike; strings are UTF-8', () => {
  const fromString = new URLSafeTimedSerializer(SECRET)
  const fromBuffer = new URLSafeTimedSerializer(Buffer.from(SECRET))
  assert.equal(fromBuffer.loads(fromString.dumps('1')), '1')
  assert.equal(fromString.loads(fromBuffer.dumps('1')), '1')

  const unicode = 'clé-secrète-avec-accents-éèà-0123456789'
  const utf8 = new URLSafeTimedSerializer(Buffer.from(unicode, 'utf8'))
  const latin1 = new URLSafeTimedSerializer(Buffer.from(unicode, 'latin1'))
  const token = new URLSafeTimedSerializer(unicode).dumps('1')
  assert.equal(utf8.loads(token), '1')
  assertBad(() => latin1.loads(token))
})

test('malformed tokens from the hostile-input families are BadSignature, never another error', () => {
  const s = new URLSafeTimedSerializer(SECRET)
  const token = s.dumps('1')
  const [payload, timestamp, signature] = token.split('.') as [string, string, string]
  const other = s.dumps('2')
  const sha512 = createHmac('sha512', SECRET).update(`${payload}.${timestamp}`).digest('base64url')
  const flaskLogin = '1|' + createHmac('sha512', SECRET).update('1').digest('hex')

  const cases: Array<[string, unknown, RegExp]> = [
    ['empty', '', /empty/],
    ['separator only', '.', /base64url/],
    ['two separators', '..', /base64url/],
    ['two parts', `${payload}.${signature}`, /base64url/],
    ['four parts', `${token}.${signature}`, /base64url/],
    ['truncated signature', token.slice(0, -1), /base64url/],
    ['signature cut in half', token.slice(0, -20), /base64url/],
    ['no signature', `${payload}.${timestamp}.`, /base64url/],
    ['trailing garbage', token + 'x', /base64url/],
    ['trailing space', token + ' ', /base64url/],
    ['trailing newline', token + '\n', /base64url/],
    ['leading space', ' ' + token, /base64url/],
    ['upper-cased signature', `${payload}.${timestamp}.${signature.toUpperCase()}`, /signature does not match/],
    ['upper-cased token', token.toUpperCase(), /signature does not match/],
    ['standard base64 signature', `${payload}.${timestamp}.${signature.replaceAll('-', '+').replaceAll('_', '/')}=`, /base64url/],
    ['padded payload', `${payload}=.${timestamp}.${signature}`, /base64url/],
    ['payload swapped under a valid signature', `${other.split('.')[0]}.${timestamp}.${signature}`, /signature does not match/],
    ['timestamp swapped under a valid signature', `${payload}.${timestampPart(1)}.${signature}`, /signature does not match/],
    ['quoted', `"${token}"`, /base64url/],
    ['percent-encoded', encodeURIComponent(`${token}|`), /base64url/],
    ['percent-encoded dot', token.replaceAll('.', '%2E'), /base64url/],
    ['100 000 characters', 'a'.repeat(100_000), /longer than 8192/],
    ['valid token padded to 100 000 characters', token + 'A'.repeat(100_000), /longer than 8192/],
    ['non-UTF-8 bytes', Buffer.from([0xff, 0xfe, 0x2e, 0x80]).toString('latin1'), /base64url/],
    ['lone surrogate', `${payload}\ud800.${timestamp}.${signature}`, /base64url/],
    ['NUL', `${payload}\u0000.${timestamp}.${signature}`, /base64url/],
    ['another algorithm (HMAC-SHA512)', `${payload}.${timestamp}.${sha512}`, /base64url/],
    ['Flask-Login id|hmac-sha512', flaskLogin, /base64url/],
    ['unicode look-alike dot', token.replace('.', '\u2024'), /base64url/]
  ]
  for (const [name, input, message] of cases) {
    assertBad(() => s.loads(input as string), message, name)
    assertBad(() => s.loadsWithMeta(input as string), message, name)
  }
})

test('non-string tokens are BadSignature', () => {
  const s = new URLSafeTimedSerializer(SECRET)
  const token = s.dumps('1')
  for (const input of [undefined, null, 0, 1, true, {}, [], [token], Buffer.from(token), Symbol('x'), () => token]) {
    assertBad(() => s.loads(input as unknown as string), /not a string/)
  }
})

test('a genuine signature over a malformed payload or timestamp is still a BadSignature', (t: TestContext) => {
  withClock(t)
  const s = new URLSafeTimedSerializer(SECRET)
  const ts = timestampPart(NOW / 1000)
  const ok = signRaw(SECRET, 'fastify-login', b64('"ok"'), ts)
  t.assert.equal(s.loads(ok), 'ok', 'the raw signer matches the serializer')

  const payloadCases: Array<[string, string, RegExp]> = [
    ['not JSON', b64('{id: 1}'), /JSON/],
    ['empty JSON', b64(' '), /JSON/],
    ['non-UTF-8 bytes', b64(Buffer.from([0x22, 0xff, 0xfe, 0x22])), /JSON/],
    ['UTF-8 BOM before JSON', b64(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('"x"')])), /JSON/],
    ['non-canonical base64url (trailing bits)', 'eB', /canonical/],
    ['impossible base64url length', b64('"x"') + 'A', /canonical/]
  ]
  for (const [name, payload, message] of payloadCases) {
    assertBad(() => s.loads(signRaw(SECRET, 'fastify-login', payload, ts)), message, name)
  }

  const timestampCases: Array<[string, string]> = [
    ['leading zero byte', b64(Buffer.from([0, 1]))],
    ['seven bytes', b64(Buffer.from([1, 0, 0, 0, 0, 0, 0]))],
    ['non-canonical base64url', 'AB'],
    ['one character', 'A'],
    ['eight bytes', b64(Buffer.alloc(8, 1))]
  ]
  for (const [name, timestamp] of timestampCases) {
    assertBad(() => s.loads(signRaw(SECRET, 'fastify-login', b64('"x"'), timestamp)), /timestamp is malformed/, name)
  }
})

test('dumps refuses values JSON cannot represent', () => {
  const s = new URLSafeTimedSerializer(SECRET)
  const cycle: Record<string, unknown> = {}
  cycle.self = cycle
  const throwing = { toJSON () { throw new Error('boom') } }
  for (const value of [undefined, () => 1, Symbol('s'), 10n, cycle, { big: 1n }, throwing]) {
    assert.throws(() => s.dumps(value), (err: unknown) => {
      assert.ok(err instanceof TypeError)
      assert.equal((err as { code?: string }).code, 'FST_LOGIN_INVALID_VALUE')
      assert.match((err as Error).message, /cannot be serialized as JSON/)
      return true
    })
  }
})

test('dumps refuses a value whose token would exceed MAX_TOKEN_LENGTH', () => {
  const s = new URLSafeTimedSerializer(SECRET)
  assert.equal(MAX_TOKEN_LENGTH, 8192)
  // base64url grows 4/3; the timestamp and signature take about 52 more characters.
  const fits = 'x'.repeat(6000)
  assert.equal(s.loads(s.dumps(fits)), fits)
  assert.throws(() => s.dumps('x'.repeat(6200)), (err: unknown) => {
    assert.ok(err instanceof TypeError)
    assert.equal((err as { code?: string }).code, 'FST_LOGIN_INVALID_VALUE')
    assert.match((err as Error).message, /too large/)
    return true
  })
})

test('secrets are validated with FST_LOGIN_INVALID_SECRET', () => {
  const cases: Array<[unknown, RegExp]> = [
    [undefined, /secret is required/],
    [null, /secret is required/],
    [[], /array is empty/],
    ['', /index 0 is 0 bytes; at least 32/],
    ['short', /index 0 is 5 bytes/],
    [Buffer.alloc(31), /index 0 is 31 bytes/],
    ['x'.repeat(31), /31 bytes/],
    [[SECRET, 'short'], /index 1 is 5 bytes/],
    [[SECRET, 42], /index 1 must be a string or Buffer, got number/],
    [[null], /index 0 must be a string or Buffer, got null/],
    [42, /got number/],
    [{ secret: SECRET }, /got object/],
    [new Uint8Array(40), /got object/]
  ]
  for (const [secret, message] of cases) {
    assert.throws(() => new URLSafeTimedSerializer(secret as string), (err: unknown) => {
      assert.ok(err instanceof TypeError)
      assert.equal((err as { code?: string }).code, 'FST_LOGIN_INVALID_SECRET')
      assert.match((err as Error).message, message)
      return true
    })
  }
  // 32 bytes, counted as UTF-8: 16 two-byte characters are enough.
  assert.ok(new URLSafeTimedSerializer('é'.repeat(16)))
  assert.ok(new URLSafeTimedSerializer(Buffer.alloc(32, 7)))
})

test('salt must be a non-empty string (FST_LOGIN_INVALID_OPTION)', () => {
  for (const salt of ['', 42, null, {}]) {
    assert.throws(() => new URLSafeTimedSerializer(SECRET, { salt: salt as string }), (err: unknown) => {
      assert.ok(err instanceof TypeError)
      assert.equal((err as { code?: string }).code, 'FST_LOGIN_INVALID_OPTION')
      assert.match((err as Error).message, /salt/)
      return true
    })
  }
  // undefined and a missing options object fall back to the default salt
  const token = new URLSafeTimedSerializer(SECRET, { salt: undefined }).dumps(1)
  assert.equal(new URLSafeTimedSerializer(SECRET, null as unknown as undefined).loads(token), 1)
})

test('SignatureExpired instanceof BadSignature instanceof Error', () => {
  const expired = new SignatureExpired(10, 5)
  assert.ok(expired instanceof SignatureExpired)
  assert.ok(expired instanceof BadSignature)
  assert.ok(expired instanceof Error)
  assert.equal(expired.issuedAt, 10)
  const bad = new BadSignature('x')
  assert.ok(bad instanceof Error)
  assert.ok(!(bad instanceof SignatureExpired))
  assert.equal(bad.message, 'fastify-login: x')
})
