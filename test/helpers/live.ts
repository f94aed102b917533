// Live connections over real HTTP: an app with tracked sessions, @fastify/websocket and
// @fastify/sse (registered before or after fastify-login), listening on loopback; WebSocket and
// event-stream clients that tell how their connection ended.
import http from 'node:http'
import type { TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import fastifySse from '@fastify/sse'
import fastifyWebsocket from '@fastify/websocket'
import WebSocket from 'ws'
import { memorySessionStore, type FastifyLoginOptions, type SessionStore } from 'fastify-login'
import { buildApp, type TestApp } from './app.js'
import { client, type Client } from './cookie-jar.js'

export interface LiveApp extends TestApp {
  store: SessionStore
  url: string
  browser (): Client
  /** Resolves when the next GET /poll has bound its listener. */
  nextPoll (): Promise<void>
}

/** A store that does what `inner` does, but for the methods `overrides` gives. */
export function wrapStore (inner: SessionStore, overrides: Partial<SessionStore>): SessionStore {
  const store: Record<string, unknown> = {}
  for (const method of ['create', 'get', 'update', 'list', 'destroy', 'destroyAll', 'announce', 'subscribe'] as const) {
    const own = inner[method] as ((...args: unknown[]) => unknown) | undefined
    if (own !== undefined) store[method] = own.bind(inner)
  }
  return Object.assign(store, overrides) as unknown as SessionStore
}

export interface LiveOptions {
  /** Register @fastify/websocket and @fastify/sse after fastify-login (default: before). */
  after?: boolean
  routes?: (app: FastifyInstance) => void
}

/** The live routes: GET /live (WebSocket, guarded, echoes), /public-live (WebSocket, open to all), /feed (@fastify/sse, guarded), /raw-feed (a hijacked event stream), /poll (request.onSessionEnd), and the devices page's POST /devices/revoke ({ id }) and POST /devices/others/logout. */
function liveRoutes (app: FastifyInstance, polled: () => void): void {
  const name = (request: { currentUser: unknown }): string => String((request.currentUser as { name?: string }).name ?? 'Anonymous')
  app.get('/live', { websocket: true, preHandler: app.loginRequired }, (socket, request) => {
    socket.on('message', (data) => socket.send(`echo ${String(data)}`))
    socket.send(`hello ${name(request)}`)
  })
  app.get('/public-live', { websocket: true }, (socket, request) => {
    socket.on('message', (data) => socket.send(`echo ${String(data)}`))
    socket.send(`hello ${name(request)}`)
  })
  app.get('/feed', { sse: true, preHandler: app.loginRequired }, async (request, reply) => {
    reply.sse.keepAlive()
    await reply.sse.send({ data: `hello ${name(request)}` })
  })
  app.get('/raw-feed', { preHandler: app.loginRequired }, (request, reply) => {
    reply.hijack()
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' })
    reply.raw.write(`data: hello ${name(request)}\n\n`)
  })
  app.post<{ Body: { id: string } }>('/devices/revoke', async (request) => ({ revoked: await request.revokeSession(request.body.id) }))
  app.post('/devices/others/logout', async (request) => ({ ended: await request.logoutOtherSessions() }))
  app.get('/poll', { preHandler: app.loginRequired }, async (request) => {
    const reason = await new Promise((resolve) => {
      request.onSessionEnd(resolve)
      polled()
    })
    return { reason }
  })
}

export async function liveApp (t: TestContext, options: Partial<FastifyLoginOptions> = {}, live: LiveOptions = {}): Promise<LiveApp> {
  const sessions = (options.sessions ?? {}) as Record<string, unknown>
  const store = (sessions.store as SessionStore | undefined) ?? memorySessionStore()
  let polled: () => void = () => {}
  const onPoll = (): void => { polled() }
  const plugins = async (app: FastifyInstance): Promise<void> => {
    await app.register(fastifyWebsocket)
    await app.register(fastifySse)
  }
  const built = await buildApp(t, { ...options, sessions: options.sessions === null ? null : { ...sessions, store } } as Partial<FastifyLoginOptions>, {
    ...(live.after === true ? {} : { before: plugins }),
    // open streams and sockets do not keep a failed test's app from closing
    server: { forceCloseConnections: true },
    routes: (app) => {
      if (live.after === true) {
        app.register(fastifyWebsocket).register(fastifySse).register(async (child) => {
          liveRoutes(child, onPoll)
          live.routes?.(child)
        })
      } else {
        liveRoutes(app, onPoll)
        live.routes?.(app)
      }
    }
  })
  const address = await built.app.listen({ port: 0, host: '127.0.0.1' })
  return {
    ...built,
    store,
    url: address,
    browser: () => client(built.app),
    nextPoll: async () => { await new Promise<void>((resolve) => { polled = resolve }) }
  }
}

/** A logged-in browser of `app`: its Cookie header. */
export async function loggedIn (app: LiveApp, id = '1', query = ''): Promise<Client> {
  const browser = app.browser()
  await browser.request({ method: 'POST', url: `/login/${id}${query}` })
  return browser
}

export interface OpenSocket {
  socket: WebSocket
  /** The first message (the greeting); '' when the socket closed first. */
  greeting: string
  /** How the socket closed. */
  closed: Promise<{ code: number, reason: string }>
  /** Sends `text` and waits for its echo: the socket is open and served. */
  echo (text: string): Promise<string>
}

/** Opens a WebSocket with the browser's cookies; rejects with the HTTP status when refused. */
export async function openSocket (app: LiveApp, path: string, browser?: Client, headers: Record<string, string> = {}): Promise<OpenSocket> {
  const cookie = browser?.jar.header() ?? ''
  const socket = new WebSocket(app.url.replace(/^http/, 'ws') + path, { headers: { ...headers, ...(cookie === '' ? {} : { cookie }) } })
  const closed = new Promise<{ code: number, reason: string }>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  })
  const greeting = await new Promise<string>((resolve, reject) => {
    socket.once('message', (data) => resolve(String(data)))
    socket.once('close', () => resolve('')) // closed before any message
    socket.once('unexpected-response', (_request, response) => { reject(new Error(`HTTP ${String(response.statusCode)}`)); socket.terminate() })
    socket.once('error', reject)
  })
  return {
    socket,
    greeting,
    closed,
    echo: async (text) => await new Promise((resolve) => {
      socket.once('message', (data) => resolve(String(data)))
      socket.send(text)
    })
  }
}

