// SEC-17: isSafeUrl against Django's URLHasAllowedHostAndSchemeTests corpus (tests/utils_tests/
// test_http.py, every string of every method) and the hostile `next` family of security.md §3.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isSafeUrl, type IsSafeUrlOptions } from 'fastify-login'

// isSafeUrl refuses URLs longer than this (Django 2025, CVE-2025-27556)
const MAX_URL_LENGTH = 2048

interface Case { url: string, expected: boolean, options: IsSafeUrlOptions | null }

function table (name: string, cases: Case[]): void {
  test(name, () => {
    for (const { url, expected, options } of cases) {
      assert.equal(isSafeUrl(url, options), expected,
        `isSafeUrl(${JSON.stringify(url)}, ${JSON.stringify(options, (_k, v: unknown) => v instanceof Set ? [...v] : v)}) should be ${expected}`)
    }
  })
}

const TEST_HOSTS = { allowedHosts: new Set(['testserver', 'testserver2']) }
const OTHER_HOSTS = { allowedHosts: new Set(['otherserver', 'testserver']) }

// Django: URLHasAllowedHostAndSchemeTests.test_bad_urls (allowed_hosts={"testserver", "testserver2"}).
const DJANGO_BAD_URLS = [
  'http://example.com',
  'http:///example.com',
  'https://example.com',
  'ftp://example.com',
  '\\\\example.com',
  '\\\\\\example.com',
  '/\\\\/example.com',
  '\\\\\\example.com',
  '\\\\example.com',
  '\\\\//example.com',
  '/\\/example.com',
  '\\/example.com',
  '/\\example.com',
  'http:///example.com',
  'http:/\\//example.com',
  'http:\\/example.com',
  'http:/\\example.com',
  'javascript:alert("XSS")',
  '\njavascript:alert(x)',
  'java\nscript:alert(x)',
  '\x08//example.com',
  'http://otherserver\\@example.com',
  'http:\\\\testserver\\@example.com',
  'http://testserver\\me:pass@example.com',
  'http://testserver\\@example.com',
  'http:\\\\testserver\\confirm\\me@example.com',
  'http:999999999',
  'ftp:9999999999',
  '\n',
  'http://[2001:cdba:0000:0000:0000:0000:3257:9652/',
  'http://2001:cdba:0000:0000:0000:0000:3257:9652]/'
]

// Django: URLHasAllowedHostAndSchemeTests.test_good_urls (allowed_hosts={"otherserver", "testserver"}).
const DJANGO_GOOD_URLS = [
  '/view/?param=http://example.com',
  '/view/?param=https://example.com',
  '/view?param=ftp://example.com',
  'view/?param=//example.com',
  'https://testserver/',
  'HTTPS://testserver/',
  '//testserver/',
  'http://testserver/confirm?email=me@example.com',
  '/url%20with%20spaces/',
  'path/http:2222222222'
]

// Django: test_max_url_length (allowed_hosts={"example.com"}): 2048 code points pass, 2049 do not.
const BOUNDARY_URL = 'example.com/' + 'é'.repeat(MAX_URL_LENGTH - 'example.com'.length - 1)

const DJANGO_CORPUS: Array<[method: string, Case[]]> = [
  ['test_bad_urls', DJANGO_BAD_URLS.map((url) => ({ url, expected: false, options: TEST_HOSTS }))],
  ['test_good_urls', DJANGO_GOOD_URLS.map((url) => ({ url, expected: true, options: OTHER_HOSTS }))],
  ['test_basic_auth', [
    { url: 'http://user:pass@testserver/', expected: true, options: { allowedHosts: new Set(['user:pass@testserver']) } }
  ]],
  ['test_no_allowed_hosts', [
    { url: '/confirm/me@example.com', expected: true, options: { allowedHosts: null } },
    { url: 'http://testserver\\@example.com', expected: false, options: { allowedHosts: null } }
  ]],
  ['test_allowed_hosts_str', [
    { url: 'http://good.com/good', expected: true, options: { allowedHosts: 'good.com' } },
    { url: 'http://good.co/evil', expected: false, options: { allowedHosts: 'good.com' } }
  ]],
  ['test_secure_param_https_urls', ['https://example.com/p', 'HTTPS://example.com/p', '/view/?param=http://example.com']
    .map((url) => ({ url, expected: true, options: { allowedHosts: new Set(['example.com']), requireHttps: true } }))],
  ['test_secure_param_non_https_urls', ['http://example.com/p', 'ftp://example.com/p', '//example.com/p']
    .map((url) => ({ url, expected: false, options: { allowedHosts: new Set(['example.com']), requireHttps: true } }))],
  ['test_max_url_length', [
    { url: BOUNDARY_URL, expected: true, options: { allowedHosts: new Set(['example.com']) } },
    { url: BOUNDARY_URL + 'ú', expected: false, options: { allowedHosts: new Set(['example.com']) } }
  ]]
]

