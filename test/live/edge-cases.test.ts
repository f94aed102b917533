// Live connections at their edges: a listener that throws, a store whose notification fails, a
// loader that fails during a recheck, a slow store, stateless users, a session that ends while
// its upgrade is handled, WebSocket routes outside fastify-login's scope.
import { test, type TestContext } from 'node:test'
import Fastify from 'fastify'
import fastifyWebsocket from '@fastify/websocket'
import WebSocket from 'ws'
import fastifyLogin, { memorySessionStore } from 'fastify-login'
import { SECRET } from '../helpers/app.js'
import { getJson, liveApp, loggedIn, openSocket, wrapStore } from '../helpers/live.js'

test('a session end listener that throws does not keep the session\'s other connections open', async (t: TestContext) => {
  const app = await liveApp(t, {}, {
    routes: (instance) => {
      instance.get('/throwing', async (request) => {
        request.onSessionEnd(() => { throw new Error('listener failed') })
        return { bound: true }
      })
    }
  })
  const browser = await loggedIn(app)
  const socket = await openSocket(app, '/live', browser)
  // a long poll whose listener throws, still in flight when the session ends
  const bound = app.nextPoll()
  const poll = getJson(app, '/poll', browser)
  await bound
  await browser.request('/throwing')
  t.assert.deepStrictEqual((await browser.request({ method: 'POST', url: '/logout' })).json(), { ok: true })
  t.assert.deepStrictEqual(await socket.closed, { code: 3000, reason: 'logout' })
  t.assert.deepStrictEqual(await poll, { reason: 'logout' })
})

test('a store whose announce fails: the logout still succeeds and this process closes the socket', async (t: TestContext) => {
  const inner = memorySessionStore()
  const store = wrapStore(inner, { announce: async () => { throw new Error('pub/sub down') } })
  const app = await liveApp(t, { sessions: { store } })
  const browser = await loggedIn(app)
  const socket = await openSocket(app, '/live', browser)
  t.assert.deepStrictEqual((await browser.request({ method: 'POST', url: '/logout' })).json(), { ok: true })
  t.assert.deepStrictEqual(await socket.closed, { code: 3000, reason: 'logout' })
})

test('a userLoader that fails during a recheck closes nothing', async (t: TestContext) => {
  let failures = 0
  let failing = false
  let twice: () => void = () => {}
  const failedTwice = new Promise<void>((resolve) => { twice = resolve })
  const app = await liveApp(t, {
    sessions: { recheckEvery: 0.05 },
    userLoader: (id) => {
      if (failing) {
        if (++failures === 2) twice()
        throw new Error('database down')
      }
      return app.users.get(id) ?? null
    }
  })
  const socket = await openSocket(app, '/live', await loggedIn(app))
  failing = true
  await failedTwice
  failing = false
  t.assert.strictEqual(await socket.echo('still'), 'echo still')
  socket.socket.close()
})

test('a store slower than recheckEvery: a round still running is not started again', async (t: TestContext) => {
  const inner = memorySessionStore()
  let reads = 0
  let release: () => void = () => {}
  let hold = false
  const store = wrapStore(inner, {
    get: async (id: string) => {
      if (hold) {
        reads++
        await new Promise<void>((resolve) => { release = resolve })
      }
      return await inner.get(id)
    }
  })
  const app = await liveApp(t, { sessions: { store, recheckEvery: 0.02 } })
  const browser = await loggedIn(app)
  const socket = await openSocket(app, '/live', browser)
  hold = true
  // a round's read is held; several intervals pass while an HTTP request of another session is served
  for (let i = 0; i < 5; i++) await app.request('/whoami')
  await new Promise((resolve) => setTimeout(resolve, 150))
  t.assert.strictEqual(reads, 1)
  hold = false
  release()
  t.assert.strictEqual(await socket.echo('e'), 'echo e')
  socket.socket.close()
})

test('a user found by requestLoader opens a socket that no session binds', async (t: TestContext) => {
  const app = await liveApp(t, {
    requestLoader: (request) => request.headers['x-user'] === '1' ? app.users.get('1') ?? null : null
  })
  const socket = await openSocket(app, '/live', undefined, { 'x-user': '1' })
  t.assert.strictEqual(socket.greeting, 'hello Notch')
  const browser = await loggedIn(app)
  t.assert.strictEqual(await app.app.loginManager.revokeAllSessions('1'), 1)
  t.assert.strictEqual((await browser.request('/whoami')).json().anonymous, true)
  t.assert.strictEqual(await socket.echo('s'), 'echo s')
  socket.socket.close()
})

test('a session that ends while its upgrade is being handled closes the socket as it opens', async (t: TestContext) => {
  const app = await liveApp(t, {}, {
    routes: (instance) => {
      const end = async (request: import('fastify').FastifyRequest): Promise<void> => { await instance.loginManager.revokeAllSessions(String((request.currentUser as unknown as { id: string }).id)) }
      instance.get('/ending', { websocket: true, preHandler: [instance.loginRequired, end] }, (socket) => { socket.send('opened') })
    }
  })
  const socket = await openSocket(app, '/ending', await loggedIn(app))
  t.assert.strictEqual(socket.greeting, '')
  t.assert.deepStrictEqual(await socket.closed, { code: 3000, reason: 'revoked' })
})

test('an event-stream request whose stream has not started is left to its handler (request.onSessionEnd answers)', async (t: TestContext) => {
  const app = await liveApp(t)
  const browser = await loggedIn(app)
  const bound = app.nextPoll()
  const poll = getJson(app, '/poll', browser, { accept: 'text/event-stream, application/json' })
  await bound
  await browser.request({ method: 'POST', url: '/logout' })
  t.assert.deepStrictEqual(await poll, { reason: 'logout' })
})

test('a WebSocket route outside fastify-login\'s scope opens, untouched', async (t: TestContext) => {
  const app = Fastify({ forceCloseConnections: true })
  t.after(() => app.close())
  await app.register(fastifyWebsocket)
  app.get('/outside', { websocket: true }, (socket) => { socket.send('outside') })
  await app.register(async (child) => {
    await child.register(fastifyLogin, { secret: SECRET, userLoader: () => null, sessions: true })
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const socket = new WebSocket(url.replace(/^http/, 'ws') + '/outside')
  const greeting = await new Promise<string>((resolve) => { socket.once('message', (data) => resolve(String(data))) })
  t.assert.strictEqual(greeting, 'outside')
  socket.close()
})
