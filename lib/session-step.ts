import type { StoredSession } from '../types/index.js'
import type { LoginContext } from './context.js'
import { nowSeconds } from './context.js'
import { chain, type MaybePromise } from './maybe-promise.js'
import { debug, loadedUser, STOP, type Found, type Run, type Step } from './load-run.js'
import { writableState } from './request-state.js'
import { AUTH_HASH, FRESH, IDENTIFIER, LOGIN_AT, NEXT, SEEN_AT, SID } from './session-keys.js'
import { authHashMatches, removeLogin } from './session-login.js'
import { identifierMatches, sessionIdentifier } from './session-protection.js'

/**
 * The first step of the pipeline: the login the session holds, checked in order (session
 * protection, absoluteTimeout, idleTimeout), then loaded with userLoader and bound to the user's
 * auth hash. A login that fails a check is removed from the session and the next steps are tried;
 * strong protection stops the pipeline.
 */
export function createSessionStep (ctx: LoginContext): (run: Run, id: unknown) => MaybePromise<Step> {
  const { engine, options, tracked } = ctx
  const { sessionProtection, absoluteTimeout, idleTimeout, userLoader } = options

  function endLogin (run: Run, reason: string): null {
    debug(run.request, `session login ended: ${reason}`)
    removeLogin(ctx, run.request, true)
    return null
  }

  /** Session protection: false when strong protection removed the login. */
  function protect (run: Run): boolean {
    const { request, state } = run
    const match = identifierMatches(request, engine.get(request, IDENTIFIER))
    if (match === 'legacy') {
      engine.set(request, IDENTIFIER, sessionIdentifier(request))
      return true
    }
    if (match) {
      return true
    }
    run.events?.push(['sessionProtected', request])
    if (sessionProtection === 'strong') {
      debug(request, 'session protection (strong): identifier changed, login removed')
      removeLogin(ctx, request, true)
      engine.remove(request, NEXT)
      if (state.cookieSeen) {
        state.rememberAction = { op: 'clear' }
      }
      return false
    }
    debug(request, 'session protection (basic): identifier changed, login marked not fresh')
    if (engine.get(request, FRESH) !== false) {
      engine.set(request, FRESH, false)
    }
    return true
  }

  /** The timeouts: the reason the login ended, or null while it holds. */
  function expired (run: Run): string | null {
    const { request } = run
    if (absoluteTimeout !== null) {
      run.now = nowSeconds()
      const loginAt = engine.get(request, LOGIN_AT)
      if (typeof loginAt !== 'number' || run.now - loginAt > absoluteTimeout) {
        return 'absoluteTimeout reached'
      }
    }
    if (idleTimeout !== null) {
      run.now = nowSeconds()
      const seen = engine.get(request, SEEN_AT)
      if (typeof seen !== 'number' || run.now - seen > idleTimeout) {
        return 'idleTimeout reached'
      }
      run.seenAt = seen
    }
    return null
  }

  /** With `sessions`: the store still has the login's tracked session. */
  function trackedLive (run: Run, entry: StoredSession | null): MaybePromise<Found> {
    if (entry === null) {
      return endLogin(run, 'its tracked session was revoked or expired')
    }
    run.entry = entry
    return loadUser(run, run.id)
  }

  function loadUser (run: Run, id: string): MaybePromise<Found> {
    if (userLoader === undefined) {
      return null
    }
    return chain(run, userLoader(id, run.request), loaded)
  }

  /** The end of the step, once userLoader answered. */
  function loaded (run: Run, value: unknown): MaybePromise<Found> {
    const { request } = run
    const user = loadedUser(ctx, 'userLoader', value)
    if (user === null) {
      return endLogin(run, 'userLoader found no user')
    }
    if (!authHashMatches(user, engine.get(request, AUTH_HASH))) {
      // revoked (password changed, logged out everywhere): flush the whole session (Django)
      debug(request, 'session login ended: session auth hash changed, session flushed')
      return engine.rotate(request, []).then(() => {
        writableState(request).loginChanged = true
        return null
      })
    }
    // the idle clock: written at most once per tenth of idleTimeout (at least a second apart)
    if (idleTimeout !== null && run.now - run.seenAt >= Math.max(1, idleTimeout / 10)) {
      engine.set(request, SEEN_AT, run.now)
    }
    engine.guardInFlight?.(request)
    if (run.entry !== null) {
      tracked?.touch(request, run.entry, (error) => request.log.warn({ err: error }, 'fastify-login: could not record the session\'s last sighting'))
    }
    return user
  }

  return function sessionStep (run, id) {
    if (typeof id !== 'string' || id === '') {
      return endLogin(run, 'malformed user id')
    }
    const sid = tracked === null ? undefined : engine.get(run.request, SID)
    if (sessionProtection !== false && !protect(run)) {
      // strong protection took the login for a hijack: its tracked session (and remember cookie) ends too
      return tracked === null ? STOP : tracked.end(sid).then(() => STOP)
    }
    const reason = expired(run)
    if (reason !== null) {
      return endLogin(run, reason)
    }
    if (tracked !== null) {
      run.id = id
      return chain(run, tracked.live(sid, id), trackedLive)
    }
    return loadUser(run, id)
  }
}