for (const [method, cases] of DJANGO_CORPUS) {
  table(`SEC-17: Django URLHasAllowedHostAndSchemeTests.${method} (${cases.length} strings)`, cases)
}

test('SEC-17: the Django corpus holds 54 strings and isSafeUrl agrees with every one', () => {
  const all = DJANGO_CORPUS.flatMap(([, cases]) => cases)
  assert.equal(all.length, 54)
  assert.equal(all.filter(({ url, expected, options }) => isSafeUrl(url, options) === expected).length, 54)
})

// security.md §3, the `next` family. testserver is the site; evil.example is the attacker.
const SITE = { allowedHosts: ['testserver'] }
const REJECT = (urls: string[], options: IsSafeUrlOptions | null = SITE): Case[] =>
  urls.map((url) => ({ url, expected: false, options }))
const ACCEPT = (urls: string[], options: IsSafeUrlOptions | null = SITE): Case[] =>
  urls.map((url) => ({ url, expected: true, options }))

table('SEC-17: absolute URLs to other hosts are refused', REJECT([
  'http://evil.example/', 'https://evil.example/login', 'HTTP://EVIL.EXAMPLE', 'http://testserver.evil.example/',
  'http://evil.example/testserver', 'https://testserver2/', 'http://testserver:8080/', 'http://testserver./',
  'http://127.0.0.1/', 'http://[::1]/', 'http://%74estserver/'
]))

table('SEC-17: scheme-relative and slash-heavy URLs to other hosts are refused', REJECT([
  '//evil.example', '//evil.example/path', '///evil.example', '////evil.example', '/////evil.example/x',
  '//', '//?next=x', '//#frag', '// evil.example', '//evil.example:443'
]))

table('SEC-17: backslash variants are refused', REJECT([
  '\\\\evil.example', '\\/evil.example', '/\\evil.example', '\\\\\\evil.example', '/\\/evil.example',
  'https:\\\\evil.example', 'https:/\\evil.example', 'http:\\\\testserver\\@evil.example',
  '//testserver\\@evil.example', '/\\'
]))

// Read with `\` as `/` this is //testserver/@evil.example: the site itself, so it passes (as in Django).
table('SEC-17: a backslash URL that browsers resolve to the site itself passes', ACCEPT(['\\\\testserver\\@evil.example']))

table('SEC-17: control characters and whitespace around or inside the scheme are refused', REJECT([
  '\x00//evil.example', '\x01http://evil.example', '\x1f//evil.example', '\x7f//evil.example',
  '\x08/path', '\u200b/path', '\ufeff/path', '\u00ad/path', '\ud800/path', '\udc00//evil.example',
  '\uE000/path', '\u{10FFFF}/path', '\u0378/path',
  ' //evil.example', '\t//evil.example', '\r\n//evil.example', '\u3000//evil.example', '\xa0//evil.example',
  '/\t/evil.example', '/\n/evil.example', '/\r/evil.example', '/\t//evil.example', '\\\t\\evil.example',
  'ht\ttp://evil.example', 'http\n://evil.example', 'http:/\t/evil.example', 'java\tscript:alert(1)'
]))

