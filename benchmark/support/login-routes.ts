// The routes and loaders of the fastify-login servers, (d), (d-sync) and (e): only the session
// engine under them (and the userLoader of d-sync) differs.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { URLSafeTimedSerializer, type FastifyLoginOptions, type SessionStore } from 'fastify-login'
import { PUBLIC_BODY, loginTarget, profile, unauthorized, type LoginBody } from './routes.js'
import { findUser, type BenchUser } from './users.js'
import { SECRET, TOKEN_MAX_AGE, TOKEN_SALT } from './config.js'

const tokens = new URLSafeTimedSerializer(SECRET, { salt: TOKEN_SALT })
const BEARER = 'Bearer '

/** Bearer tokens made by `tokens.dumps(userId)`; `null` (anonymous) for anything else. */
function bearerUser (request: FastifyRequest): BenchUser | null {
  const header = request.headers.authorization
  if (header === undefined || !header.startsWith(BEARER)) return null
  try {
    return findUser(tokens.loads(header.slice(BEARER.length), { maxAge: TOKEN_MAX_AGE }))
  } catch {
    return null
  }
}

/**
 * The userLoader of (d) and (e): async, as in an application that reads its users from a
 * database (here the Map, so the figure is the cost of the promise, not of a query).
 */
export const asyncUserLoader = async (id: string): Promise<BenchUser | null> => findUser(id)

/** The userLoader of (d-sync): answers synchronously (an in-process cache). */
export const syncUserLoader = (id: string): BenchUser | null => findUser(id)

/** fastify-login options shared by (d) and (e); `extra` adds the engine-specific ones. */
export function loginOptions (extra: Partial<FastifyLoginOptions> = {}): FastifyLoginOptions {
  return {
    secret: SECRET,
    userLoader: asyncUserLoader,
    requestLoader: bearerUser,
    ...extra
  }
}

/**
 * Tracked sessions on `store`. The runner replays one remember cookie for a whole run, so the
 * grace is long: every restore after a cookie's first is a restore inside the grace (a store read
 * and a new session, no rotation write).
 */
export function trackedSessions (store: SessionStore): Partial<FastifyLoginOptions> {
  return { sessions: { store }, rememberCookie: { rotationGrace: 86_400 } }
}

export function loginRoutes (app: FastifyInstance): void {
  // Logs in with the remember cookie set and hands out a bearer token, so one call gives the
  // runner every credential it needs.
  app.post<{ Body: LoginBody }>('/login', async (request, reply) => {
    const user = loginTarget(request.body)
    if (user === null) return unauthorized(reply)
    await request.loginUser(user, { remember: true })
    return { ...profile(user), token: tokens.dumps(user.id) }
  })
  app.get('/public', async () => PUBLIC_BODY)
  const guarded = { preHandler: app.loginRequired }
  const handler = async (request: FastifyRequest): Promise<{ name: string }> => profile(request.currentUser as BenchUser)
  app.get('/protected', guarded, handler)
  app.get('/remembered', guarded, handler)
  app.get('/api/me', guarded, handler)
}
