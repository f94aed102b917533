// SEC-26, over real HTTP on both engines (memory store): a remember-token rotation whose response
// cannot carry Set-Cookie, or never reached the client, is undone (the old token stays current),
// so a lost response never turns the browser's next request into a theft; a WebSocket upgrade
// rotates nothing; a replay after a delivered rotation is still theft.
import { test, type TestContext } from 'node:test'
import { once } from 'node:events'
import { request as httpRequest } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import fastifyWebsocket from '@fastify/websocket'
import WebSocket from 'ws'
import type { FastifyServerOptions } from 'fastify'
import type { Socket } from 'node:net'
import { Writable } from 'node:stream'
import { memorySessionStore, type SessionStore, type StoredSession } from 'fastify-login'
import { buildApp, whoami } from '../helpers/app.js'
import { REMEMBER } from '../helpers/remember.js'

/** The grace of the app, in seconds: a test waits just past it. */
const GRACE = 1

async function rememberedApp (t: TestContext, store: SessionStore = memorySessionStore(), server: FastifyServerOptions = {}) {
  let entered: () => void = () => {}
  const built = await buildApp(t, { sessions: { store }, rememberCookie: { rotationGrace: GRACE } }, {
    server,
    before: async (app) => { await app.register(fastifyWebsocket) },
    routes: (app) => {
      // answers only once its response closed: the client has aborted by then
      app.get('/hold', async (request, reply) => {
        entered()
        await once(reply.raw, 'close')
        return whoami(request)
      })
      app.get('/hijack', (request, reply) => {
        reply.hijack()
        reply.raw.writeHead(200, { 'content-type': 'text/plain' })
        reply.raw.end(whoami(request).name)
      })
      app.get('/live', { websocket: true, preHandler: app.loginRequired }, (socket, request) => {
        socket.send(whoami(request).name)
      })
    }
  })
  const { app } = built
  const thefts: string[] = []
  app.loginManager.on('rememberTheft', (_request, user) => thefts.push((user as unknown as { name: string }).name))
  const sockets: Socket[] = []
  app.server.on('connection', (socket: Socket) => sockets.push(socket))
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  await built.request({ method: 'POST', url: '/login/1?remember=1' })
  const cookie = built.jar.get(REMEMBER) as string
  const entry = async (): Promise<StoredSession> => (await store.list('1'))[0] as StoredSession
  return {
    app,
    port,
    cookie,
    thefts,
    entry,
    /** The server side of the last connection a client opened. */
    lastSocket: () => sockets.at(-1) as Socket,
    /** Resolves once a request reached the handler of GET /hold. */
    nextEntered: () => new Promise<void>((resolve) => { entered = resolve }),
    /** GET `path` over real HTTP with only the remember cookie `value`. */
    get: (path: string, value: string) => fetch(`http://127.0.0.1:${port}${path}`, { headers: { cookie: `${REMEMBER}=${value}` } })
  }
}

/** The remember cookie a real response set (its value), or undefined. */
function rememberSetBy (response: Response): string | undefined {
  const line = response.headers.getSetCookie().find((header) => header.startsWith(`${REMEMBER}=`))
  return line === undefined ? undefined : line.slice(REMEMBER.length + 1, line.indexOf(';'))
}

/** Waits (at most 5 s) until the entry's remember hash is `hash` again. */
async function untilCurrent (read: () => Promise<StoredSession>, hash: string | null): Promise<StoredSession> {
  const deadline = Date.now() + 5000
  for (;;) {
    const entry = await read()
    if (entry.rememberHash === hash || Date.now() > deadline) return entry
    await sleep(10)
  }
}

