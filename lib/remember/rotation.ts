import type { FastifyRequest } from 'fastify'
import type { StoredSession } from '../../types/index.js'
import { clientOf } from '../core/state.js'
import { debug } from '../core/log.js'
import type { Found, Lookup } from '../core/state.js'
import { idOf, sameSecret } from '../core/user.js'
import { startLogin } from '../login/write.js'
import { failClosed } from '../tracked/fail-closed.js'
import type { TrackedSessions } from '../tracked/sessions.js'
import { newRememberToken, rememberHashOf } from '../tracked/tokens.js'
import { carriesCookies, type RememberParts, type RememberPayload, type UserOfCookie } from './cookie.js'

type Verdict = 'rotated' | 'grace' | 'theft' | 'gone'

/**
 * Remember me per tracked session: the cookie names its session and carries a random token,
 * the store keeps only the token's hash. Each restore sends a new token; the previous one still
 * logs in for `rotationGrace` seconds (tabs restoring in parallel); any other token of a live
 * session is theft: that session ends, `rememberTheft` fires, the user's other sessions stay.
 */
export function createRotation (parts: RememberParts, tracked: TrackedSessions) {
  const { engine, options, remember } = parts
  const graceMs = options.rememberCookie.rotationGrace * 1000

  function inGrace (entry: StoredSession, hash: string, now: number): boolean {
    return entry.rotatedAt !== null && now - entry.rotatedAt <= graceMs && sameSecret(entry.previousRememberHash, hash)
  }

  /** The token judged without rotating it (a response that cannot carry a new one). */
  async function judge (entry: StoredSession, hash: string): Promise<Verdict> {
    const byStore = await tracked.rotate(entry.id, { presented: hash, next: null, graceMs, changes: {} })
    if (byStore !== null) return byStore === 'current' ? 'grace' : byStore as Verdict
    return sameSecret(entry.rememberHash, hash) || inGrace(entry, hash, Date.now()) ? 'grace' : 'theft'
  }

  /** Puts the entry's tokens back as they were, unless the new one was rotated again meanwhile. */
  function undoOf (entry: StoredSession, token: string): () => Promise<boolean> {
    const { rememberHash, previousRememberHash, rotatedAt } = entry
    return () => tracked.change(entry.id, { rememberHash, previousRememberHash, rotatedAt }, rememberHashOf(token))
  }

  /**
   * Rotates the token when it is the current one (a compare-and-set, so one of two tabs wins): by
   * the store, on its own clock, when it can; else here, on this process's clock.
   */
  async function verify (request: FastifyRequest, entry: StoredSession, hash: string, next: string, until: number): Promise<Verdict> {
    const now = Date.now()
    const seen = { lastSeenAt: now, ip: clientOf(request).ip, expiresAt: tracked.expiresAt(request, entry.createdAt, now, { until }) }
    const byStore = await tracked.rotate(entry.id, { presented: hash, next: rememberHashOf(next), graceMs, changes: seen })
    if (byStore !== null) return byStore as Verdict
    if (!sameSecret(entry.rememberHash, hash)) {
      return inGrace(entry, hash, now) ? 'grace' : 'theft'
    }
    const changes = { ...seen, rememberHash: rememberHashOf(next), previousRememberHash: hash, rotatedAt: now }
    if (await tracked.change(entry.id, changes, entry.rememberHash)) {
      return 'rotated'
    }
    const again = await tracked.get(entry.id)
    return again === null ? 'gone' : inGrace(again, hash, now) ? 'grace' : 'theft'
  }

  /** A login restored from a tracked session's remember cookie: continues that session. */
  return async function restoreTracked (lookup: Lookup, payload: RememberPayload, userOfCookie: UserOfCookie): Promise<Found> {
    const { request, state } = lookup
    const session = payload.session as NonNullable<RememberPayload['session']>
    const entry = await tracked.get(session.id)
    if (entry === null) {
      debug(request, 'remember cookie rejected: its session was revoked or expired')
      return null
    }
    const user = await userOfCookie(lookup, { ...payload, id: entry.userId, token: null })
    if (user === null) {
      return null
    }
    const left = payload.duration - (Date.now() / 1000 - payload.issuedAt)
    const duration = options.rememberCookie.refreshEachRequest ? payload.duration : left
    const token = newRememberToken()
    const hash = rememberHashOf(session.token)
    const carries = carriesCookies(request)
    const verdict = carries ? await verify(request, entry, hash, token, Date.now() + duration * 1000) : await judge(entry, hash)
    if (verdict === 'gone' || verdict === 'theft') {
      if (verdict === 'theft') {
        debug(request, 'remember cookie rejected: a token that is neither current nor in its grace (theft), session ended')
        await tracked.end(entry.id, 'theft')
        lookup.events?.push(['rememberTheft', request, user])
      }
      return null
    }
    if (verdict === 'grace') {
      // an upgrade cannot carry Set-Cookie (SEC-26), and inside the grace the first restore's
      // answer carries the login: this request only, no session, token or stored session written
      lookup.entry = entry
      state.transientSid = entry.id
      return user
    }
    state.undoRotation = undoOf(entry, token)
    await startLogin(parts, request, user, idOf(options, user), false, entry.id)
    await continueEngine(request, entry)
    const claims = { id: null, token: null, hash: payload.hash, session: { id: entry.id, token }, logouts: 0 }
    state.rememberAction = { op: 'set', value: remember.issue(claims, duration), maxAge: duration, refresh: true }
    return user
  }

  /** On @fastify/session: the new stored session replaces the one the entry named, so none piles up. */
  async function continueEngine (request: FastifyRequest, entry: StoredSession): Promise<void> {
    const current = engine.storedId?.(request)
    if (current === undefined) {
      return
    }
    if (entry.engineId !== null) {
      // within sessions.timeout, as every store call of a request (SEC-29)
      const destroy = () => Promise.resolve(engine.destroyStored?.(entry.engineId as string))
      await failClosed(destroy, (options.sessions as NonNullable<typeof options.sessions>).timeout * 1000)
    }
    await tracked.attachEngine(request, entry.id)
  }
}