// Django accepts these (its `///` test runs before urlsplit drops the tab; `//` has an empty host);
// a browser reads the first as //evil.example and cannot resolve the others.
table('SEC-17: stricter than Django: hidden triple slashes and empty authorities are refused', REJECT([
  '/\t//evil.example', '/\n//evil.example', '//\r//evil.example', '//', '//?x', '//#x', '\\/', '/\\?x'
]))

table('SEC-17: javascript:, data: and other schemes are refused', REJECT([
  'javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', '\u3000javascript:alert(1)',
  'javascript://testserver/%0Aalert(1)', 'data:text/html,<script>alert(1)</script>',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', 'vbscript:msgbox(1)',
  'ftp://testserver/', 'file:///etc/passwd', 'mailto:a@testserver', 'blob:https://testserver/1',
  'testserver:80/x', 'http:evil.example', 'https:/evil.example', 'http:', 'https://'
]))

table('SEC-17: userinfo tricks are refused', REJECT([
  'http://testserver@evil.example/', 'http://testserver:80@evil.example/', 'http://evil.example@testserver/',
  '//testserver@evil.example', '//user:pass@testserver/', 'http://testserver%40evil.example/',
  'http://testserver\\@evil.example/', 'http:\\\\testserver\\@evil.example/', 'http://testserver;@evil.example/'
]))

table('SEC-17: Unicode dots, full-width letters and slashes in hosts are refused', REJECT([
  '//evil\u3002example', 'http://evil\uff0eexample/', '//testserver\u3002', 'http://ｔｅｓｔｓｅｒｖｅｒ/',
  '//\u212Aeep.example', '//evil.example\uff0f@testserver', 'http://evil.example\uff03@testserver/',
  'http://testserver\uff1a80/', 'http://evil.example\u2100/', 'https://evil.example\uff1f.testserver/'
]))

table('SEC-17: paths with full-width slashes, Unicode dots or percent-encoded slashes stay relative', ACCEPT([
  '\uff0f\uff0fevil.example', '/\uff0fevil.example', '/%2F/evil.example', '/%2f%2fevil.example',
  '%2F%2Fevil.example', '/%5C/evil.example', '/..//evil.example', '/a/../..//evil.example', '/\u3002/x',
  '/path?next=//evil.example', '/path#//evil.example', '/é/झ/', '/a b', '/x\x00y'
]))

table('SEC-17: CR/LF inside a value is removed before checking, as browsers do', [
  ...REJECT(['/\r\n/evil.example', '/\r\n\r\n//evil.example', 'http://evil.example\r\n/']),
  ...ACCEPT(['/path\r\nSet-Cookie: x=1', '/a\tb', '/a\nb'])
])

table('SEC-17: allowed hosts compare case-insensitively, port and userinfo significant', [
  ...ACCEPT(['http://TestServer/', 'HTTP://TESTSERVER/x', '//TESTSERVER']),
  ...ACCEPT(['http://testserver:8080/', 'https://example.com:8443/x'],
    { allowedHosts: ['testserver:8080', 'Example.COM:8443'] }),
  ...REJECT(['http://testserver/', 'http://testserver:80/', 'https://example.com/'],
    { allowedHosts: ['testserver:8080', 'example.com:8443'] }),
  ...ACCEPT(['http://[::1]:3000/', '//[2001:db8::1]/x'], { allowedHosts: ['[::1]:3000', '[2001:DB8::1]'] })
])

table('SEC-17: requireHttps accepts https and relative URLs only', [
  ...ACCEPT(['https://testserver/', '/relative', 'relative?x=1', '#top'], { allowedHosts: ['testserver'], requireHttps: true }),
  ...REJECT(['http://testserver/', '//testserver/', 'ftp://testserver/'], { allowedHosts: ['testserver'], requireHttps: true })
])

table('SEC-17: without allowed hosts only relative URLs pass', [
  ...ACCEPT(['/', '/a', 'a', '?x', '#x', '.', '../x'], null),
  ...ACCEPT(['/a'], {}),
  ...REJECT(['http://testserver/', '//testserver/'], null),
  ...REJECT(['http://testserver/', '//testserver/'], {}),
  ...REJECT(['http://testserver/'], { allowedHosts: [] }),
  ...REJECT(['http://testserver/'], { allowedHosts: new Set() })
])

