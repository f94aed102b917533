// loginUser with `sessions`: the tracked session of a new login.
import type { FastifyRequest } from 'fastify'
import type { Secret, UserType as User } from '../../types/index.js'
import { clientOf } from '../core/state.js'
import { SID, USER_ID } from '../login/keys.js'
import { removeLogin } from '../login/write.js'
import { claimsFor } from '../remember/cookie.js'
import type { TrackedSessions } from '../tracked/sessions.js'
import { authDigestOf, newRememberToken, originOf, originToken } from '../tracked/tokens.js'
import type { LoginContext } from '../context.js'

export interface TrackedLogin {
  readonly sid: string
  /** The remember cookie of this session, when the login asked for one. */
  readonly rememberValue: string | null
}

/**
 * Opens the tracked session of a new login (null when `maxPerUser` refuses it). A tracked session
 * this browser already had is replaced: by the store when it was the same user's (it does not
 * count against the limit), here when it was another user's. A login posted twice at once carries
 * one session cookie: with a store that declares 'origin', the second joins the first's entry with
 * the same remember token, so the browser holds one tracked session whichever answer it keeps.
 */
export async function openTrackedLogin (ctx: LoginContext, request: FastifyRequest, user: User, id: string, wantsRemember: boolean, duration: number): Promise<TrackedLogin | null> {
  const tracked = ctx.tracked as TrackedSessions
  const previous = ctx.engine.get(request, SID)
  const sameUser = ctx.engine.get(request, USER_ID) === id
  // only a store that joins such logins (the 'origin' capability) is given one
  const origin = tracked.capabilities.origin ? originOf(request.cookies[ctx.engine.cookieName]) : null
  const token = !wantsRemember ? null : origin === null ? newRememberToken() : originToken(ctx.options.secrets[0] as Secret, origin, id)
  const replaces = sameUser && typeof previous === 'string' ? previous : null
  const sid = await tracked.open(request, clientOf(request), { userId: id, replaces, rememberToken: token, duration, origin, authDigest: authDigestOf(user) })
  if (sid === null) {
    return null
  }
  if (!sameUser) {
    await tracked.end(previous, 'logout')
  }
  if (token === null) {
    return { sid, rememberValue: null }
  }
  try {
    return { sid, rememberValue: ctx.remember.issue(claimsFor(user, id, { id: sid, token }), duration) }
  } catch (error) {
    await tracked.end(sid, 'logout')
    throw error
  }
}

/**
 * Names the engine's session in the tracked session's entry. When a parallel login revoked the
 * entry meanwhile, the login is taken out again, so that the stored session @fastify/session
 * saves holds none (it would log nobody in, but would linger until its TTL).
 */
export async function attachTrackedLogin (ctx: LoginContext, request: FastifyRequest, sid: string): Promise<void> {
  if (!await (ctx.tracked as TrackedSessions).attachEngine(request, sid)) {
    removeLogin(ctx, request, true)
  }
}
