// SEC-11..14: remember-cookie integrity, key rotation, cookie attributes, consent. Both engines.
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { test } from 'node:test'
import Fastify from 'fastify'
import fastifyLogin from 'fastify-login'
import { SECRET, buildApp } from '../helpers/app.js'
import { User } from '../helpers/users.js'
import { browserWith, isDeletion, setCookie } from '../helpers/remember.js'
import { REMEMBER, SESSION_COOKIE, assertNo5xx, setCookieLines } from './sec-support.js'

const OLD = 'old-secret-old-secret-old-secret-0001'
const NEW = 'new-secret-new-secret-new-secret-0002'

async function rememberCookieFrom (t: Parameters<typeof buildApp>[0], secret: string | string[], id = '1'): Promise<string> {
  const { request, jar } = await buildApp(t, { secret })
  await request({ method: 'POST', url: `/login/${id}?remember=1` })
  return jar.get(REMEMBER) as string
}

test('SEC-11: a Flask-Login style id|hmac-sha512 cookie (golden vector) is not accepted', async (t) => {
  const digest = createHmac('sha512', 'deterministic').update('1').digest('hex')
  assert.strictEqual(digest, '0e9e6e9855fbe6df7906ec4737578a1d491b38d3fd5246c1561016e189d6516043286501ca43257c938e60aad77acec5ce916b94ca9d00c0bb6f9883ae4b82ae')
  const { app } = await buildApp(t)
  const mine = createHmac('sha512', SECRET).update('1').digest('hex')
  for (const value of [`1|${digest}`, `1|${mine}`]) {
    const response = await browserWith(app, { [REMEMBER]: value }).request('/whoami')
    assertNo5xx(response, value)
    assert.strictEqual(response.json().anonymous, true)
    assert.ok(isDeletion(setCookie(response, REMEMBER)))
  }
})

test('SEC-11: every tampered form of a valid remember cookie is anonymous and deleted, never a 5xx', async (t) => {
  const valid = await rememberCookieFrom(t, SECRET)
  const [payload, stamp, signature] = valid.split('.') as [string, string, string]
  const json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  const swapped = Buffer.from(JSON.stringify({ ...json, u: '2' })).toString('base64url')
  const flipped = signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'A')
  const forms = {
    empty: '',
    separator: '.',
    separators: '..',
    truncatedSignature: valid.slice(0, -1),
    noSignature: `${payload}.${stamp}`,
    trailingGarbage: valid + 'x',
    trailingSeparator: valid + '.',
    trailingSignature: `${valid}.${signature}`,
    upperCased: valid.toUpperCase(),
    flippedSignature: `${payload}.${stamp}.${flipped}`,
    paddedSignature: `${valid}=`,
    base64Signature: `${payload}.${stamp}.${signature.replaceAll('-', '+').replaceAll('_', '/')}`,
    swappedId: `${swapped}.${stamp}.${signature}`,
    quoted: `"${valid}"`,
    percentEncodedTwice: encodeURIComponent(encodeURIComponent(valid)),
    hexSignature: `${payload}.${stamp}.${Buffer.from(signature, 'base64url').toString('hex')}`,
    sha512Signature: `${payload}.${stamp}.${createHmac('sha512', SECRET).update(`${payload}.${stamp}`).digest('base64url')}`,
    sha1Signature: `${payload}.${stamp}.${createHmac('sha1', SECRET).update(`${payload}.${stamp}`).digest('base64url')}`,
    huge: 'a'.repeat(100_000),
    hugeValidPrefix: valid + 'a'.repeat(100_000),
    nonUtf8: '\xff\xfe\xfd',
    nul: `${valid}\x00`
  }
  const { app, request } = await buildApp(t)
  const sessionValue = (await request({ method: 'POST', url: '/login/1' })).cookies.find((c) => c.name === SESSION_COOKIE)?.value
  const all: Record<string, string> = { ...forms, sessionFormat: sessionValue as string }
  for (const [name, value] of Object.entries(all)) {
    if (value === valid) continue // e.g. a signature without - or _ reads the same in standard base64
    const response = await app.inject({ url: '/whoami', headers: { cookie: `${REMEMBER}=${value}` } })
    assertNo5xx(response, name)
    assert.strictEqual(response.json().anonymous, true, name)
    if (value !== '') {
      assert.ok(isDeletion(setCookie(response, REMEMBER)), `${name}: the cookie is deleted`)
    }
  }
})

