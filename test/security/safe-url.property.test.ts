// SEC-17/SEC-18 properties with fast-check: isSafeUrl and toSafeLocation never throw, and nothing
// isSafeUrl accepts (or toSafeLocation emits for it) leaves the site when a browser resolves it
// (differential against Node's WHATWG URL, the parser browsers use).
//
// Fixed seed and bounded runs by default, so the suite is reproducible and quick. Overrides:
// FC_SEED (an integer, or `random`), FC_RUNS (runs per property), FC_TIME_LIMIT_MS (per property).
// `npm run fuzz` (scripts/fuzz.mjs) runs this file long with a random seed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { isSafeUrl, toSafeLocation, type IsSafeUrlOptions } from 'fastify-login'
import { isSafeLocation } from '../helpers/location.js'

const BASE = 'http://testserver/base/'
const SITE_ORIGINS = new Set(['http://testserver', 'https://testserver'])

function fcParameters (): fc.Parameters<unknown> {
  const seedText = process.env.FC_SEED ?? ''
  const seed = seedText === 'random' ? Math.floor(Math.random() * 0x7fffffff) : Number.parseInt(seedText || '424242', 10)
  const numRuns = Number.parseInt(process.env.FC_RUNS ?? '', 10)
  const timeLimit = Number.parseInt(process.env.FC_TIME_LIMIT_MS ?? '', 10)
  if (!Number.isInteger(seed)) throw new TypeError(`FC_SEED must be an integer or "random", not ${seedText}`)
  return {
    seed,
    numRuns: numRuns > 0 ? numRuns : 2000,
    ...(timeLimit > 0 ? { interruptAfterTimeLimit: timeLimit, markInterruptAsFailure: false } : {})
  }
}
const PARAMETERS = fcParameters()

// Pieces of the tricks in security.md §3, glued together in any order.
const PIECES = [
  '/', '\\', '//', '///', '\\\\', '/\\', 'evil.example', 'testserver', 'TESTSERVER', 'testserver:80',
  '@', ':', '.', '..', '?', '#', '%', '%2F', '%2f', '%5C', '%0A', '%00', 'user:pass@', '[', ']', '[::1]',
  '\t', '\n', '\r', ' ', '\x00', '\x01', '\x08', '\x0b', '\x1f', '\x7f', '\u0085', '\u00a0', '\u200b',
  '\u2028', '\u3000', '\ufeff', '\u3002', '\uff0e', '\uff0f', '\uff03', '\uff1f', '\uff20', '\u2100',
  '\u212a', '\ud800', 'é', 'झ', '\u{1F600}',
  'javascript:', 'JavaScript:', 'data:', 'http:', 'https:', 'HTTP:', 'ftp:', 'x', '1'
]
const hostileUrl = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((parts) => parts.join(''))
// Starts that name the site, so that accepted absolute URLs are common enough to test.
const siteStart = fc.constantFrom('http://testserver', 'https://testserver', 'HTTPS://TestServer', '//testserver',
  'http:\\\\testserver', '\\\\testserver', 'http:/\\testserver', ' //testserver', '/\t/testserver')
const anyUrl = fc.oneof(
  { weight: 1, arbitrary: fc.tuple(siteStart, hostileUrl).map((parts) => parts.join('')) },
  { weight: 3, arbitrary: hostileUrl },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  { weight: 1, arbitrary: fc.tuple(hostileUrl, fc.webPath(), hostileUrl).map((parts) => parts.join('')) }
)
const siteOptions = fc.record({
  allowedHosts: fc.constantFrom<IsSafeUrlOptions['allowedHosts']>(['testserver'], 'TestServer', new Set(['testserver']), null, []),
  requireHttps: fc.boolean()
})

test('SEC-17: isSafeUrl and toSafeLocation never throw, whatever the input', () => {
  fc.assert(fc.property(anyUrl, siteOptions, (url, options) => {
    assert.equal(typeof isSafeUrl(url, options), 'boolean')
    assert.equal(typeof toSafeLocation(url), 'string')
  }), PARAMETERS)
  fc.assert(fc.property(fc.anything(), (value) => {
    const accepted = isSafeUrl(value, { allowedHosts: ['testserver'] })
    assert.equal(typeof accepted, 'boolean')
    if (typeof value !== 'string') assert.equal(accepted, false)
  }), PARAMETERS)
})

