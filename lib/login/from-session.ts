// Step 1 of the lookup (hooks/on-request.ts): the login the session holds.
import type { StoredSession } from '../../types/index.js'
import { debug } from '../core/log.js'
import { chain, type Found, type Lookup, type MaybePromise } from '../core/state.js'
import { asUser, authHashMatches } from '../core/user.js'
import { AUTH_HASH, IDENTIFIER, LOGIN_AT, LOGOUTS, nowSeconds, SEEN_AT, SID } from './keys.js'
import { flushSession, markNotFresh, recordSeen, removeLogin, rewriteIdentifier, takeNext, type LoginParts } from './write.js'

/**
 * The session login, checked in order (session protection, absoluteTimeout, idleTimeout, with
 * `sessions` its tracked session), then loaded with userLoader and bound to the user's auth
 * hash. A login that fails a check is removed from the session and the next steps are tried;
 * strong protection stops the lookup (`lookup.stopped`): the request stays anonymous.
 */
export function createSessionStep (parts: LoginParts): (lookup: Lookup, userId: unknown) => MaybePromise<Found> {
  const { engine, options, tracked, logouts } = parts
  const { sessionProtection, absoluteTimeout, idleTimeout, userLoader } = options
  // as write.ts's hashesUnused, read once here: a logged-in request does not reach write.ts
  const hashesUnused = options.flask?.mode === 'shared'

  function drop (lookup: Lookup, reason: string): null {
    debug(lookup.request, `session login ended: ${reason}`)
    removeLogin(parts, lookup.request, true)
    return null
  }

  /**
   * SEC-27 without `sessions`: an answer in flight during a logout of this browser brought back a
   * login made before it. The login is removed from the session.
   */
  function madeBeforeLogout ({ request }: Lookup): boolean {
    const counts = logouts as NonNullable<typeof logouts>
    if (request.cookies[counts.name] === undefined || !counts.ended(request, engine.get(request, LOGOUTS))) {
      return false
    }
    debug(request, 'session login ended: it was made before the browser\'s last logout')
    removeLogin(parts, request)
    return true
  }

  /** Session protection: false when strong protection removed the login. */
  function protect (lookup: Lookup): boolean {
    const { request, state } = lookup
    const match = parts.identifiers.matches(request, engine.get(request, IDENTIFIER))
    if (match === 'legacy') {
      rewriteIdentifier(parts, request)
      return true
    }
    if (match) {
      return true
    }
    lookup.events?.push(['sessionProtected', request])
    if (sessionProtection === 'strong') {
      debug(request, 'session protection (strong): identifier changed, login removed')
      removeLogin(parts, request, true)
      takeNext(parts, request)
      if (state.cookieSeen) {
        state.rememberAction = { op: 'clear' }
      }
      return false
    }
    debug(request, 'session protection (basic): identifier changed, login marked not fresh')
    markNotFresh(parts, request)
    return true
  }

  /** The timeouts: the reason the login ended, or null while it holds. */
  function expired (lookup: Lookup): string | null {
    const { request } = lookup
    if (absoluteTimeout !== null) {
      lookup.now = nowSeconds()
      const loginAt = engine.get(request, LOGIN_AT)
      if (typeof loginAt !== 'number' || lookup.now - loginAt > absoluteTimeout) {
        return 'absoluteTimeout reached'
      }
    }
    if (idleTimeout !== null) {
      lookup.now = nowSeconds()
      const seen = engine.get(request, SEEN_AT)
      if (typeof seen !== 'number' || lookup.now - seen > idleTimeout) {
        return 'idleTimeout reached'
      }
      lookup.seenAt = seen
    }
    return null
  }

  /** With `sessions`: the store still has the login's tracked session. */
  function trackedLive (lookup: Lookup, entry: StoredSession | null): MaybePromise<Found> {
    if (entry === null) {
      return drop(lookup, 'its tracked session was revoked or expired')
    }
    lookup.entry = entry
    return callUserLoader(lookup)
  }

  function callUserLoader (lookup: Lookup): MaybePromise<Found> {
    if (userLoader === undefined) {
      return null
    }
    return chain(lookup, userLoader(lookup.userId, lookup.request), acceptUser)
  }

  /** The end of the step, once userLoader answered. */
  function acceptUser (lookup: Lookup, value: unknown): MaybePromise<Found> {
    const { request } = lookup
    const user = asUser(options, 'userLoader', value)
    if (user === null) {
      return drop(lookup, 'userLoader found no user')
    }
    if (!authHashMatches(user, engine.get(request, AUTH_HASH), hashesUnused)) {
      debug(request, 'session login ended: session auth hash changed, session flushed')
      return flushSession(parts, request).then(() => null)
    }
    // the idle clock: written at most once per tenth of idleTimeout (at least a second apart)
    if (idleTimeout !== null && lookup.now - lookup.seenAt >= Math.max(1, idleTimeout / 10)) {
      recordSeen(parts, request, lookup.now)
    }
    if (lookup.entry !== null) {
      tracked?.touch(request, lookup.entry, (error) => request.log.warn({ err: error }, 'fastify-login: could not record the session\'s last sighting'))
    }
    return user
  }

  return function fromSession (lookup, userId) {
    // whatever becomes of this login, the session held one: a logout elsewhere must stay final
    engine.saveOnlyWhileStored?.(lookup.request)
    if (typeof userId !== 'string' || userId === '') {
      return drop(lookup, 'malformed user id')
    }
    lookup.userId = userId
    if (logouts !== null && madeBeforeLogout(lookup)) {
      return null
    }
    const sid = tracked === null ? undefined : engine.get(lookup.request, SID)
    if (sessionProtection !== false && !protect(lookup)) {
      // strong protection took the login for a hijack: its tracked session (and remember cookie) ends too
      lookup.stopped = true
      return tracked === null ? null : tracked.end(sid, 'theft').then(() => null)
    }
    const reason = expired(lookup)
    if (reason !== null) {
      return drop(lookup, reason)
    }
    if (tracked !== null) {
      return chain(lookup, tracked.live(sid, userId, lookup.request), trackedLive)
    }
    return callUserLoader(lookup)
  }
}
