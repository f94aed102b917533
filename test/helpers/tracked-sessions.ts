// Shared by the tracked-session tests: an app with `sessions` on a store the test can look into,
// and routes for the devices page.
import type { TestContext } from 'node:test'
import { memorySessionStore, type FastifyLoginOptions, type SessionStore, type StoredSession } from 'fastify-login'
import { buildApp, type TestApp } from './app.js'
import { client, sessionRoutes, type Client } from './remember.js'

export interface SessionsApp extends TestApp {
  store: SessionStore
  /** A new browser on the same app. */
  browser (): Client
  /** Every live entry of the user, straight from the store. */
  entries (userId: string): Promise<StoredSession[]>
}

/** An app with tracked sessions and the routes GET /devices, POST /devices/revoke ({ id }), POST /devices/others/logout. */
export async function sessionsApp (t: TestContext, sessions: Record<string, unknown> = {}, options: Partial<FastifyLoginOptions> = {}): Promise<SessionsApp> {
  const store = (sessions.store as SessionStore | undefined) ?? memorySessionStore()
  const built = await buildApp(t, { ...options, sessions: { ...sessions, store } }, {
    routes: (app) => {
      sessionRoutes(app)
      app.get('/devices', async (request) => request.listSessions())
      app.post<{ Body: { id: string } }>('/devices/revoke', async (request) => ({ revoked: await request.revokeSession(request.body.id) }))
      app.post('/devices/others/logout', async (request) => ({ ended: await request.logoutOtherSessions() }))
      app.get<{ Params: { id: string } }>('/engine-has/:id', async (request) => {
        const sessionStore = (request as unknown as { sessionStore?: { get (id: string, done: (error: unknown, value: unknown) => void): void } }).sessionStore
        if (sessionStore === undefined) return { stored: null }
        return { stored: await new Promise((resolve) => { sessionStore.get(request.params.id, (_error, value) => resolve(value !== undefined && value !== null)) }) }
      })
    }
  })
  return {
    ...built,
    store,
    browser: () => client(built.app),
    entries: (userId) => store.list(userId)
  }
}

/** The devices list a browser sees. */
export async function devices (browser: Pick<Client, 'request'>): Promise<Array<Record<string, unknown>>> {
  return (await browser.request('/devices')).json()
}

/** POST /devices/revoke with `{ id }` (any JSON value). */
export async function revoke (browser: Pick<Client, 'request'>, id: unknown): Promise<boolean> {
  return (await browser.request({ method: 'POST', url: '/devices/revoke', payload: { id } })).json().revoked
}
