import { test, type TestContext } from 'node:test'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fastifyAuth from '@fastify/auth'
import fastifyWebsocket from '@fastify/websocket'
import WebSocket from 'ws'
import { buildApp } from '../helpers/app.js'
import { BROWSER_ACCEPT, deniedBody, LOGIN_MESSAGE, logIn, REFRESH_MESSAGE } from '../helpers/flows.js'
import { liveApp, loggedIn, openStream } from '../helpers/live.js'

interface Seen { code: string | undefined, statusCode: number | undefined, message: string, url: string }

/** An app whose error handler renders every error as an HTML page and records what it saw. */
async function appWithErrorPage (t: TestContext, options: Parameters<typeof buildApp>[1] = {}) {
  const seen: Seen[] = []
  const testApp = await buildApp(t, options, {
    before: (app) => {
      app.setErrorHandler((error: Error & { code?: string, statusCode?: number }, request, reply) => {
        seen.push({ code: error.code, statusCode: error.statusCode, message: error.message, url: request.url })
        return reply.code(error.statusCode ?? 500).type('text/html').send(`<h1>${error.statusCode ?? 500} page</h1>`)
      })
    }
  })
  return { ...testApp, seen }
}

// Flask: @app.errorhandler(401) renders what login_required's abort(401) raises
test("the application's error handler sees the guards' 401 and renders it", async (t: TestContext) => {
  const { request, seen } = await appWithErrorPage(t)
  const response = await request('/secret')
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.strictEqual(response.body, '<h1>401 page</h1>')
  t.assert.deepStrictEqual(seen, [{ code: 'FST_LOGIN_UNAUTHORIZED', statusCode: 401, message: LOGIN_MESSAGE, url: '/secret' }])

  await request({ method: 'POST', url: '/login/1?fresh=0' })
  const stale = await request('/needs-refresh')
  t.assert.strictEqual(stale.statusCode, 401)
  t.assert.strictEqual(stale.body, '<h1>401 page</h1>')
  t.assert.deepStrictEqual(seen[1], { code: 'FST_LOGIN_NEEDS_REFRESH', statusCode: 401, message: REFRESH_MESSAGE, url: '/needs-refresh' })
})

// a 401 is an expected answer, not a fault: no stack trace is captured for it (the capture was
// most of a 401's cost in the benchmark), and it is still an Error with its code
test("the guards' 401 is an Error with its code and message, and carries no stack trace", async (t: TestContext) => {
  const errors: Error[] = []
  const { request } = await buildApp(t, {}, {
    before: (app) => {
      app.setErrorHandler((error: Error, _request, reply) => {
        errors.push(error)
        return reply.code(401).send('no')
      })
    }
  })
  await request('/secret')
  t.assert.strictEqual(errors.length, 1)
  const [error] = errors as [Error & { code?: string }]
  t.assert.ok(error instanceof Error)
  t.assert.strictEqual(error.code, 'FST_LOGIN_UNAUTHORIZED')
  t.assert.strictEqual(error.message, LOGIN_MESSAGE)
  t.assert.strictEqual(error.stack, undefined)
})

test('with a login view, a JSON client\'s 401 reaches the error handler; a browser is redirected without it', async (t: TestContext) => {
  const { request, seen } = await appWithErrorPage(t, { loginView: '/login' })
  const json = await request({ url: '/secret', headers: { accept: 'application/json' } })
  t.assert.strictEqual(json.statusCode, 401)
  t.assert.strictEqual(seen.length, 1)
  const browser = await request({ url: '/secret', headers: { accept: BROWSER_ACCEPT } })
  t.assert.strictEqual(browser.statusCode, 302)
  t.assert.strictEqual(seen.length, 1)
})

test("Fastify's default error handler answers the guards' 401 with the contract's JSON body", async (t: TestContext) => {
  const { request } = await buildApp(t)
  const response = await request('/secret')
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.match(String(response.headers['content-type']), /^application\/json/)
  t.assert.deepStrictEqual(response.json(), deniedBody('FST_LOGIN_UNAUTHORIZED', LOGIN_MESSAGE))
})

test('an unauthorizedHandler that does not answer: its 401 goes through the error handler too', async (t: TestContext) => {
  const { request, seen } = await appWithErrorPage(t, { unauthorizedHandler: async () => undefined })
  const response = await request('/secret')
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.strictEqual(response.body, '<h1>401 page</h1>')
  t.assert.strictEqual(seen[0]?.code, 'FST_LOGIN_UNAUTHORIZED')
})

