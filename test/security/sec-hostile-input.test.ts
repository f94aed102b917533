// SEC-20 and the hostile-input families of security.md §3 that no other SEC file covers: odd user
// ids, session values of the wrong type, hostile headers (over inject and over a real loopback
// socket), a replayed remember cookie. No 5xx, no unhandled rejection, no hang. Both engines.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../helpers/app.js'
import { User } from '../helpers/users.js'
import { browserWith, client, putInSession, sessionRoutes, setCookie } from '../helpers/remember.js'
import { REMEMBER, SESSION_COOKIE, assertNo5xx, setCookieLines } from './sec-support.js'

const rejections: unknown[] = []
process.on('unhandledRejection', (reason) => { rejections.push(reason) })

const ODD_IDS = [
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'a.b.c', 'a|b', 'a;b', 'a,b',
  'a"b', "a'b", 'a=b', 'a b', 'a\r\nSet-Cookie: evil=1', 'a\nb', 'a\x00b', 'a\x7fb', '佐藤', 'é', '😀',
  '\u2028', '%2F', '../../etc', '{"u":"1"}', ' 1', '1 ', '0', '-1', 'null', 'undefined', 'x'.repeat(1000)
]

/** Logs in by id from a JSON body, so ids need no URL encoding. */
function idRoutes (app: FastifyInstance, users: Map<string, User>): void {
  app.post<{ Body: { id: string, remember?: boolean } }>('/login-id', async (request) => {
    const user = users.get(request.body.id)
    if (user === undefined) return { ok: false }
    return { ok: await request.loginUser(user, { remember: request.body.remember === true }) }
  })
}

test('SEC-20: odd ids round-trip through login, the session and the remember cookie, unchanged, headers intact', async (t) => {
  const seen: string[] = []
  const { app, users } = await buildApp(t, { userLoader: (id) => { seen.push(id); return users.get(id) ?? null } }, { routes: idRoutes })
  for (const id of ODD_IDS) users.set(id, new User(id, `user ${JSON.stringify(id)}`))
  for (const id of ODD_IDS) {
    const browser = client(app)
    const login = await browser.request({ method: 'POST', url: '/login-id', payload: { id, remember: true } })
    assertNo5xx(login, JSON.stringify(id))
    assert.deepStrictEqual(login.json(), { ok: true }, JSON.stringify(id))
    for (const line of setCookieLines(login)) {
      assert.match(line, /^[\x20-\x7e]+$/, `${JSON.stringify(id)}: ${line}`)
      assert.doesNotMatch(line, /evil=1/)
    }
    assert.deepStrictEqual(login.cookies.map((c) => c.name).sort(), [REMEMBER, SESSION_COOKIE].sort())
    seen.length = 0
    const bySession = await browser.request('/whoami')
    assert.strictEqual(bySession.json().name, `user ${JSON.stringify(id)}`)
    assert.deepStrictEqual(seen, [id], 'userLoader got the id unchanged')
    browser.jar.delete(SESSION_COOKIE)
    seen.length = 0
    const byCookie = await browser.request('/whoami')
    assert.strictEqual(byCookie.json().name, `user ${JSON.stringify(id)}`, `${JSON.stringify(id)} from the remember cookie`)
    assert.deepStrictEqual(seen, [id])
  }
  // nothing leaked onto Object.prototype
  assert.strictEqual(({} as Record<string, unknown>).u, undefined)
  assert.strictEqual(Object.getPrototypeOf({}), Object.prototype)
})

test('SEC-20: an empty or non-string _user_id in the session is anonymous and the loader is not called', async (t) => {
  let calls = 0
  const { users, request } = await buildApp(t, { userLoader: (id) => { calls++; return users.get(id) ?? null } }, { routes: sessionRoutes })
  for (const value of ['', 1, 0, true, false, null, [], ['1'], {}, { id: '1' }, { __proto__: { id: '1' } }]) {
    calls = 0
    await putInSession(request, '_user_id', value)
    const response = await request('/whoami')
    assertNo5xx(response, JSON.stringify(value))
    assert.strictEqual(response.json().anonymous, true, JSON.stringify(value))
    assert.strictEqual(calls, 0, `${JSON.stringify(value)}: loader not called`)
  }
})

