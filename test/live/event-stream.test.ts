// Event streams and request.onSessionEnd end with their tracked session: @fastify/sse's stream,
// a hijacked reply streaming text/event-stream, a long poll. Real HTTP, both engines.
import { test, type TestContext } from 'node:test'
import { getJson, liveApp, loggedIn, openSocket, openStream } from '../helpers/live.js'

test('an @fastify/sse stream ends when its session is revoked; another session\'s stream goes on', async (t: TestContext) => {
  const app = await liveApp(t)
  const phone = await loggedIn(app)
  const [sid] = (await app.store.list('1')).map((entry) => entry.id)
  const laptop = await loggedIn(app)
  const stream = await openStream(app, '/feed', phone)
  const other = await openStream(app, '/feed', laptop)
  t.assert.strictEqual(stream.first, 'data: "hello Notch"\n\n')
  await app.app.loginManager.revokeSession(sid as string)
  await stream.ended
  t.assert.strictEqual(other.response.complete, false)
  other.response.destroy()
})

test('a hijacked reply streaming text/event-stream is ended by the plugin when the session logs out', async (t: TestContext) => {
  const app = await liveApp(t)
  const browser = await loggedIn(app)
  const stream = await openStream(app, '/raw-feed', browser)
  t.assert.match(stream.first, /data: hello Notch/)
  await browser.request({ method: 'POST', url: '/logout' })
  await stream.ended
  t.assert.strictEqual(stream.response.complete, true)
})

test('request.onSessionEnd: a long poll hears the reason once, on logout', async (t: TestContext) => {
  const app = await liveApp(t)
  const browser = await loggedIn(app)
  const bound = app.nextPoll()
  const poll = getJson(app, '/poll', browser)
  await bound
  await browser.request({ method: 'POST', url: '/logout' })
  t.assert.deepStrictEqual(await poll, { reason: 'logout' })
})

test('request.onSessionEnd: anonymous requests get a no-op; a remover stops the listener; it needs a function', async (t: TestContext) => {
  const heard: string[] = []
  const app = await liveApp(t, {}, {
    routes: (instance) => {
      instance.get('/anonymous-end', async (request) => {
        const remove = request.onSessionEnd(() => heard.push('anonymous'))
        remove()
        return { ok: typeof remove === 'function' }
      })
      instance.get('/removed', async (request) => {
        request.onSessionEnd(() => heard.push('removed'))()
        return { ok: true }
      })
      instance.get('/bad-listener', async (request) => request.onSessionEnd('nope' as never))
    }
  })
  t.assert.deepStrictEqual((await app.request('/anonymous-end')).json(), { ok: true })
  const browser = await loggedIn(app)
  t.assert.deepStrictEqual((await browser.request('/removed')).json(), { ok: true })
  const bad = await browser.request('/bad-listener')
  t.assert.strictEqual(bad.statusCode, 500)
  t.assert.strictEqual(bad.json().code, 'FST_LOGIN_INVALID_VALUE')
  await browser.request({ method: 'POST', url: '/logout' })
  t.assert.deepStrictEqual(heard, [])
})

test('without sessions request.onSessionEnd throws FST_LOGIN_NO_SESSIONS', async (t: TestContext) => {
  const app = await liveApp(t, { sessions: null }, {
    routes: (instance) => { instance.get('/end', async (request) => request.onSessionEnd(() => {})) }
  })
  const response = await app.request('/end')
  t.assert.strictEqual(response.statusCode, 500)
  t.assert.strictEqual(response.json().code, 'FST_LOGIN_NO_SESSIONS')
})

test('two registrations sharing one memory store: a revocation through one closes the other\'s sockets', async (t: TestContext) => {
  const a = await liveApp(t)
  const b = await liveApp(t, { sessions: { store: a.store } })
  const browser = await loggedIn(a)
  const socket = await openSocket(a, '/live', browser)
  t.assert.strictEqual(await b.app.loginManager.revokeAllSessions('1'), 1)
  t.assert.deepStrictEqual(await socket.closed, { code: 3000, reason: 'revoked' })
})
