import FakeTimers from '@sinonjs/fake-timers'
import type { FastifyInstance, FastifyRequest, LightMyRequestResponse } from 'fastify'
import type { TestContext } from 'node:test'
import { client, CookieJar, type Client } from './cookie-jar.js'
import { ENGINE, SESSION_COOKIE } from './app.js'

/** The default name of the remember cookie. */
export const REMEMBER = 'remember_token'

/** A Set-Cookie header as light-my-request parses it. */
export interface SetCookie {
  name: string
  value: string
  path?: string
  domain?: string
  expires?: Date
  maxAge?: number
  secure?: boolean
  httpOnly?: boolean
  sameSite?: string
}

/** Every Set-Cookie of a response. */
export function cookiesOf (response: LightMyRequestResponse): SetCookie[] {
  return response.cookies as SetCookie[]
}

/** The Set-Cookie for `name`, or undefined when the response did not set or clear it. */
export function setCookie (response: LightMyRequestResponse, name: string): SetCookie | undefined {
  return cookiesOf(response).find((cookie) => cookie.name === name)
}

/** True when the Set-Cookie tells the browser to drop the cookie. */
export function isDeletion (cookie: SetCookie | undefined): boolean {
  if (cookie === undefined) {
    return false
  }
  return cookie.value === '' || (cookie.maxAge !== undefined && cookie.maxAge <= 0) ||
    (cookie.expires !== undefined && cookie.expires.getTime() <= Date.now())
}

/** Fakes only Date (so inject keeps working); uninstalled after the test. */
export function installClock (t: TestContext): FakeTimers.Clock {
  const clock = FakeTimers.install({ now: Date.now(), toFake: ['Date'] })
  t.after(() => clock.uninstall())
  return clock
}

/** Advances the fake clock by whole seconds. */
export function advance (clock: FakeTimers.Clock, seconds: number): void {
  clock.tick(seconds * 1000)
}

export { client, type Client }

export function browserWith (app: FastifyInstance, cookies: Record<string, string | undefined>): Client {
  const jar = new CookieJar()
  for (const [name, value] of Object.entries(cookies)) {
    if (value !== undefined) {
      jar.set(name, value)
    }
  }
  return client(app, jar)
}

interface AnySession {
  get (key: string): unknown
  set (key: string, value: unknown): void
  data?: () => Record<string, unknown>
  changed?: boolean
  isModified?: () => boolean
}

function sessionOf (request: FastifyRequest): AnySession {
  return (request as unknown as { session: AnySession }).session
}

/** The session's application-visible data on either engine (undefined values dropped). */
export function sessionData (request: FastifyRequest): Record<string, unknown> {
  const session = sessionOf(request)
  const source: Record<string, unknown> = typeof session.data === 'function'
    ? session.data()
    : Object.fromEntries(Object.entries(session).filter(([key]) => key !== 'cookie'))
  return Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined))
}

/**
 * Routes to look into the session on either engine:
 * POST /session/set { key, value } stores any JSON value, GET /session answers the data,
 * and every response says in `x-session-written: 1` whether the session was changed.
 */
export function sessionRoutes (app: FastifyInstance): void {
  app.post<{ Body: { key: string, value: unknown } }>('/session/set', async (request) => {
    sessionOf(request).set(request.body.key, request.body.value)
    return { ok: true }
  })
  app.get('/session', async (request) => sessionData(request))
  // before @fastify/session's onSend saves the session (and forgets that it changed)
  app.addHook('preSerialization', async (request, reply) => {
    const session = sessionOf(request)
    const written = typeof session.isModified === 'function' ? session.isModified() : session.changed === true
    reply.header('x-session-written', written ? '1' : '0')
  })
}

/** Stores `value` under `key` in the session of the browser behind `request`. */
export async function putInSession (request: Client['request'], key: string, value: unknown): Promise<LightMyRequestResponse> {
  return request({ method: 'POST', url: '/session/set', payload: { key, value } })
}

/**
 * Whether the response wrote the session: a new session cookie on @fastify/secure-session (the
 * session is the cookie), a changed session on @fastify/session (it re-sends the same id on
 * every request when `rolling`, so the cookie says nothing there).
 */
export function sessionWritten (response: LightMyRequestResponse): boolean {
  if (ENGINE === 'session') {
    return response.headers['x-session-written'] === '1'
  }
  return setCookie(response, SESSION_COOKIE) !== undefined
}