// Whitespace Django (Python's str.strip) ignores at the ends but WHATWG URL does not (it strips
// only C0 controls and spaces there).
const PYTHON_ONLY_EDGE_SPACE = /^[\x00-\x20]*[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]|[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\x00-\x20]*$/ // eslint-disable-line no-control-regex

// A browser given the raw value either stays on the site or fails to parse it (no navigation).
// It may only fail where the raw value ends in whitespace that isSafeUrl ignored, as in
// `http://testserver\u3000`; toSafeLocation trims it (see the SEC-18 properties).
function assertStaysOnSite (url: string, requireHttps: boolean): void {
  let resolved: URL
  try {
    resolved = new URL(url, BASE)
  } catch (error) {
    assert.match(url, PYTHON_ONLY_EDGE_SPACE, `${JSON.stringify(url)} was accepted but does not parse: ${String(error)}`)
    return
  }
  assert.ok(SITE_ORIGINS.has(resolved.origin), `${JSON.stringify(url)} resolves to ${resolved.href}`)
  if (requireHttps && resolved.origin !== 'http://testserver') assert.equal(resolved.protocol, 'https:')
}

test('SEC-17: every URL isSafeUrl accepts stays on the site when a browser resolves it', () => {
  fc.assert(fc.property(anyUrl, siteOptions, (url, options) => {
    fc.pre(isSafeUrl(url, options))
    assertStaysOnSite(url, options.requireHttps)
  }), PARAMETERS)
})

test('SEC-17: with no allowed hosts, every accepted URL resolves under the base origin', () => {
  fc.assert(fc.property(anyUrl, (url) => {
    fc.pre(isSafeUrl(url))
    const resolved = new URL(url, BASE)
    assert.equal(resolved.origin, 'http://testserver', `${JSON.stringify(url)} resolves to ${resolved.href}`)
  }), PARAMETERS)
})

test('SEC-18: toSafeLocation output is always a safe Location and idempotent', () => {
  fc.assert(fc.property(anyUrl, (url) => {
    const location = toSafeLocation(url)
    assert.ok(isSafeLocation(location), `${JSON.stringify(url)} -> ${JSON.stringify(location)}`)
    assert.equal(toSafeLocation(location), location)
  }), PARAMETERS)
})

test('SEC-18: the Location emitted for an accepted URL stays on the site', () => {
  fc.assert(fc.property(anyUrl, siteOptions, (url, options) => {
    fc.pre(isSafeUrl(url, options))
    const location = toSafeLocation(url)
    const resolved = new URL(location, BASE)
    assert.ok(SITE_ORIGINS.has(resolved.origin), `${JSON.stringify(url)} -> ${location} resolves to ${resolved.href}`)
  }), PARAMETERS)
})

// The bytes a server sees for a path: valid %XX escapes decoded, everything else as UTF-8.
function pathBytes (path: string): string {
  const bytes: Buffer[] = []
  for (const [, escape, raw] of path.matchAll(/%([0-9A-Fa-f]{2})|([^%]+|%)/gu)) {
    bytes.push(escape === undefined ? Buffer.from(raw as string) : Buffer.from([Number.parseInt(escape, 16)]))
  }
  return Buffer.concat(bytes).toString('hex')
}

test('SEC-18: without a leading double slash, toSafeLocation keeps where a site path points', () => {
  // Encoding must not move a path: the server receives the same bytes for the emitted Location
  // as for the input a browser would have encoded itself (both drop tab/CR/LF, and C0 controls and
  // spaces at the ends).
  const path = fc.array(fc.constantFrom('/', 'a', 'é', ' ', '%41', '%', '"', '<', '.', '..', '\x01', '\x00', '\x7f', '\t', '\n', '\r', '\u{1F600}'), { minLength: 1, maxLength: 10 })
    .map((parts) => '/x' + parts.join(''))
  fc.assert(fc.property(path, (url) => {
    const browser = new URL(url, BASE)
    const ours = new URL(toSafeLocation(url), BASE)
    assert.equal(pathBytes(ours.pathname), pathBytes(browser.pathname), `${url} -> ${ours.pathname} vs ${browser.pathname}`)
  }), PARAMETERS)
})