test('a restore whose client aborted before the answer is undone: the old token stays current, after the grace too', async (t: TestContext) => {
  const { port, cookie, thefts, entry, nextEntered, get } = await rememberedApp(t)
  const before = await entry()
  const entered = nextEntered()
  const aborted = httpRequest({ port, host: '127.0.0.1', path: '/hold', headers: { cookie: `${REMEMBER}=${cookie}` } })
  aborted.on('error', () => {})
  aborted.end()
  await entered
  t.assert.notStrictEqual((await entry()).rememberHash, before.rememberHash, 'the server rotated the token')
  aborted.destroy()
  const after = await untilCurrent(entry, before.rememberHash)
  t.assert.deepStrictEqual(
    [after.id, after.rememberHash, after.previousRememberHash, after.rotatedAt],
    [before.id, before.rememberHash, before.previousRememberHash, before.rotatedAt])

  await sleep(GRACE * 1000 + 200)
  const again = await get('/whoami', cookie)
  t.assert.deepStrictEqual(await again.json(), { name: 'Notch', fresh: false, remembered: true, anonymous: false })
  t.assert.deepStrictEqual(thefts, [])

  // that answer was delivered: its rotation stands, and the old token after the grace is theft
  const delivered = rememberSetBy(again)
  t.assert.ok(delivered !== undefined && delivered !== cookie)
  await sleep(GRACE * 1000 + 200)
  t.assert.strictEqual(((await (await get('/whoami', cookie)).json()) as { anonymous: boolean }).anonymous, true)
  t.assert.deepStrictEqual(thefts, ['Notch'])
})

test('a restore on a hijacked reply is undone: the old token stays current', async (t: TestContext) => {
  const { cookie, thefts, entry, get } = await rememberedApp(t)
  const before = await entry()
  const hijacked = await get('/hijack', cookie)
  t.assert.strictEqual(await hijacked.text(), 'Notch')
  t.assert.strictEqual(rememberSetBy(hijacked), undefined)
  const after = await untilCurrent(entry, before.rememberHash)
  t.assert.deepStrictEqual([after.rememberHash, after.rotatedAt], [before.rememberHash, before.rotatedAt])
  // the old token is current, not in its grace: the next ordinary request rotates it
  const next = await get('/whoami', cookie)
  t.assert.strictEqual(((await next.json()) as { name: string }).name, 'Notch')
  t.assert.ok(rememberSetBy(next) !== undefined)
  t.assert.deepStrictEqual(thefts, [])
})

test('a WebSocket upgrade restored by the remember cookie rotates nothing and rewrites no session', async (t: TestContext) => {
  const { port, cookie, thefts, entry, get } = await rememberedApp(t)
  const before = await entry()
  const socket = new WebSocket(`ws://127.0.0.1:${port}/live`, { headers: { cookie: `${REMEMBER}=${cookie}` } })
  const [message] = await once(socket, 'message') as [Buffer]
  socket.close()
  t.assert.strictEqual(message.toString(), 'Notch')
  t.assert.deepStrictEqual(await entry(), before)
  // the old token is still current after the grace: the next ordinary request restores and rotates
  await sleep(GRACE * 1000 + 200)
  const next = await get('/whoami', cookie)
  t.assert.strictEqual(((await next.json()) as { name: string }).name, 'Notch')
  const rotated = rememberSetBy(next)
  t.assert.ok(rotated !== undefined && rotated !== cookie)
  t.assert.deepStrictEqual(thefts, [])

  // a replay of the old token after a delivered rotation is theft, on an upgrade too
  await sleep(GRACE * 1000 + 200)
  const thief = new WebSocket(`ws://127.0.0.1:${port}/live`, { headers: { cookie: `${REMEMBER}=${cookie}` } })
  const [, refused] = await once(thief, 'unexpected-response') as [unknown, { statusCode: number }]
  t.assert.strictEqual(refused.statusCode, 401)
  t.assert.deepStrictEqual(thefts, ['Notch'])
})

