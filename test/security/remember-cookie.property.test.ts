// Property tests (fast-check) through the plugin: no mutation of a valid remember cookie logs
// anyone else in or gives a 5xx; arbitrary Cookie / header / next values never give a 5xx and
// every redirect is a safe Location. Both engines.
//
// Fixed seed and few runs by default (the whole file runs in a few seconds); overrides:
// FC_SEED (integer, or `random`), FC_RUNS (runs per property), FC_TIME_LIMIT_MS (per property).
// `npm run fuzz` (scripts/fuzz.mjs) raises them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../helpers/app.js'
import { REMEMBER, SESSION_COOKIE } from './sec-support.js'

function parameters (): fc.Parameters<unknown> {
  const seedText = process.env.FC_SEED ?? ''
  const seed = seedText === 'random' ? Math.floor(Math.random() * 0x7fffffff) : Number.parseInt(seedText === '' ? '424242' : seedText, 10)
  if (!Number.isInteger(seed)) throw new TypeError(`FC_SEED must be an integer or "random", not ${seedText}`)
  const runs = Number.parseInt(process.env.FC_RUNS ?? '', 10)
  const timeLimit = Number.parseInt(process.env.FC_TIME_LIMIT_MS ?? '', 10)
  return {
    seed,
    numRuns: runs > 0 ? runs : 40,
    ...(timeLimit > 0 ? { interruptAfterTimeLimit: timeLimit, markInterruptAsFailure: false } : {})
  }
}
const PARAMETERS = parameters()

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const ODD = ['.', '=', '%', '"', ' ', ',', ';', '+', '/', '\\', '\xff', 'é', '\x00']

/** A mutation of `value`: substitute, insert, delete, truncate, append or swap two parts. */
const mutation = fc.oneof(
  fc.record({ op: fc.constant('substitute'), at: fc.nat(), ch: fc.constantFrom(...BASE64URL, ...ODD) }),
  fc.record({ op: fc.constant('insert'), at: fc.nat(), ch: fc.constantFrom(...BASE64URL, ...ODD) }),
  fc.record({ op: fc.constant('delete'), at: fc.nat(), ch: fc.constant('') }),
  fc.record({ op: fc.constant('truncate'), at: fc.nat(), ch: fc.constant('') }),
  fc.record({ op: fc.constant('append'), at: fc.constant(0), ch: fc.string({ maxLength: 20 }) }),
  fc.record({ op: fc.constant('swap'), at: fc.nat(), ch: fc.constant('') })
)

function mutate (value: string, m: { op: string, at: number, ch: string }): string {
  const at = m.at % (value.length + 1)
  switch (m.op) {
    case 'substitute': return value.slice(0, at) + m.ch + value.slice(at + 1)
    case 'insert': return value.slice(0, at) + m.ch + value.slice(at)
    case 'delete': return value.slice(0, at) + value.slice(at + 1)
    case 'truncate': return value.slice(0, at)
    case 'append': return value + m.ch
    default: {
      const parts = value.split('.')
      const i = at % parts.length
      const j = (i + 1) % parts.length
      ;[parts[i], parts[j]] = [parts[j] as string, parts[i] as string]
      return parts.join('.')
    }
  }
}

/** Cookie-header safe: what a client can put on the wire (no CR/LF/NUL). */
function headerSafe (value: string): string {
  return value.replace(/[\r\n\x00]/g, '') // eslint-disable-line no-control-regex
}

async function whoIs (app: FastifyInstance, cookie: string): Promise<{ status: number, name: string }> {
  const response = await app.inject({ url: '/whoami', headers: { cookie } })
  return { status: response.statusCode, name: response.statusCode === 200 ? response.json().name : '' }
}

test('SEC-11/20 property: no mutation of a valid remember cookie logs anyone else in or gives a 5xx', async (t) => {
  const { app, request, jar } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const valid = jar.get(REMEMBER) as string
  await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
    const value = headerSafe(mutations.reduce(mutate, valid))
    const { status, name } = await whoIs(app, `${REMEMBER}=${encodeURIComponent(value)}`)
    assert.ok(status < 500, `${status} for ${JSON.stringify(value)}`)
    // either refused (anonymous), or still a valid encoding of the same login
    assert.ok(name === 'Anonymous' || name === 'Notch', `${JSON.stringify(value)} logged in ${name}`)
  }), PARAMETERS)
})

test('SEC-20 property: arbitrary Cookie headers never give a 5xx', async (t) => {
  const { app, request, jar } = await buildApp(t)
  await request({ method: 'POST', url: '/login/2?remember=1' })
  const valid = { [REMEMBER]: jar.get(REMEMBER) as string, [SESSION_COOKIE]: jar.get(SESSION_COOKIE) as string }
  const name = fc.constantFrom(REMEMBER, SESSION_COOKIE, 'other', '', '__proto__')
  const value = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 100 }),
    fc.constantFrom(...Object.values(valid)),
    fc.tuple(fc.constantFrom(...Object.values(valid)), fc.string({ maxLength: 10 })).map(([v, s]) => v + s)
  )
  const cookie = fc.array(fc.tuple(name, value), { maxLength: 4 }).map((pairs) => headerSafe(pairs.map(([n, v]) => `${n}=${v}`).join('; ')))
  await fc.assert(fc.asyncProperty(cookie, async (header) => {
    const { status, name: who } = await whoIs(app, header)
    assert.ok(status < 500, `${status} for ${JSON.stringify(header)}`)
    assert.ok(['Anonymous', 'Steve'].includes(who), `${JSON.stringify(header)} → ${who}`)
  }), PARAMETERS)
})

test('SEC-18/20 property: arbitrary next values and headers never give a 5xx; every redirect is a safe Location', async (t) => {
  const { app } = await buildApp(t, { loginView: '/login' }, {
    routes: (app) => {
      app.get('/go', async (request, reply) => reply.redirect(request.safeNextUrl('/home'), 303))
      app.get('/g/*', { preHandler: app.loginRequired }, async () => 'secret')
    }
  })
  const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.webUrl(), fc.constantFrom('//evil.example', '/\\evil', 'javascript:x'))
  const headerValue = fc.string({ unit: 'binary', maxLength: 60 }).map((v) => v.replace(/[^\t\x20-\x7e\x80-\xff]/g, ''))
  await fc.assert(fc.asyncProperty(text, text, headerValue, headerValue, async (next, path, ua, xff) => {
    const headers = { 'user-agent': ua, 'x-forwarded-for': xff, host: 'testserver' }
    const go = await app.inject({ url: `/go?next=${encodeURIComponent(next)}`, headers })
    const guarded = await app.inject({ url: `/g/${encodeURIComponent(path)}`, headers })
    for (const response of [go, guarded]) {
      assert.ok(response.statusCode < 500, `${response.statusCode} for ${JSON.stringify([next, path])}`)
      const location = String(response.headers.location ?? '')
      assert.ok(response.statusCode >= 300 && response.statusCode < 400, `status ${response.statusCode}`)
      assert.match(location, /^[\x21-\x7e]+$/)
      assert.doesNotMatch(location, /^[/\\]{2}/)
      assert.strictEqual(new URL(location, 'http://testserver/base/').origin, 'http://testserver', location)
    }
  }), PARAMETERS)
})
