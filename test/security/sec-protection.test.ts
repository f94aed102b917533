// SEC-09/SEC-10: session protection (Flask-Login 0.7's identifier) and where the IP comes from.
// Both engines.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { buildApp, recordEvents } from '../helpers/app.js'
import { isDeletion, putInSession, sessionRoutes, setCookie } from '../helpers/remember.js'
import { REMEMBER, assertNo5xx } from './sec-support.js'

const UA = 'Mozilla/5.0 (SEC-09)'
const OTHER_UA = { 'user-agent': 'curl/8.0 (attacker)' }

function identifier (ip: string, ua: string): string {
  return createHash('sha256').update(`${ip}|${ua}`, 'utf8').digest().subarray(0, 16).toString('base64url')
}

function legacyIdentifier (ip: string, ua: string): string {
  return createHash('sha512').update(`${ip}|${ua}`, 'utf8').digest('hex')
}

test('SEC-09: the identifier stored at login is the first 128 bits of SHA-256 of "ip|user-agent", base64url', async (t) => {
  const { request } = await buildApp(t, { sessionProtection: 'basic' }, { routes: sessionRoutes })
  await request({ method: 'POST', url: '/login/1', headers: { 'user-agent': UA } })
  const stored = (await request({ url: '/session', headers: { 'user-agent': UA } })).json()._id
  assert.match(stored, /^[\w-]{22}$/)
  assert.strictEqual(stored, identifier('127.0.0.1', UA))
})

test('SEC-09: a session issued by 0.1 (SHA-512 hex identifier) stays logged in and is rewritten in the compact form', async (t) => {
  const { app, request } = await buildApp(t, { sessionProtection: 'strong' }, { routes: sessionRoutes })
  await request({ method: 'POST', url: '/login/1' })
  await putInSession(request, '_id', legacyIdentifier('127.0.0.1', 'lightMyRequest'))
  const events = recordEvents(app)
  assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Notch', fresh: true, remembered: false, anonymous: false })
  assert.strictEqual((await request('/session')).json()._id, identifier('127.0.0.1', 'lightMyRequest'))
  assert.deepStrictEqual(events.filter(([name]) => name === 'sessionProtected'), [])
  // another client's legacy identifier is still a mismatch
  await putInSession(request, '_id', legacyIdentifier('127.0.0.1', 'someone else'))
  assert.strictEqual((await request('/whoami')).json().anonymous, true)
})

test('SEC-09: a request without a session login is not checked (no sessionProtected event)', async (t) => {
  const { app, request } = await buildApp(t, { sessionProtection: 'strong' }, { routes: sessionRoutes })
  const events = recordEvents(app)
  await putInSession(request, 'cart', 'x')
  await request({ url: '/whoami', headers: OTHER_UA })
  assert.deepStrictEqual(events.filter(([name]) => name === 'sessionProtected'), [])
})

test('SEC-09: basic — a changed identifier keeps the user, marks the login not fresh once and emits sessionProtected', async (t) => {
  const { app, request } = await buildApp(t, { sessionProtection: 'basic' }, { routes: sessionRoutes })
  await request({ method: 'POST', url: '/login/1' })
  const events = recordEvents(app)
  assert.deepStrictEqual((await request({ url: '/whoami', headers: OTHER_UA })).json(),
    { name: 'Notch', fresh: false, remembered: false, anonymous: false })
  assert.deepStrictEqual(events.filter(([name]) => name === 'sessionProtected'), [['sessionProtected', undefined]])
  assert.strictEqual((await request({ url: '/session', headers: OTHER_UA })).json()._fresh, false)
})

