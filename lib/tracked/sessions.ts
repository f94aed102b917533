import type { FastifyRequest } from 'fastify'
import type { NewStoredSession, ResolvedLoginOptions, SessionEndReason, SessionInfo, SessionStore, StoredSession, StoredSessionChanges } from '../../types/index.js'
import { clientOf, type Client, type MaybePromise } from '../core/state.js'
import type { SessionEngine } from '../session/engine.js'
import { kGetNow } from '../stores/memory.js'
import { EarlyReads } from './early-reads.js'
import { failClosed } from './fail-closed.js'
import { rememberHashOf } from './tokens.js'

type Settings = NonNullable<ResolvedLoginOptions['sessions']>

/** listSessions answers at most this many sessions, the most recently seen. */
const LIST_MAX = 1000

/** lastSeenAt and ip are written at most this often per session (and never on every request). */
const TOUCH_EVERY_MS = 60_000

/** Told of the sessions ended through this registration, with why (live/ closes their connections). */
export type EndedListener = (entries: readonly StoredSession[], reason: SessionEndReason) => void

/** When one remember-bearing entry stops existing, in ms: the cookie's own end. */
export interface RememberEnd { readonly until: number }

/**
 * Tracked sessions (the `sessions` option): one entry per login in the store, named by the
 * session (`_sid`). The store decides whether a login is still live, on every request, so a
 * revocation is seen by the very next request of every process sharing it.
 */
export class TrackedSessions {
  readonly store: SessionStore
  readonly #settings: Settings
  readonly #options: ResolvedLoginOptions
  readonly #engine: SessionEngine
  readonly #touchEvery: number
  /** How long a store call may take (sessions.timeout). */
  readonly #timeoutMs: number
  /** The store's synchronous `get`, when it has one (the memory store). */
  readonly #getNow: ((id: string) => StoredSession | null) | null
  /** Otherwise, on @fastify/session: entries read as their stored session is (early-reads.ts). */
  readonly #early: EarlyReads | null
  /** Set by the live connections (live/): told of every session ended here. */
  onEnded: EndedListener | null = null

  constructor (options: ResolvedLoginOptions, engine: SessionEngine) {
    this.#settings = options.sessions as Settings
    this.store = this.#settings.store
    this.#timeoutMs = this.#settings.timeout * 1000
    const getNow = (this.store as { [kGetNow]?: (id: string) => StoredSession | null })[kGetNow]
    this.#getNow = getNow === undefined ? null : getNow.bind(this.store)
    this.#early = this.#getNow === null ? EarlyReads.watch(engine, (sid) => this.#call(() => this.store.get(sid))) : null
    this.#options = options
    this.#engine = engine
    const idle = options.idleTimeout
    this.#touchEvery = idle === null ? TOUCH_EVERY_MS : Math.min(TOUCH_EVERY_MS, Math.max(1000, idle * 100))
  }

