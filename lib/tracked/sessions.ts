import type { FastifyRequest } from 'fastify'
import type { RememberRotation, ResolvedLoginOptions, RotationVerdict, SessionEndReason, SessionInfo, SessionStore, StoredSession, StoredSessionChanges } from '../../types/index.js'
import { clientOf, type Client, type MaybePromise } from '../core/state.js'
import type { SessionEngine } from '../session/engine.js'
import { kGetNow } from '../stores/memory.js'
import { EarlyReads } from './early-reads.js'
import { failClosed } from './fail-closed.js'
import { capabilitiesOf, forStore, listEntries, newEntry, reasonsOf, type Capabilities, type NewLogin } from './entries.js'
import { isStale } from '../stores/entry.js'

type Settings = NonNullable<ResolvedLoginOptions['sessions']>

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
  /** What the store declared: fastify-login gives it `origin` and `authDigest` only then. */
  readonly capabilities: Capabilities
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
    this.capabilities = capabilitiesOf(this.store)
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
  async open (request: FastifyRequest | null, client: Client, login: NewLogin): Promise<string | null> {
    const { userId, replaces, rememberToken, duration } = login
    const now = Date.now()
    const remember = rememberToken === null ? null : { until: now + duration * 1000 }
    const entry = newEntry(login, client, now, this.expiresAt(request, now, now, remember), this.capabilities)
    const { digest, limit } = forStore(login, this.capabilities, { maxPerUser: this.#settings.maxPerUser, onLimit: this.#settings.onLimit, replaces })
    const create = () => this.#call(() => this.store.create(entry, limit))
    // refused: entries whose stored session is gone, or stale ones a store did not leave out,
    // count for nothing: the login is tried again without them
    const created = await create() ?? (await this.#reapDead(userId, digest) ? await create() : null)
    if (created === null) return null
    for (const [reason, entries] of reasonsOf(created.ended, replaces, digest)) this.#told(entries, reason)
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

  /**
   * The user's live sessions, most recently seen first. With `authDigest` (the user's current
   * one, undefined when unknown), entries made for another auth hash are left out and ended.
   */
  async list (userId: string, currentSid: unknown, authDigest?: string | null): Promise<SessionInfo[]> {
    return listEntries(this, userId, currentSid, authDigest)
  }

  /** The user's entries as the store lists them. */
  async entriesOf (userId: string): Promise<StoredSession[]> {
    return this.#call(() => this.store.list(userId))
  }

  /**
   * A remember token judged (next null) or rotated by the store, on its own clock; null when the
   * store cannot (an application's store without `rotate`).
   */
  async rotate (id: string, rotation: RememberRotation): Promise<RotationVerdict | null> {
    const rotate = this.store.rotate
    return rotate === undefined ? null : this.#call(() => rotate.call(this.store, id, rotation))
  }

  #call<T> (call: () => Promise<T>): Promise<T> {
    return failClosed(call, this.#timeoutMs)
  }

  /** The entries whose @fastify/session session is gone: they log nobody in any more. */
  async deadOf (entries: readonly StoredSession[]): Promise<Set<StoredSession>> {
    const exists = this.#engine.storedExists
    const dead = new Set<StoredSession>()
    if (exists === undefined) return dead
    await Promise.all(entries.map(async (entry) => {
      if (entry.engineId !== null && !await this.#call(() => exists(entry.engineId as string))) dead.add(entry)
    }))
    return dead
  }

  /** Ends the user's dead and stale entries: whether there were any. */
  async #reapDead (userId: string, authDigest: string | null): Promise<boolean> {
    const entries = await this.#call(() => this.store.list(userId))
    const stale = entries.filter((entry) => isStale(entry, authDigest))
    const dead = await this.deadOf(entries.filter((entry) => !stale.includes(entry)))
    await Promise.all([...dead].map((entry) => this.#call(() => this.store.destroy(entry.id))))
    await this.endStale(stale)
    return dead.size + stale.length > 0
  }

  /** Ends entries made for another auth hash of their user: the store, the engine, the event, their connections. */
  async endStale (entries: readonly StoredSession[]): Promise<void> {
    const ended = await Promise.all(entries.map((entry) => this.#call(() => this.store.destroy(entry.id))))
    const gone = ended.filter((entry) => entry !== null)
    this.#told(gone, 'stale')
    await this.#endEngines(gone)
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