test('SEC-09: strong — a changed identifier pops the login keys and next, keeps unrelated keys, clears the remember cookie', async (t) => {
  const { app, request } = await buildApp(t, { sessionProtection: 'strong' }, { routes: sessionRoutes })
  await request({ method: 'POST', url: '/login/1?remember=1' })
  await putInSession(request, 'cart', 'kept')
  await putInSession(request, 'next', '/after')
  const events = recordEvents(app)
  const hijacked = await request({ url: '/whoami', headers: OTHER_UA })
  assert.strictEqual(hijacked.json().anonymous, true)
  assert.ok(isDeletion(setCookie(hijacked, REMEMBER)), 'the remember cookie is cleared')
  assert.ok(events.some(([name]) => name === 'sessionProtected'))
  const data = (await request('/session')).json()
  for (const key of ['_user_id', '_fresh', '_id', 'next']) {
    assert.strictEqual(data[key], undefined, key)
  }
  assert.strictEqual(data.cart, 'kept')
  // and the original client is logged out too: the remember cookie does not bring it back
  assert.strictEqual((await request('/whoami')).json().anonymous, true)
})

test('SEC-09: strong — a different IP (trustProxy on) also logs the session out', async (t) => {
  const { request } = await buildApp(t, { sessionProtection: 'strong' }, { server: { trustProxy: true } })
  await request({ method: 'POST', url: '/login/1', headers: { 'x-forwarded-for': '198.51.100.7' } })
  assert.strictEqual((await request({ url: '/whoami', headers: { 'x-forwarded-for': '198.51.100.7' } })).json().name, 'Notch')
  assert.strictEqual((await request({ url: '/whoami', headers: { 'x-forwarded-for': '203.0.113.9' } })).json().anonymous, true)
})

test('SEC-10: with trustProxy off the plugin ignores X-Forwarded-For entirely', async (t) => {
  const { request } = await buildApp(t, { sessionProtection: 'strong' }, { routes: sessionRoutes })
  await request({ method: 'POST', url: '/login/1', headers: { 'x-forwarded-for': '6.6.6.6, 7.7.7.7' } })
  const stored = (await request('/session')).json()._id
  assert.strictEqual(stored, identifier('127.0.0.1', 'lightMyRequest'))
  for (const xff of ['1.1.1.1', 'garbage', '6.6.6.6, 7.7.7.7', '']) {
    const response = await request({ url: '/whoami', headers: { 'x-forwarded-for': xff } })
    assertNo5xx(response, xff)
    assert.strictEqual(response.json().name, 'Notch', `XFF ${xff} changes nothing`)
  }
})

test('SEC-10: trustProxy true trusts the leftmost, client-supplied X-Forwarded-For (documented)', async (t) => {
  const { request } = await buildApp(t, { sessionProtection: 'strong' }, { server: { trustProxy: true }, routes: sessionRoutes })
  await request({ method: 'POST', url: '/login/1', headers: { 'x-forwarded-for': '6.6.6.6, 7.7.7.7' } })
  const stored = (await request({ url: '/session', headers: { 'x-forwarded-for': '6.6.6.6, 7.7.7.7' } })).json()._id
  assert.strictEqual(stored, identifier('6.6.6.6', 'lightMyRequest'))
})

test('SEC-10: trustProxy as the proxy address (CIDR) takes the address that proxy saw, not the client-supplied one', async (t) => {
  const { request } = await buildApp(t, { sessionProtection: 'strong' }, { server: { trustProxy: '127.0.0.1/32' }, routes: sessionRoutes })
  await request({ method: 'POST', url: '/login/1', headers: { 'x-forwarded-for': '6.6.6.6, 7.7.7.7' } })
  const stored = (await request({ url: '/session', headers: { 'x-forwarded-for': '6.6.6.6, 7.7.7.7' } })).json()._id
  assert.strictEqual(stored, identifier('7.7.7.7', 'lightMyRequest'))
  // a client forging another leftmost entry does not change the identifier
  const forged = await request({ url: '/whoami', headers: { 'x-forwarded-for': '9.9.9.9, 6.6.6.6, 7.7.7.7' } })
  assert.strictEqual(forged.json().name, 'Notch')
})
