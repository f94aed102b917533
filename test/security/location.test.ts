// SEC-18: what toSafeLocation makes of a redirect target, and what isSafeLocation lets through.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toSafeLocation } from 'fastify-login'
import { isSafeLocation } from '../helpers/location.js'

const BASE = 'http://testserver/base/'

function expectLocation (cases: Array<[input: string, expected: string]>): void {
  for (const [input, expected] of cases) {
    const actual = toSafeLocation(input)
    assert.equal(actual, expected, `toSafeLocation(${JSON.stringify(input)})`)
    assert.equal(isSafeLocation(actual), true, `isSafeLocation(${JSON.stringify(actual)})`)
  }
}

test('SEC-18: raw non-ASCII is percent-encoded as UTF-8 (Django iri_to_uri expectation)', () => {
  expectLocation([
    ['/else/where/झ/', '/else/where/%E0%A4%9D/'],
    ['/é', '/%C3%A9'],
    ['/\u00ff\u0100', '/%C3%BF%C4%80'],
    ['/caf\u00e9?q=\u2603#\u{1F600}', '/caf%C3%A9?q=%E2%98%83#%F0%9F%98%80'],
    ['/\u0085\u00a0\u3000/', '/%C2%85%C2%A0%E3%80%80/']
  ])
})

test('SEC-18: lone surrogates become U+FFFD instead of throwing', () => {
  expectLocation([
    ['/\ud800', '/%EF%BF%BD'],
    ['/\udc00x\ud83d', '/%EF%BF%BDx%EF%BF%BD']
  ])
})

test('SEC-18: NUL, the other C0 controls, space and DEL inside a value are percent-encoded', () => {
  expectLocation([
    ['/a\x00b', '/a%00b'],
    ['/a b', '/a%20b'],
    ['/a\x7fb', '/a%7Fb'],
    ['/a\x08b\x1bc', '/a%08b%1Bc']
  ])
  for (let code = 0; code < 0x20; code++) {
    if (code === 0x09 || code === 0x0a || code === 0x0d) continue
    const out = toSafeLocation(`/a${String.fromCharCode(code)}b`)
    assert.equal(out, `/a%${code.toString(16).toUpperCase().padStart(2, '0')}b`, `control 0x${code.toString(16)}`)
  }
})

test('SEC-18: tab, CR and LF are removed anywhere, as browsers and isSafeUrl ignore them', () => {
  expectLocation([
    ['/a\r\nSet-Cookie: x=1', '/aSet-Cookie:%20x=1'],
    ['/lol\r\nwat', '/lolwat'],
    ['http://test\nserver/x', 'http://testserver/x'],
    ['/a\tb', '/ab'],
    ['/\t/evil.example', '/%2Fevil.example']
  ])
})

test('SEC-18: whitespace and controls at either end are trimmed, so the checked string goes out', () => {
  expectLocation([
    ['  /x  ', '/x'],
    ['http://testserver\x1f', 'http://testserver'],
    ['http://testserver\u3000', 'http://testserver'],
    ['\u00a0\u2028/x\u0085', '/x'],
    ['\x08//evil.example', '/%2Fevil.example'],
    [' //evil.example', '/%2Fevil.example'],
    ['\x00/x\x00', '/x'],
    [' \t\r\n', '']
  ])
})

test('SEC-18: characters outside the URI grammar are encoded, reserved ones kept', () => {
  expectLocation([
    ['/a"<>`{}|^', '/a%22%3C%3E%60%7B%7D%7C%5E'],
    ["/p:@!$&'()*+,;=?x=[1]#f~-._", "/p:@!$&'()*+,;=?x=[1]#f~-._"],
    ['/a\\b', '/a\\b']
  ])
})

test('SEC-18: valid %XX escapes are kept, a stray % is encoded', () => {
  expectLocation([
    ['/url%20with%20spaces/', '/url%20with%20spaces/'],
    ['/%e0%A4%9d', '/%e0%A4%9d'],
    ['/%', '/%25'],
    ['/%4', '/%254'],
    ['/%zz', '/%25zz'],
    ['/100%', '/100%25'],
    ['/%%41', '/%25%41']
  ])
})

test('SEC-18: a leading // or /\\ never goes out (Django escape_leading_slashes)', () => {
  expectLocation([
    ['//example.com', '/%2Fexample.com'],
    ['//', '/%2F'],
    ['///evil.example', '/%2F/evil.example'],
    ['/\\evil.example', '/%5Cevil.example'],
    ['\\\\evil.example', '\\%5Cevil.example'],
    ['\\/evil.example', '\\%2Fevil.example'],
    ['/', '/'],
    ['/x//y', '/x//y'],
    ['', '']
  ])
})

test('SEC-18: escaped leading slashes resolve to a path on the same origin', () => {
  for (const input of ['//evil.example', '/\\evil.example', '\\\\evil.example', '\\/evil.example', '///evil.example/x']) {
    const resolved = new URL(toSafeLocation(input), BASE)
    assert.equal(resolved.origin, 'http://testserver', input)
  }
})

test('SEC-18: toSafeLocation is idempotent', () => {
  for (const input of ['/else/where/झ/', '//example.com', '/a b%', '/\\x', '/%2F', '\r\n', '/a%20b', '/\ud800', ' \n//x ', '/\x01/']) {
    const once = toSafeLocation(input)
    assert.equal(toSafeLocation(once), once, JSON.stringify(input))
  }
})

test('SEC-18: isSafeLocation refuses raw controls, space, non-ASCII and leading double slashes', () => {
  for (const value of ['/a\rb', '/a\nb', '/a\x00b', '/a\tb', '/a b', '/a\x7f', '/é', '/\ud800', '//x', '/\\x', '\\\\x', '\\/x', ' /x']) {
    assert.equal(isSafeLocation(value), false, JSON.stringify(value))
  }
  for (const value of ['/', '/x', '/x//y', 'http://testserver/x?y=%0D%0A', '/%2Fexample.com', '\\x', '']) {
    assert.equal(isSafeLocation(value), true, JSON.stringify(value))
  }
  assert.equal(isSafeLocation(42 as unknown as string), false, 'a non-string is not a Location')
})