test('a guard awaited in the application\'s own hook rejects with the 401, which the error handler sees', async (t: TestContext) => {
  const seen: string[] = []
  const { request } = await buildApp(t, {}, {
    before: (app) => {
      app.setErrorHandler((error: Error & { code?: string }, _request, reply) => {
        seen.push(String(error.code))
        return reply.code(401).send('custom')
      })
    },
    routes: (app) => {
      app.get('/own-hook', { preHandler: async (req, reply) => { await app.loginRequired(req, reply) } }, async () => 'in')
    }
  })
  const response = await request('/own-hook')
  t.assert.strictEqual(response.statusCode, 401)
  t.assert.strictEqual(response.body, 'custom')
  t.assert.deepStrictEqual(seen, ['FST_LOGIN_UNAUTHORIZED'])
})

test('loginManager.unauthorized keeps answering: its 401 is sent, the error handler is not called', async (t: TestContext) => {
  const seen: string[] = []
  const { request } = await buildApp(t, {}, {
    before: (app) => {
      app.setErrorHandler((error: Error, _request, reply) => {
        seen.push(error.message)
        return reply.code(500).send('handler')
      })
    },
    routes: (app) => {
      app.get('/deny', async (req, reply) => app.loginManager.unauthorized(req, reply))
      app.get('/deny-refresh', async (req, reply) => app.loginManager.needsRefresh(req, reply))
    }
  })
  const denied = await request('/deny')
  t.assert.strictEqual(denied.statusCode, 401)
  t.assert.deepStrictEqual(denied.json(), deniedBody('FST_LOGIN_UNAUTHORIZED', LOGIN_MESSAGE))
  const refresh = await request('/deny-refresh')
  t.assert.strictEqual(refresh.statusCode, 401)
  t.assert.deepStrictEqual(refresh.json(), deniedBody('FST_LOGIN_NEEDS_REFRESH', REFRESH_MESSAGE))
  t.assert.deepStrictEqual(seen, [])
})

test('loginManager.unauthorized passes on an error thrown by the application\'s unauthorizedHandler', async (t: TestContext) => {
  const { request } = await buildApp(t, { unauthorizedHandler: () => { throw Object.assign(new Error('teapot'), { statusCode: 418 }) } }, {
    routes: (app) => {
      app.get('/deny', async (req, reply) => app.loginManager.unauthorized(req, reply))
    }
  })
  t.assert.strictEqual((await request('/deny')).statusCode, 418)
})

/** @fastify/auth with the guard and an API-key strategy that counts its calls. */
async function authApp (t: TestContext, relation: 'or' | 'and', loginView: string | null = null) {
  const calls = { apiKey: 0 }
  const testApp = await buildApp(t, { loginView }, {
    before: async (app) => { await app.register(fastifyAuth) },
    routes: (app) => {
      const apiKey = (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
        calls.apiKey++
        done(request.headers['x-api-key'] === 'good' ? undefined : Object.assign(new Error('bad api key'), { statusCode: 401 }))
      }
      app.get('/combined', { preHandler: app.auth([app.loginRequired, apiKey], { relation }) }, async () => 'in')
    }
  })
  return { ...testApp, calls }
}

test('@fastify/auth "or": a valid API key is let in after the guard refuses; neither gives 401', async (t: TestContext) => {
  const { request, calls } = await authApp(t, 'or')
  const withKey = await request({ url: '/combined', headers: { 'x-api-key': 'good', accept: 'application/json' } })
  t.assert.strictEqual(withKey.statusCode, 200)
  t.assert.strictEqual(withKey.body, 'in')
  const without = await request({ url: '/combined', headers: { 'x-api-key': 'bad' } })
  t.assert.strictEqual(without.statusCode, 401)
  t.assert.strictEqual(calls.apiKey, 2)
  await logIn(request)
  t.assert.strictEqual((await request('/combined')).body, 'in')
  t.assert.strictEqual(calls.apiKey, 2)
})

test('@fastify/auth "and": the guard\'s refusal stops the chain; a logged-in user still needs the key', async (t: TestContext) => {
  const { request, calls } = await authApp(t, 'and')
  const anonymous = await request({ url: '/combined', headers: { 'x-api-key': 'good' } })
  t.assert.strictEqual(anonymous.statusCode, 401)
  t.assert.strictEqual(anonymous.json().code, 'FST_LOGIN_UNAUTHORIZED')
  t.assert.strictEqual(calls.apiKey, 0)
  await logIn(request)
  t.assert.strictEqual((await request({ url: '/combined', headers: { 'x-api-key': 'bad' } })).statusCode, 401)
  t.assert.strictEqual((await request({ url: '/combined', headers: { 'x-api-key': 'good' } })).body, 'in')
})

