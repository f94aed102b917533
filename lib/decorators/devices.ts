// The devices page: what a user (request.listSessions, revokeSession, logoutOtherSessions) and an
// administrator (loginManager.listSessions, revokeSession, revokeAllSessions) do with tracked sessions.
import type { FastifyRequest } from 'fastify'
import type { SessionInfo, UserType as User } from '../../types/index.js'
import { FST_LOGIN_NO_SESSIONS } from '../core/errors.js'
import { stateOf } from '../core/state.js'
import { idOf, notAUser } from '../core/user.js'
import { currentSid } from '../login/keys.js'
import type { TrackedSessions } from '../tracked/sessions.js'
import { authDigestOf } from '../tracked/tokens.js'
import type { LoginContext } from '../context.js'

/**
 * A user id as an administrator may give it, as the idAttribute method returns it (a string or
 * a number, compared as the string the entries hold); anything else finds nothing (null).
 */
function userKey (userId: unknown): string | null {
  if (typeof userId === 'string') return userId === '' ? null : userId
  return typeof userId === 'number' && Number.isFinite(userId) ? String(userId) : null
}

/** A session id as a request or an administrator may give it: anything else ends nothing. */
function isSessionId (id: unknown): id is string {
  return typeof id === 'string' && id !== '' && id.length <= 128
}

function trackedFor (ctx: LoginContext, method: string): TrackedSessions {
  if (ctx.tracked === null) {
    throw new FST_LOGIN_NO_SESSIONS(method)
  }
  return ctx.tracked
}

/** request.listSessions, request.revokeSession, request.logoutOtherSessions. */
export function createDeviceMethods (ctx: LoginContext) {
  const { engine, options } = ctx

  /** The id of the request's logged-in (session) user, or null. */
  function sessionUserId (request: FastifyRequest): string | null {
    const state = stateOf(request)
    return state.user === null || state.stateless ? null : idOf(options, state.user)
  }

  async function listSessions (this: FastifyRequest): Promise<SessionInfo[]> {
    const tracked = trackedFor(ctx, 'request.listSessions()')
    const userId = sessionUserId(this)
    // entries made for another auth hash of the user (a password change) are stale: left out, ended
    return userId === null ? [] : tracked.list(userId, currentSid(engine, this), authDigestOf(stateOf(this).user as User))
  }

  async function revokeSession (this: FastifyRequest, id: string): Promise<boolean> {
    const tracked = trackedFor(ctx, 'request.revokeSession()')
    const userId = sessionUserId(this)
    if (userId === null || !isSessionId(id)) {
      return false
    }
    const entry = await tracked.get(id)
    if (entry === null || entry.userId !== userId) {
      return false
    }
    if (id === currentSid(engine, this)) {
      return this.logoutUser()
    }
    return tracked.end(id, 'revoked')
  }

  async function logoutOtherSessions (this: FastifyRequest): Promise<number> {
    const tracked = trackedFor(ctx, 'request.logoutOtherSessions()')
    const userId = sessionUserId(this)
    // a session login with `sessions` on always names its tracked session (else it has ended)
    return userId === null ? 0 : tracked.endAll(userId, currentSid(engine, this) as string)
  }

  return { listSessions, revokeSession, logoutOtherSessions }
}

/** loginManager.listSessions, revokeSession, revokeAllSessions, for administrators. */
export function createDeviceAdmin (ctx: LoginContext) {
  return {
    /**
     * With a user object, its id and its current auth hash (stale entries are left out and
     * ended); with an id, the entries as the store holds them (userLoader needs a request).
     */
    listSessions: async (user: string | number | User): Promise<SessionInfo[]> => {
      const tracked = trackedFor(ctx, 'loginManager.listSessions()')
      if (notAUser(ctx.options, user) === null) {
        return tracked.list(idOf(ctx.options, user as User), null, authDigestOf(user as User))
      }
      const key = userKey(user)
      return key === null ? [] : tracked.list(key, null)
    },
    revokeSession: async (id: string): Promise<boolean> => {
      const tracked = trackedFor(ctx, 'loginManager.revokeSession()')
      return isSessionId(id) ? tracked.end(id, 'revoked') : false
    },
    revokeAllSessions: async (userId: string | number): Promise<number> => {
      const tracked = trackedFor(ctx, 'loginManager.revokeAllSessions()')
      const key = userKey(userId)
      return key === null ? 0 : tracked.endAll(key, null)
    }
  }
}