table('SEC-17: malformed bracketed (IPv6) hosts are refused', REJECT([
  'http://[::1/', 'http://::1]/', 'http://[testserver]/', 'http://[127.0.0.1]/', 'http://x[::1]/',
  'http://[::1]x/', 'http://[v1]/', 'http://[x]@testserver/'
], { allowedHosts: ['[::1]', 'x[::1]', '[::1]x', '[v1]', '[x]@testserver', '[testserver]'] }))

// The last one as in Python: the `]` in the userinfo satisfies urlsplit's bracket count, and the
// host part `[::1` is read up to its end. It passes only because it is listed verbatim.
table('SEC-17: well-formed bracketed hosts parse (IPv6, zone, IPvFuture)', ACCEPT([
  'http://[::1]/', 'http://[fe80::1%25eth0]:80/', 'http://[v1.x]/', 'http://u@[::1]:1/', 'http://a]b@[::1/'
], { allowedHosts: ['[::1]', '[fe80::1%25eth0]:80', '[v1.x]', 'u@[::1]:1', 'a]b@[::1'] }))

table('SEC-17: Unicode hosts pass only when NFKC adds no URL delimiter', [
  ...ACCEPT(['http://bücher.example/', 'http://ｘ.example/'], { allowedHosts: ['bücher.example', 'ｘ.example'] }),
  ...REJECT(['http://a\uff0fb/', 'http://a\u2100b/'], { allowedHosts: ['a\uff0fb', 'a\u2100b'] })
])

test('SEC-18: values longer than 2048 code points are refused, shorter astral ones pass', () => {
  const astral = '/' + '\u{1F600}'.repeat(MAX_URL_LENGTH - 1)
  assert.equal(astral.length, 2 * MAX_URL_LENGTH - 1, 'the astral URL is longer than 2048 UTF-16 units')
  assert.equal(isSafeUrl(astral), true, '2048 code points pass')
  assert.equal(isSafeUrl(astral + '\u{1F600}'), false, '2049 code points are refused')
  assert.equal(isSafeUrl('/' + 'a'.repeat(MAX_URL_LENGTH - 1)), true)
  assert.equal(isSafeUrl('/' + 'a'.repeat(MAX_URL_LENGTH)), false)
  assert.equal(isSafeUrl('  /' + 'a'.repeat(MAX_URL_LENGTH - 1) + '  '), true, 'measured after trimming')
  assert.equal(isSafeUrl('/' + 'a'.repeat(1_000_000)), false)
})

test('SEC-17: non-strings, empty and blank values are refused without throwing', () => {
  for (const value of [undefined, null, 0, 1, true, {}, [], ['/a'], ['/a', '/b'], Symbol('x'), () => '/', Object('/a') as unknown, Buffer.from('/a')]) {
    assert.equal(isSafeUrl(value, SITE), false, `${typeof value} ${String(value?.toString?.())}`)
  }
  for (const value of ['', ' ', '\t\r\n', '\u3000\u2028\x1c\x1f\x85', '\v\f']) {
    assert.equal(isSafeUrl(value, SITE), false, JSON.stringify(value))
  }
})

test('SEC-17: odd option values never widen what is accepted', () => {
  const odd = [
    { allowedHosts: 42 }, { allowedHosts: {} }, { allowedHosts: [42, null, undefined] }, { allowedHosts: new Set([1]) },
    { requireHttps: 'yes' }, { allowedHosts: 'evil.example', requireHttps: 1 }
  ] as unknown as IsSafeUrlOptions[]
  for (const options of odd) {
    assert.equal(isSafeUrl('http://testserver/', options), false, JSON.stringify(options))
    assert.equal(isSafeUrl('/relative', options), true, JSON.stringify(options))
  }
  assert.equal(isSafeUrl('http://evil.example/', { allowedHosts: 'evil.example', requireHttps: 1 } as unknown as IsSafeUrlOptions), true,
    'requireHttps must be exactly true to apply')
})