test('upgrade and event-stream requests get the 401, never a redirect, even with a login view', async (t: TestContext) => {
  const { request, seen } = await appWithErrorPage(t, { loginView: '/login', refreshView: '/reauth' })
  const cases: Array<Record<string, string>> = [
    { connection: 'Upgrade', upgrade: 'websocket', accept: BROWSER_ACCEPT },
    { connection: 'keep-alive, Upgrade', accept: BROWSER_ACCEPT },
    { upgrade: 'websocket' },
    { accept: 'text/event-stream' },
    { accept: 'Text/Event-Stream, */*' }
  ]
  for (const headers of cases) {
    const response = await request({ url: '/secret', headers })
    t.assert.strictEqual(response.statusCode, 401, JSON.stringify(headers))
    t.assert.strictEqual(response.headers.location, undefined)
  }
  t.assert.strictEqual(seen.length, cases.length)
  await request({ method: 'POST', url: '/login/1?fresh=0' })
  const stale = await request({ url: '/needs-refresh', headers: { accept: 'text/event-stream' } })
  t.assert.strictEqual(stale.statusCode, 401)
  t.assert.strictEqual(seen.at(-1)?.code, 'FST_LOGIN_NEEDS_REFRESH')
  // an ordinary browser request with keep-alive is still redirected
  const browser = await request({ url: '/secret', headers: { connection: 'keep-alive', accept: BROWSER_ACCEPT } })
  t.assert.strictEqual(browser.statusCode, 200)
})

test('a real WebSocket upgrade to a guarded route is refused with 401 and never opens', async (t: TestContext) => {
  const { app } = await buildApp(t, { loginView: '/login' }, {
    before: async (app) => { await app.register(fastifyWebsocket) },
    routes: (app) => {
      app.get('/live', { websocket: true, preHandler: app.loginRequired }, (socket) => { socket.send('hello') })
    }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address() as { port: number }
  const outcome = await new Promise<{ status: number | undefined, location: string | undefined, opened: boolean }>((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${address.port}/live`)
    socket.on('open', () => { socket.close(); resolve({ status: undefined, location: undefined, opened: true }) })
    socket.on('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode, location: response.headers.location, opened: false })
      response.resume()
      socket.terminate()
    })
    socket.on('error', () => undefined)
  })
  t.assert.deepStrictEqual(outcome, { status: 401, location: undefined, opened: false })
})

/** How a real WebSocket upgrade to `url` was refused: its status and Location; `opened` when it was not. */
async function upgradeRefusal (url: string, cookie: string): Promise<{ status: number, location: string | undefined } | 'opened'> {
  return await new Promise((resolve) => {
    const socket = new WebSocket(url, { headers: cookie === '' ? {} : { cookie } })
    socket.on('open', () => { socket.close(); resolve('opened') })
    socket.on('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode as number, location: response.headers.location })
      response.resume()
      socket.terminate()
    })
    socket.on('error', () => undefined)
  })
}

test('with sessions, loginView and refreshView: real upgrades and event streams get the 401, never a redirect (anonymous, not fresh, a stream reconnecting after its session ended)', async (t: TestContext) => {
  const app = await liveApp(t, { loginView: '/login', refreshView: '/reauth' }, {
    routes: (instance) => {
      instance.get('/live-fresh', { websocket: true, preHandler: instance.freshLoginRequired }, (socket) => { socket.send('fresh') })
    }
  })
  const ws = app.url.replace(/^http/, 'ws')
  const denied = { status: 401, location: undefined }
  t.assert.deepStrictEqual(await upgradeRefusal(`${ws}/live`, ''), denied)
  // EventSource sends Accept: text/event-stream alone
  const anonymous = await openStream(app, '/feed')
  t.assert.deepStrictEqual([anonymous.response.statusCode, anonymous.response.headers.location], [401, undefined])
  t.assert.strictEqual(JSON.parse(anonymous.first).code, 'FST_LOGIN_UNAUTHORIZED')

  // logged in, but not fresh: freshLoginRequired's 401, not the refresh view
  const stale = await loggedIn(app, '1', '?fresh=0')
  t.assert.deepStrictEqual(await upgradeRefusal(`${ws}/live-fresh`, stale.jar.header()), denied)
  t.assert.strictEqual(await upgradeRefusal(`${ws}/live`, stale.jar.header()), 'opened')

  // a stream whose session ended: the browser reconnects with the same cookies and gets the 401
  const browser = await loggedIn(app, '2')
  const stream = await openStream(app, '/feed', browser)
  t.assert.strictEqual(stream.response.statusCode, 200)
  t.assert.strictEqual(await app.app.loginManager.revokeAllSessions('2'), 1)
  await stream.ended
  const again = await openStream(app, '/feed', browser)
  t.assert.deepStrictEqual([again.response.statusCode, again.response.headers.location], [401, undefined])
})