test('SEC-12: a cookie signed with a fallback secret is accepted and re-issued with the current one', async (t) => {
  const old = await rememberCookieFrom(t, OLD)
  const rotated = await buildApp(t, { secret: [NEW, OLD] })
  const response = await browserWith(rotated.app, { [REMEMBER]: old }).request('/whoami')
  assert.strictEqual(response.json().name, 'Notch')
  const reissued = setCookie(response, REMEMBER)
  assert.ok(reissued !== undefined && !isDeletion(reissued) && reissued.value !== old, 're-issued')
  if (reissued === undefined) return
  // once the old secret is removed, the old cookie is refused and the re-issued one still works
  const onlyNew = await buildApp(t, { secret: NEW })
  assert.strictEqual((await browserWith(onlyNew.app, { [REMEMBER]: old }).request('/whoami')).json().anonymous, true)
  assert.strictEqual((await browserWith(onlyNew.app, { [REMEMBER]: reissued.value }).request('/whoami')).json().name, 'Notch')
})

test('SEC-12: a cookie signed with the current secret is not re-issued', async (t) => {
  const current = await rememberCookieFrom(t, [NEW, OLD])
  const { app } = await buildApp(t, { secret: [NEW, OLD] })
  const response = await browserWith(app, { [REMEMBER]: current }).request('/whoami')
  assert.strictEqual(response.json().name, 'Notch')
  assert.strictEqual(setCookie(response, REMEMBER), undefined)
})

test('SEC-12: no secret, an empty list or a secret under 32 bytes refuses to register', async (t) => {
  const bad: unknown[] = [undefined, null, '', [], 'x'.repeat(31), [SECRET, 'short'], Buffer.alloc(16), 42]
  for (const secret of bad) {
    const app = Fastify()
    t.after(() => app.close())
    app.register(fastifyLogin, { secret, userLoader: () => null } as never)
    await assert.rejects(async () => { await app.ready() }, (error: { code?: string }) => error.code === 'FST_LOGIN_INVALID_SECRET', String(secret))
  }
})

test('SEC-13: the remember cookie is HttpOnly, SameSite=Lax, Path=/, without Domain, Secure only over HTTPS (auto)', async (t) => {
  const { request } = await buildApp(t, {}, { server: { trustProxy: true } })
  const plain = setCookie(await request({ method: 'POST', url: '/login/1?remember=1' }), REMEMBER)
  assert.deepStrictEqual(
    { httpOnly: plain?.httpOnly, sameSite: plain?.sameSite, path: plain?.path, domain: plain?.domain, secure: plain?.secure },
    { httpOnly: true, sameSite: 'Lax', path: '/', domain: undefined, secure: undefined })
  const https = setCookie(await request({ method: 'POST', url: '/login/1?remember=1', headers: { 'x-forwarded-proto': 'https' } }), REMEMBER)
  assert.strictEqual(https?.secure, true)
  assert.ok(setCookieLines(await request({ method: 'POST', url: '/login/1?remember=1' }))
    .some((line) => line.startsWith(`${REMEMBER}=`) && /;\s*SameSite=Lax/i.test(line)), 'SameSite is explicit')
})

test('SEC-13: rememberCookie.secure: true always sets Secure', async (t) => {
  const { request } = await buildApp(t, { rememberCookie: { secure: true } })
  assert.strictEqual(setCookie(await request({ method: 'POST', url: '/login/1?remember=1' }), REMEMBER)?.secure, true)
})