/** GET `path` with the browser's cookies over real HTTP: the JSON body once the response ends. */
export async function getJson (app: LiveApp, path: string, browser: Client, headers: Record<string, string> = {}): Promise<unknown> {
  return await new Promise((resolve, reject) => {
    http.get(app.url + path, { headers: { cookie: browser.jar.header(), ...headers } }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => { body += chunk })
      response.on('end', () => resolve(JSON.parse(body)))
    }).on('error', reject)
  })
}

export interface OpenStream {
  /** The first chunk of the stream. */
  first: string
  /** Resolves when the server ended the response. */
  ended: Promise<void>
  response: http.IncomingMessage
}

/** Opens an event stream (Accept: text/event-stream) with the browser's cookies. */
export async function openStream (app: LiveApp, path: string, browser?: Client): Promise<OpenStream> {
  const cookie = browser?.jar.header() ?? ''
  return await new Promise((resolve, reject) => {
    const request = http.get(app.url + path, { headers: { accept: 'text/event-stream', ...(cookie === '' ? {} : { cookie }) } }, (response) => {
      const ended = new Promise<void>((_resolve) => { response.on('end', _resolve) })
      response.setEncoding('utf8')
      response.once('data', (first: string) => resolve({ first, ended, response }))
      response.once('end', () => resolve({ first: '', ended, response }))
    })
    request.on('error', reject)
  })
}