  /** The longest an entry can still live, from its times (ms). */
  expiresAt (request: FastifyRequest | null, createdAt: number, lastSeenAt: number, remember: RememberEnd | null): number {
    const { absoluteTimeout, idleTimeout, rememberCookie } = this.#options
    const engineSeconds = (request === null ? null : this.#engine.lifetime(request)) ?? rememberCookie.duration
    let end = Math.max(lastSeenAt + engineSeconds * 1000, remember?.until ?? 0)
    if (absoluteTimeout !== null) end = Math.min(end, createdAt + absoluteTimeout * 1000)
    if (idleTimeout !== null) end = Math.min(end, lastSeenAt + idleTimeout * 1000)
    return end
  }

  /**
   * The live entry `sid` of the session login of `userId`, else null (revoked, expired, another
   * user's). The memory store answers at once, so its check creates no promise; on @fastify/session
   * an asynchronous store's read may have started with the session's.
   */
  live (sid: unknown, userId: string, request: FastifyRequest): MaybePromise<StoredSession | null> {
    if (typeof sid !== 'string') return null
    const ownedBy = (entry: StoredSession | null): StoredSession | null => entry !== null && entry.userId === userId ? entry : null
    if (this.#getNow !== null) return ownedBy(this.#getNow(sid))
    return (this.#early === null ? this.#call(() => this.store.get(sid)) : this.#early.entry(request, sid)).then(ownedBy)
  }

  /** Records the sighting (lastSeenAt, ip) at most once a minute; never waits for the store. */
  touch (request: FastifyRequest, entry: StoredSession, onError: (error: Error) => void): void {
    const now = Date.now()
    if (now - entry.lastSeenAt < this.#touchEvery) return
    const remember = entry.rememberHash === null ? null : { until: entry.expiresAt }
    const changes: StoredSessionChanges = {
      lastSeenAt: now,
      ip: clientOf(request).ip,
      expiresAt: this.expiresAt(request, entry.createdAt, now, remember)
    }
    this.#call(() => this.store.update(entry.id, changes)).catch(onError)
  }

  /**
   * A new entry for a login, holding the hash of its remember token (if any) and living as long
   * as a cookie of `duration` seconds; null when the limit refuses it. Ends the sessions the limit
   * revoked.
   */
  async open (request: FastifyRequest | null, client: Client, userId: string, replaces: string | null, rememberToken: string | null, duration: number): Promise<string | null> {
    const now = Date.now()
    const rememberHash = rememberToken === null ? null : rememberHashOf(rememberToken)
    const remember = rememberToken === null ? null : { until: now + duration * 1000 }
    const entry: NewStoredSession = {
      userId,
      createdAt: now,
      lastSeenAt: now,
      ip: client.ip,
      userAgent: client.userAgent,
      rememberHash,
      previousRememberHash: null,
      rotatedAt: null,
      engineId: null,
      expiresAt: this.expiresAt(request, now, now, remember)
    }
    const { maxPerUser, onLimit } = this.#settings
    const create = () => this.#call(() => this.store.create(entry, { maxPerUser, onLimit, replaces }))
    // refused: entries whose stored session is gone count for nothing, the login is tried again without them
    const created = await create() ?? (await this.#reapDead(userId) ? await create() : null)
    if (created === null) return null
    // the entry this browser's new login replaces ends as a logout; the others the limit ended
    const replaced = created.ended.filter((ended) => ended.id === replaces)
    this.#told(replaced, 'logout')
    this.#told(created.ended.filter((ended) => ended.id !== replaces), 'limit')
    await this.#endEngines(created.ended)
    return created.id
  }

  /**
   * Records the engine's session id (@fastify/session) so a revocation destroys it too. False when
   * the entry is gone meanwhile (a parallel login revoked it under `maxPerUser`).
   */
  async attachEngine (request: FastifyRequest, sid: string): Promise<boolean> {
    const engineId = this.#engine.storedId?.(request)
    if (engineId === undefined) {
      return true
    }
    this.#early?.learn(engineId, sid)
    return this.#call(() => this.store.update(sid, { engineId }))
  }

  async change (sid: string, changes: StoredSessionChanges, expectRememberHash?: string | null): Promise<boolean> {
    return this.#call(() => this.store.update(sid, changes, expectRememberHash))
  }

  async get (sid: string): Promise<StoredSession | null> {
    return this.#call(() => this.store.get(sid))
  }

  /** Ends one session (and its @fastify/session session): whether it was live. */
  async end (sid: unknown, reason: SessionEndReason): Promise<boolean> {
    if (typeof sid !== 'string') return false
    const ended = await this.#call(() => this.store.destroy(sid))
    if (ended === null) return false
    this.#told([ended], reason)
    await this.#endEngines([ended])
    return true
  }

  /** Ends every session of the user but `exceptId`: how many. */
  async endAll (userId: string, exceptId: string | null): Promise<number> {
    const ended = await this.#call(() => this.store.destroyAll(userId, exceptId))
    this.#told(ended, 'revoked')
    await this.#endEngines(ended)
    return ended.length
  }

  /** The user's live sessions, most recently seen first. */
  async list (userId: string, currentSid: unknown): Promise<SessionInfo[]> {
    const entries = await this.#call(() => this.store.list(userId))
    const now = Date.now()
    // (the request's own stored session is saved only when its answer goes out)
    const dead = await this.#deadOf(entries)
    // a store of the application's that returns more than it should never shows another user's
    return entries
      .filter((entry) => entry.userId === userId && entry.expiresAt > now && (!dead.has(entry) || entry.id === currentSid))
      .sort((a, b) => b.lastSeenAt - a.lastSeenAt || b.createdAt - a.createdAt)
      .slice(0, LIST_MAX)
      .map((entry) => ({
        id: entry.id,
        current: entry.id === currentSid,
        createdAt: new Date(entry.createdAt),
        lastSeenAt: new Date(entry.lastSeenAt),
        ip: entry.ip,
        userAgent: entry.userAgent,
        remembered: entry.rememberHash !== null
      }))
  }

  #call<T> (call: () => Promise<T>): Promise<T> {
    return failClosed(call, this.#timeoutMs)
  }

  /** The entries whose @fastify/session session is gone: they log nobody in any more. */
  async #deadOf (entries: readonly StoredSession[]): Promise<Set<StoredSession>> {
    const exists = this.#engine.storedExists
    const dead = new Set<StoredSession>()
    if (exists === undefined) return dead
    await Promise.all(entries.map(async (entry) => {
      if (entry.engineId !== null && !await this.#call(() => exists(entry.engineId as string))) dead.add(entry)
    }))
    return dead
  }

  /** Ends the user's dead entries: whether there were any. */
  async #reapDead (userId: string): Promise<boolean> {
    const dead = await this.#deadOf(await this.#call(() => this.store.list(userId)))
    await Promise.all([...dead].map((entry) => this.#call(() => this.store.destroy(entry.id))))
    return dead.size > 0
  }

  #told (entries: readonly StoredSession[], reason: SessionEndReason): void {
    this.#early?.forget(entries)
    if (entries.length > 0) this.onEnded?.(entries, reason)
  }

  async #endEngines (entries: readonly StoredSession[]): Promise<void> {
    const destroy = this.#engine.destroyStored
    if (destroy === undefined) return
    await Promise.all(entries.map((entry) => entry.engineId === null ? undefined : this.#call(() => destroy(entry.engineId as string))))
  }
}
