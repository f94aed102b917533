// An application's own @fastify/session store, on a Map the test can reach, with the fault a test
// turns on; and an app on it with fastify-login and tracked sessions on the memory store (the
// tests of tracked sessions over an engine store fastify-login did not register).
import type { TestContext } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import fastifyLogin, { memorySessionStore, type FastifyLoginOptions, type SessionStore } from 'fastify-login'
import { SECRET, SESSION_SECRET } from './app.js'
import { makeUsers, type User } from './users.js'

type Done = (error?: Error | null) => void

/** @fastify/session's store contract on a Map. */
export class MapStore {
  readonly sessions = new Map<string, unknown>()
  /** 'get' or 'destroy': that call fails ('store down'); 'silent': no call ever answers. */
  fault: 'get' | 'destroy' | 'silent' | null = null

  get (id: string, done: (error: Error | null, session?: unknown) => void): void {
    if (this.fault === 'silent') return
    if (this.fault === 'get') done(new Error('store down'))
    else done(null, this.sessions.get(id))
  }

  set (id: string, session: unknown, done: Done): void {
    if (this.fault === 'silent') return
    this.sessions.set(id, session)
    done(null)
  }

  destroy (id: string, done: Done): void {
    if (this.fault === 'silent') return
    if (this.fault === 'destroy') {
      done(new Error('store down'))
      return
    }
    this.sessions.delete(id)
    done(null)
  }
}

export interface AppOnMapStore {
  app: FastifyInstance
  users: Map<string, User>
  sessionStore: MapStore
  tracked: SessionStore
}

/**
 * @fastify/session over a new MapStore (its `cookie` options added to `secure: false`), then
 * fastify-login with tracked sessions on a memory store (`sessions` added to it) and `login`.
 * Not ready: the test adds its routes. Closed in t.after.
 */
export async function appOnMapStore (t: TestContext, { cookie = {}, sessions = {}, login = {} }: {
  cookie?: Record<string, unknown>
  sessions?: Record<string, unknown>
  login?: Partial<FastifyLoginOptions>
} = {}): Promise<AppOnMapStore> {
  const users = makeUsers()
  const sessionStore = new MapStore()
  const tracked = memorySessionStore()
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyCookie)
  await app.register(fastifySession, { secret: SESSION_SECRET, store: sessionStore as never, cookie: { secure: false, ...cookie }, saveUninitialized: false })
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) ?? null, sessions: { store: tracked, ...sessions }, ...login } as FastifyLoginOptions)
  return { app, users, sessionStore, tracked }
}
