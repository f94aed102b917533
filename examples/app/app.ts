// The application factory: `buildApp({ dbPath, secret })` gives a ready Fastify
// instance (not listening), so server.ts and the browser tests start it the same way.
// Logins are tracked sessions (the devices page), kept in memory, or in Redis with `redisUrl`;
// the devices page keeps a WebSocket open that fastify-login closes when its session ends.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import csrfProtection from '@fastify/csrf-protection'
import flash from '@fastify/flash'
import formbody from '@fastify/formbody'
import view from '@fastify/view'
import websocket from '@fastify/websocket'
import ejs from 'ejs'
import fastifyLogin from 'fastify-login'
import { join } from 'node:path'
import { ApiTokens } from './api-tokens.js'
import { installErrorPages } from './errors.js'
import { checkSecret } from './secret.js'
import { SEED_USERS } from './seed-users.js'
import { createSessionStore } from './session-store.js'
import { UsersStore, type SeedUser } from './users-store.js'
import apiRoutes from './routes/api.js'
import authRoutes from './routes/auth.js'
import deviceRoutes from './routes/devices.js'
import deviceLiveRoutes from './routes/devices-live.js'
import pageRoutes from './routes/pages.js'
import settingsRoutes from './routes/settings.js'

export interface BuildAppOptions {
  /** SQLite file (created and seeded when new), or ':memory:'. */
  dbPath: string
  /** At least 32 bytes: signs remember cookies and API tokens, keys the session. */
  secret: string
  logger?: FastifyServerOptions['logger']
  /** Users inserted when the database is empty (default: SEED_USERS). */
  seedUsers?: readonly SeedUser[]
  /** Keep the tracked sessions in this Redis (e.g. `redis://127.0.0.1:6379`); default: in memory. */
  redisUrl?: string
}

export const REMEMBER_DURATION = 14 * 24 * 60 * 60 // 14 days, in seconds
/** Seconds a password typed at login (or on /reauth) allows changing the password or ending a device. */
export const FRESH_FOR = 5 * 60

export async function buildApp ({ dbPath, secret, logger = false, seedUsers = SEED_USERS, redisUrl }: BuildAppOptions): Promise<FastifyInstance> {
  checkSecret(secret, 'secret')
  const app = Fastify({ logger })
  const sessionStore = await createSessionStore(app, redisUrl) // first: a wrong REDIS_URL leaves nothing open
  const users = new UsersStore(dbPath, Buffer.from(secret))
  app.addHook('onClose', async () => users.close())
  await users.seedIfEmpty(seedUsers)
  const tokens = new ApiTokens(secret, users)

  await app.register(formbody)
  await app.register(websocket) // the devices page's live element; fastify-login closes its socket when the session ends
  await app.register(view, {
    engine: { ejs },
    root: join(__dirname, 'views'),
    layout: 'layout.ejs',
    production: process.env.NODE_ENV === 'production'
  })

  await app.register(fastifyLogin, {
    secret, // with no session plugin registered yet, fastify-login registers @fastify/secure-session keyed from it
    userLoader: (id) => users.findById(Number(id)),
    // API clients send `Authorization: Bearer <token>`; such requests leave no session behind.
    requestLoader: (request) => {
      const token = ApiTokens.fromHeader(request.headers.authorization)
      return token === null ? null : tokens.verify(token)
    },
    loginView: '/login',
    loginViews: { '/api': null }, // the API answers 401, never a redirect to the login page
    loginMessageCategory: 'info',
    refreshView: '/reauth',
    needsRefreshMessage: 'Please confirm your password to open this page.',
    needsRefreshMessageCategory: 'info',
    sessionProtection: 'basic',
    rememberCookie: { duration: REMEMBER_DURATION },
    freshFor: FRESH_FOR, // "sudo mode": freshLoginRequired asks for the password again after 5 minutes
    sessions: { store: sessionStore } // every login is a session the user sees on /settings/devices
  })
  await app.register(flash) // needs request.session, which fastify-login has set up
  await app.register(csrfProtection, { sessionPlugin: '@fastify/secure-session' })

  installErrorPages(app)
  await app.register(pageRoutes)
  await app.register(authRoutes, { users })
  await app.register(settingsRoutes, { users })
  await app.register(deviceRoutes)
  await app.register(deviceLiveRoutes)
  await app.register(apiRoutes, { users, tokens })
  return app
}
