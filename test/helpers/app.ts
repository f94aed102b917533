import Fastify, { type FastifyInstance, type FastifyServerOptions, type InjectOptions } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import fastifyLogin, { type FastifyLoginOptions } from 'fastify-login'
import type { TestContext } from 'node:test'
import { client, type CookieJar } from './cookie-jar.js'
import { makeUsers, type User } from './users.js'

export const SECRET = 'a-test-secret-that-is-32-bytes-long!!'
export const SESSION_SECRET = 'another-secret-for-fastify-session-store'

/** The session engine the suite runs on: FASTIFY_LOGIN_ENGINE=session selects @fastify/session. */
export const ENGINE = process.env.FASTIFY_LOGIN_ENGINE === 'session' ? 'session' : 'secure-session'
export const SESSION_COOKIE = ENGINE === 'session' ? 'sessionId' : 'session'

/** Registers the selected session engine (secure-session: left to fastify-login). */
export async function registerEngine (app: FastifyInstance): Promise<void> {
  if (ENGINE === 'session') {
    await app.register(fastifyCookie)
    await app.register(fastifySession, { secret: SESSION_SECRET, cookie: { secure: false }, saveUninitialized: false })
  }
}

export interface TestApp {
  app: FastifyInstance
  users: Map<string, User>
  jar: CookieJar
  /** inject with the jar's cookies, storing the response's cookies in the jar. */
  request (options: InjectOptions | string): Promise<import('fastify').LightMyRequestResponse>
}

export interface BuildOptions {
  before?: (app: FastifyInstance) => Promise<void> | void
  routes?: (app: FastifyInstance, users: Map<string, User>) => void
  server?: FastifyServerOptions
}

/**
 * A Fastify app with fastify-login on the selected engine and Flask-Login's test routes:
 * POST /login/:id (?remember=1&fresh=0&force=1&duration=N), POST /logout, POST /confirm,
 * GET /whoami → { name, fresh, remembered, anonymous }, GET /secret (loginRequired),
 * GET /needs-refresh (freshLoginRequired). Closed in t.after.
 */
export async function buildApp (t: TestContext, options: Partial<FastifyLoginOptions> = {}, build: BuildOptions = {}): Promise<TestApp> {
  const users = makeUsers()
  const app = Fastify(build.server ?? {})
  t.after(() => app.close())
  await registerEngine(app)
  await build.before?.(app)
  await app.register(fastifyLogin, {
    secret: SECRET,
    userLoader: (id) => users.get(id) ?? null,
    sessionProtection: false,
    ...options
  } as FastifyLoginOptions)
  app.post<{ Params: { id: string }, Querystring: Record<string, string> }>('/login/:id', async (request) => {
    const user = users.get(request.params.id)
    if (user === undefined) return { ok: false }
    const q = request.query
    const ok = await request.loginUser(user, {
      remember: q.remember === '1',
      fresh: q.fresh !== '0',
      force: q.force === '1',
      ...(q.duration !== undefined ? { duration: Number(q.duration) } : {})
    })
    return { ok }
  })
  app.post('/logout', async (request) => ({ ok: await request.logoutUser() }))
  app.post('/confirm', async (request) => { await request.confirmLogin(); return { fresh: request.loginFresh() } })
  app.get('/whoami', async (request) => whoami(request))
  app.get('/secret', { preHandler: app.loginRequired }, async (request) => whoami(request))
  app.get('/needs-refresh', { preHandler: app.freshLoginRequired }, async (request) => whoami(request))
  build.routes?.(app, users)
  await app.ready()
  const browser = client(app)
  return { app, users, jar: browser.jar, request: browser.request }
}

export function whoami (request: import('fastify').FastifyRequest): { name: string, fresh: boolean, remembered: boolean, anonymous: boolean } {
  const user = request.currentUser as { name?: string, isAnonymous: boolean }
  return {
    name: user.isAnonymous ? 'Anonymous' : String(user.name),
    fresh: request.loginFresh(),
    remembered: request.loginRemembered(),
    anonymous: user.isAnonymous
  }
}

/** Collects the events of a login manager: [name, userName?][]. */
export function recordEvents (app: FastifyInstance): Array<[string, string | undefined]> {
  const seen: Array<[string, string | undefined]> = []
  const names = ['loggedIn', 'loggedOut', 'loadedFromCookie', 'loadedFromRequest', 'loadedFromHeader',
    'loginConfirmed', 'unauthorized', 'needsRefresh', 'accessed', 'sessionProtected'] as const
  for (const name of names) {
    app.loginManager.on(name, (...args: unknown[]) => {
      const user = args[1] as { name?: string } | undefined
      seen.push([name, user?.name])
    })
  }
  return seen
}