test('SEC-20: login keys of the wrong type in a logged-in session never give a 5xx', async (t) => {
  const values: unknown[] = ['yes', 1, null, [], {}, 'x'.repeat(10_000)]
  for (const key of ['_fresh', '_id', '_auth_hash', 'next']) {
    for (const value of values) {
      const { request } = await buildApp(t, { sessionProtection: 'strong', loginView: '/login' }, {
        routes: (app) => { sessionRoutes(app); app.get('/next-target', async (req) => ({ next: req.safeNextUrl('/fallback') })) }
      })
      await request({ method: 'POST', url: '/login/1' })
      await putInSession(request, key, value)
      for (const url of ['/whoami', '/secret', '/needs-refresh', '/next-target']) {
        const response = await request(url)
        assertNo5xx(response, `${key}=${JSON.stringify(value).slice(0, 20)} ${url}`)
        if (url === '/next-target' && key === 'next') {
          // a short string is a relative path (safe); anything else falls back
          const expected = typeof value === 'string' && value.length <= 2048 ? value : '/fallback'
          assert.strictEqual(response.json().next, expected)
        }
      }
    }
  }
})

test('SEC-20: a remember cookie replayed after logout logs in again until its duration (documented, stateless)', async (t) => {
  const { app, users, request, jar } = await buildApp(t)
  await request({ method: 'POST', url: '/login/1?remember=1' })
  const copied = jar.get(REMEMBER)
  await request({ method: 'POST', url: '/logout' })
  assert.strictEqual((await request('/whoami')).json().anonymous, true, 'the browser that logged out')
  // a copy taken before logout is still a valid signed cookie: Flask-Login parity (ADV-01e).
  // Revocation: getSessionAuthHash() (SEC-05) or a shorter rememberCookie.duration (SEC-06).
  assert.strictEqual((await browserWith(app, { [REMEMBER]: copied }).request('/whoami')).json().name, 'Notch')
  assert.ok(users.size > 0)
})

test('SEC-20: hostile headers over inject — 64 KiB User-Agent, odd bytes, garbage X-Forwarded-For — never a 5xx', async (t) => {
  for (const trustProxy of [false, true]) {
    const { app, request } = await buildApp(t, { sessionProtection: 'strong', loginView: '/login' }, { server: { trustProxy } })
    await request({ method: 'POST', url: '/login/1?remember=1' })
    const headerSets: Array<Record<string, string | undefined>> = [
      { 'user-agent': 'A'.repeat(64 * 1024) },
      { 'user-agent': undefined },
      { 'user-agent': '' },
      { 'user-agent': '\xff\xfe\x80 latin-1 bytes' },
      { 'user-agent': 'Ã©â‚¬ mojibake' },
      { 'x-forwarded-for': 'not-an-ip' },
      { 'x-forwarded-for': ',,, ,' },
      { 'x-forwarded-for': '::::::::::' },
      { 'x-forwarded-for': '999.999.999.999, [::1], 1.2.3.4:80' },
      { 'x-forwarded-for': 'x'.repeat(20_000) },
      { 'x-forwarded-for': '\xff\xfe' },
      { 'x-forwarded-host': 'evil.example, good.example', 'x-forwarded-proto': 'gopher' },
      { host: '' },
      { host: 'a'.repeat(5000) },
      { accept: 'application/json'.repeat(1000) },
      { cookie: ';;;;=;=;' + '; a=b'.repeat(2000) },
      { cookie: `${REMEMBER}=a; ${REMEMBER}=b; ${SESSION_COOKIE}=c` },
      { cookie: `${SESSION_COOKIE}=${'%'.repeat(100)}` }
    ]
    for (const headers of headerSets) {
      for (const url of ['/whoami', '/secret', '/needs-refresh']) {
        const response = await app.inject({ url, headers })
        assertNo5xx(response, `trustProxy=${trustProxy} ${url} ${JSON.stringify(headers).slice(0, 80)}`)
      }
    }
  }
})

interface RawResponse { status: number, body: string }