/** A memory store whose next `update` waits until released, or whose undo of a rotation fails. */
function controlledStore () {
  const inner = memorySessionStore()
  let hold: { reached: () => void, until: Promise<void> } | null = null
  let failUndo = false
  const store: SessionStore = {
    create: (session, limit) => inner.create(session, limit),
    get: (id) => inner.get(id),
    list: (userId) => inner.list(userId),
    destroy: (id) => inner.destroy(id),
    destroyAll: (userId, exceptId) => inner.destroyAll(userId, exceptId),
    async update (id, changes, expected) {
      // the undo puts the remember hash back, and nothing else
      if (failUndo && 'rememberHash' in changes && !('lastSeenAt' in changes)) {
        throw new Error('store down for the undo')
      }
      const held = hold
      hold = null
      if (held !== null) {
        held.reached()
        await held.until
      }
      return inner.update(id, changes, expected)
    }
  }
  return {
    store,
    /** The next update waits: resolves with a release function once it is reached. */
    holdNextUpdate (): Promise<() => void> {
      let release: () => void = () => {}
      const until = new Promise<void>((resolve) => { release = resolve })
      return new Promise((resolve) => { hold = { reached: () => resolve(release), until } })
    },
    failUndo () { failUndo = true }
  }
}

test('a client that aborts while the server is still rotating: the rotation is undone once it lands', async (t: TestContext) => {
  const controlled = controlledStore()
  const { port, cookie, entry, lastSocket, get } = await rememberedApp(t, controlled.store)
  const before = await entry()
  const reached = controlled.holdNextUpdate()
  const aborted = httpRequest({ port, host: '127.0.0.1', path: '/whoami', headers: { cookie: `${REMEMBER}=${cookie}` } })
  aborted.on('error', () => {})
  aborted.end()
  const release = await reached
  const socket = lastSocket()
  aborted.destroy()
  await once(socket, 'close')
  release()
  const after = await untilCurrent(entry, before.rememberHash)
  t.assert.deepStrictEqual([after.rememberHash, after.rotatedAt], [before.rememberHash, before.rotatedAt])
  const next = await get('/whoami', cookie)
  t.assert.strictEqual(((await next.json()) as { name: string }).name, 'Notch')
  t.assert.ok(rememberSetBy(next) !== undefined, 'the old token was current: it rotated')
})

test('an undo the store refuses is logged, and the request that lost its answer ends quietly', async (t: TestContext) => {
  const controlled = controlledStore()
  const lines: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done() } })
  const { cookie, get } = await rememberedApp(t, controlled.store, { logger: { level: 'warn', stream } })
  controlled.failUndo()
  const hijacked = get('/hijack', cookie)
  t.assert.strictEqual(await (await hijacked).text(), 'Notch')
  const deadline = Date.now() + 5000
  while (!lines.some((line) => line.includes('could not undo an undelivered rotation')) && Date.now() < deadline) await sleep(10)
  t.assert.ok(lines.some((line) => line.includes('could not undo an undelivered rotation') && line.includes('store down for the undo')), lines.join(''))
})

test('without tracked sessions, a WebSocket upgrade restored by the remember cookie is logged in for itself', async (t: TestContext) => {
  const built = await buildApp(t, {}, {
    before: async (app) => { await app.register(fastifyWebsocket) },
    routes: (app) => {
      app.get('/live', { websocket: true, preHandler: app.loginRequired }, (socket, request) => {
        socket.send(JSON.stringify(whoami(request)))
      })
    }
  })
  await built.request({ method: 'POST', url: '/login/1?remember=1' })
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  const port = (built.app.server.address() as { port: number }).port
  const socket = new WebSocket(`ws://127.0.0.1:${port}/live`, { headers: { cookie: `${REMEMBER}=${built.jar.get(REMEMBER) as string}` } })
  const [message] = await once(socket, 'message') as [Buffer]
  socket.close()
  t.assert.deepStrictEqual(JSON.parse(message.toString()), { name: 'Notch', fresh: false, remembered: true, anonymous: false })
})
