import type { FastifyRequest } from 'fastify'
import type { UserType as User } from '../types/index.js'
import { authHashOf, type LoginContext } from './context.js'
import { FST_LOGIN_INVALID_USER } from './errors.js'
import { SID, USER_ID } from './session-keys.js'
import { removeLogin } from './session-login.js'
import { clientOf } from './session-protection.js'
import { newRememberToken, type TrackedSessions } from './tracked-sessions.js'

export interface TrackedLogin {
  readonly sid: string
  /** The remember cookie of this session, when the login asked for one. */
  readonly rememberValue: string | null
}

/**
 * Opens the tracked session of a new login (null when `maxPerUser` refuses it). A tracked session
 * this browser already had is replaced: by the store when it was the same user's (it does not
 * count against the limit), here when it was another user's.
 */
export async function openTrackedLogin (ctx: LoginContext, request: FastifyRequest, user: User, id: string, wantsRemember: boolean, duration: number): Promise<TrackedLogin | null> {
  const tracked = ctx.tracked as TrackedSessions
  const previous = ctx.engine.get(request, SID)
  const sameUser = ctx.engine.get(request, USER_ID) === id
  const token = wantsRemember ? newRememberToken() : null
  const sid = await tracked.open(request, clientOf(request), id, sameUser && typeof previous === 'string' ? previous : null, token, duration)
  if (sid === null) {
    return null
  }
  if (!sameUser) {
    await tracked.end(previous)
  }
  if (token === null) {
    return { sid, rememberValue: null }
  }
  const rememberValue = ctx.remember.encode({ id: null, token: null, hash: authHashOf(user), session: { id: sid, token } }, duration)
  if (!ctx.remember.fits(rememberValue)) {
    await tracked.end(sid)
    throw new FST_LOGIN_INVALID_USER('its auth hash is too long for the remember cookie (4096 bytes)')
  }
  return { sid, rememberValue }
}

/**
 * Names the tracked session in the (rotated) session, and the engine's session in the entry. When
 * a parallel login revoked the entry meanwhile, the login is taken out again, so that the stored
 * session @fastify/session saves holds none (it would log nobody in, but would linger until its TTL).
 */
export async function attachTrackedLogin (ctx: LoginContext, request: FastifyRequest, sid: string): Promise<void> {
  ctx.engine.set(request, SID, sid)
  if (!await (ctx.tracked as TrackedSessions).attachEngine(request, sid)) {
    removeLogin(ctx, request, true)
  }
}