test('SEC-13: the session cookie the plugin registers is HttpOnly, SameSite=Lax, Path=/', async (t) => {
  const { request } = await buildApp(t)
  const session = setCookie(await request({ method: 'POST', url: '/login/1' }), SESSION_COOKIE)
  assert.strictEqual(session?.httpOnly, true)
  assert.strictEqual(session?.path, '/')
  if (SESSION_COOKIE === 'session') {
    assert.strictEqual(session?.sameSite, 'Lax')
  }
})

test('SEC-13: invalid __Host-/__Secure- cookies and bad attributes are refused at register time', async (t) => {
  const bad = [
    { name: '__Host-remember' },
    { name: '__Host-remember', secure: true, domain: 'example.com' },
    { name: '__Host-remember', secure: true, path: '/app' },
    { name: '__Secure-remember' },
    { name: '__Secure-remember', secure: 'auto' },
    { name: 'bad name' },
    { name: 'bad;name' },
    { path: '/x;Domain=evil.com' },
    { domain: 'a.com\r\nSet-Cookie: x=1' },
    { sameSite: 'none', secure: false }
  ]
  for (const rememberCookie of bad) {
    const app = Fastify()
    t.after(() => app.close())
    app.register(fastifyLogin, { secret: SECRET, userLoader: () => null, rememberCookie } as never)
    await assert.rejects(async () => { await app.ready() }, (error: { code?: string }) => error.code === 'FST_LOGIN_INVALID_OPTION', JSON.stringify(rememberCookie))
  }
  const good = Fastify()
  t.after(() => good.close())
  await good.register(fastifyLogin, { secret: SECRET, userLoader: () => null, rememberCookie: { name: '__Host-remember', secure: true } })
})

test('SEC-13: a remember cookie over 4096 bytes is refused at loginUser with a coded error, nothing is set', async (t) => {
  const { app, users } = await buildApp(t)
  users.set('long', new User('x'.repeat(5000), 'Long'))
  const response = await app.inject({ method: 'POST', url: '/login/long?remember=1' })
  assert.strictEqual(response.statusCode, 500)
  assert.strictEqual(response.json().code, 'FST_LOGIN_INVALID_USER')
  assert.strictEqual(response.headers['set-cookie'], undefined)
  // without remember the same user logs in (the id lives in the session, not a cookie of its own)
  const plain = await app.inject({ method: 'POST', url: '/login/long' })
  assert.strictEqual(plain.statusCode, 200)
})

test('SEC-14: without remember: true no remember cookie is set, even with refreshEachRequest', async (t) => {
  const { request, jar } = await buildApp(t, { rememberCookie: { refreshEachRequest: true } })
  const login = await request({ method: 'POST', url: '/login/1' })
  assert.strictEqual(setCookie(login, REMEMBER), undefined)
  for (let i = 0; i < 2; i++) {
    assert.strictEqual(setCookie(await request('/whoami'), REMEMBER), undefined)
  }
  assert.ok(!jar.names().includes(REMEMBER))
})

test('SEC-14: refreshEachRequest refreshes an existing cookie, never one cleared by logout', async (t) => {
  const { request, jar } = await buildApp(t, { rememberCookie: { refreshEachRequest: true } })
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const refreshed = setCookie(await request('/whoami'), REMEMBER)
  assert.ok(refreshed !== undefined && !isDeletion(refreshed), 'refreshed while logged in with remember')
  const logout = await request({ method: 'POST', url: '/logout' })
  assert.ok(isDeletion(setCookie(logout, REMEMBER)))
  assert.ok(!jar.names().includes(REMEMBER))
  const after = await request('/whoami')
  assert.strictEqual(setCookie(after, REMEMBER), undefined)
  assert.strictEqual(after.json().anonymous, true)
})

test('SEC-14: a later non-remember login clears the remember cookie of an earlier login', async (t) => {
  const { request } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const second = await request({ method: 'POST', url: '/login/2' })
  assert.ok(isDeletion(setCookie(second, REMEMBER)))
})