function rawRequest (target: { port?: number, socketPath?: string }, data: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = target.socketPath !== undefined ? connect(target.socketPath) : connect(target.port as number, '127.0.0.1')
    let text = ''
    socket.on('data', (chunk) => { text += chunk.toString('latin1') })
    // Node 24 resets the connection right after answering 431: the answer already read counts
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' || text === '') reject(error)
    })
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), body: text }))
    socket.end(data)
  })
}

test('SEC-20: hostile headers over a real loopback socket — 64 KiB User-Agent (431), none, non-ASCII bytes', async (t) => {
  const { app, request, jar } = await buildApp(t, { sessionProtection: 'strong' })
  await request({ method: 'POST', url: '/login/1?remember=1' })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as { port: number }).port
  const cookie = jar.header()
  const send = (headers: string | Buffer) => rawRequest({ port }, Buffer.concat([
    Buffer.from(`GET /whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: ${cookie}\r\n`),
    Buffer.isBuffer(headers) ? headers : Buffer.from(headers, 'latin1'),
    Buffer.from('\r\n')
  ]))
  // over Node's default 16 KiB header limit: Node answers 431 before Fastify sees the request
  const huge = await send(`User-Agent: ${'A'.repeat(64 * 1024)}\r\n`)
  assert.strictEqual(huge.status, 431)
  const none = await send('')
  assert.strictEqual(none.status, 200)
  assert.match(none.body, /"anonymous":true/, 'strong protection: no User-Agent is another client')
  for (const header of [Buffer.from('User-Agent: \xff\xfe\x80\r\n', 'latin1'), Buffer.from('User-Agent: 佐藤 😀\r\n', 'utf8'), Buffer.from('X-Forwarded-For: \xff\r\n', 'latin1')]) {
    const response = await send(header)
    assert.ok(response.status > 0 && response.status < 500, `${header.toString('latin1')}: ${response.status}`)
  }
})

test('SEC-20: no request.ip (a Unix socket) never gives a 5xx; protection uses an empty IP', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fastify-login-sec-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const { app } = await buildApp(t, { sessionProtection: 'strong' })
  const socketPath = join(dir, 'app.sock')
  await app.listen({ path: socketPath })
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => new Promise<{ status: number, cookies: string[], body: string }>((resolve, reject) => {
    const req = httpRequest({ socketPath, path, method, headers }, (res) => {
      let body = ''
      res.on('data', (chunk) => { body += String(chunk) })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cookies: res.headers['set-cookie'] ?? [], body }))
    })
    req.on('error', reject)
    req.end()
  })
  const login = await get('/login/1', { 'user-agent': 'ua' }, 'POST')
  assert.strictEqual(login.status, 200)
  const cookie = login.cookies.map((line) => line.split(';')[0]).join('; ')
  const me = await get('/whoami', { cookie, 'user-agent': 'ua' })
  assert.strictEqual(me.status, 200)
  assert.match(me.body, /"name":"Notch"/)
})

test('SEC-20: a refused id at loginUser is a coded error, never a broken header', async (t) => {
  const { app } = await buildApp(t, {}, {
    routes: (app) => {
      app.post<{ Body: { id: unknown } }>('/login-raw', async (request) => {
        const user = Object.assign(Object.create(User.prototype), { id: request.body.id, name: 'raw', active: true })
        return { ok: await request.loginUser(user) }
      })
    }
  })
  for (const id of ['', null, { a: 1 }, [1], 'a\r\nb']) {
    const response = await app.inject({ method: 'POST', url: '/login-raw', payload: { id } })
    if (response.statusCode >= 500) {
      // refused: a coded error and no cookie at all
      assert.match(String(response.json().code), /^FST_LOGIN_/, JSON.stringify(id))
      assert.strictEqual(response.headers['set-cookie'], undefined, JSON.stringify(id))
    } else {
      for (const line of setCookieLines(response)) assert.match(line, /^[\x20-\x7e]+$/, JSON.stringify(id))
    }
  }
  assert.strictEqual(setCookie(await app.inject({ method: 'POST', url: '/login-raw', payload: { id: 7 } }), SESSION_COOKIE) !== undefined, true)
})

test('SEC-20: no unhandled rejection happened in this file', () => {
  if (rejections.length > 0) throw new Error(`unhandled rejections: ${rejections.map(String).join('; ')}`)
})
