// Tracked sessions in this process's memory: for one process (and tests). Every method runs to
// completion without waiting, so each one is atomic with respect to the others.
//
// Entries are frozen and shared with callers (they are readonly). An expired entry is removed
// when a method meets it, and each `create` also looks at a few entries in turn (a sweep that
// goes round the whole map as entries are created), so memory stays bounded without a timer.
import type { NewStoredSession, RememberRotation, RotationVerdict, SessionEndNotice, SessionStore, StoredSession, StoredSessionChanges } from '../../types/index.js'
import { CAPABILITIES, checkChanges, checkExpected, checkLimit, checkNewSession, checkRotation, isLive, isStale, JOIN_WINDOW_MS, randomPart } from './entry.js'

/** Entries the sweep looks at per `create`: more than one, so it catches up with the creates. */
const SWEEP_STEP = 2

/** Oldest first: the least recently seen, then the earliest created (the sort is stable). */
function byAge (a: StoredSession, b: StoredSession): number {
  return a.lastSeenAt - b.lastSeenAt || a.createdAt - b.createdAt
}

/** A store that can answer `get` at once (no I/O) has this method; the plugin's hot path uses it. */
export const kGetNow = Symbol('fastify-login.getNow')

class MemorySessionStore implements SessionStore {
  /** Joins a login form submitted twice (origin), keeps auth digests; `rotate` on this process's clock. */
  readonly capabilities = CAPABILITIES
  readonly #entries = new Map<string, StoredSession>()
  /** The ids of each user's entries (expired ones until they are met). */
  readonly #byUser = new Map<string, Set<string>>()
  #sweeping: Iterator<StoredSession> = this.#entries.values()
  /** `<userId> <origin>` → the entry a login from that cookie created, until when (ms); oldest first. */
  readonly #origins = new Map<string, { id: string, until: number }>()
  /** Every registration of this process that shares the store (their live connections). */
  readonly #listeners = new Set<(ended: SessionEndNotice) => void>()

  async create (session: NewStoredSession, limit: Parameters<SessionStore['create']>[1]): Promise<{ id: string, ended: StoredSession[] } | null> {
    const fields = checkNewSession(session)
    const { maxPerUser, onLimit, replaces, origin } = checkLimit(limit)
    const now = Date.now()
    this.#sweep(now)
    const joined = origin === null ? null : this.#joined(`${fields.userId} ${origin}`, fields, now)
    if (joined !== null) return { id: joined, ended: [] }
    const found = replaces === null ? null : this.#find(replaces, now)
    const replaced = found?.userId === fields.userId ? found : null
    const ended: StoredSession[] = []
    // the user's entries are read only when the limit may be reached: a login costs the same at any count
    const count = (this.#byUser.get(fields.userId)?.size ?? 0) - (replaced === null ? 0 : 1)
    if (maxPerUser !== null && count >= maxPerUser) {
      const others = this.#live(fields.userId, now).filter((entry) => entry !== replaced)
      // entries made for another auth hash of the user (stale) count for nothing, and end
      const stale = others.filter((entry) => isStale(entry, fields.authDigest))
      const counted = others.filter((entry) => !stale.includes(entry))
      if (counted.length >= maxPerUser) {
        if (onLimit === 'refuse') return null
        ended.push(...counted.sort(byAge).slice(0, counted.length - maxPerUser + 1))
      }
      ended.push(...stale)
    }
    if (replaced !== null) ended.push(replaced)
    for (const entry of ended) this.#remove(entry)
    const entry: StoredSession = Object.freeze({ id: randomPart(), ...fields })
    this.#entries.set(entry.id, entry)
    const ids = this.#byUser.get(entry.userId)
    if (ids === undefined) this.#byUser.set(entry.userId, new Set([entry.id]))
    else ids.add(entry.id)
    if (origin !== null) this.#origins.set(`${fields.userId} ${origin}`, { id: entry.id, until: now + JOIN_WINDOW_MS })
    return { id: entry.id, ended }
  }

  /**
   * The entry a login from the same cookie created within the window, when it is still live and
   * holds the same remember hash (a form submitted twice); forgets the origins whose window passed.
   */
  #joined (key: string, fields: NewStoredSession, now: number): string | null {
    for (const [origin, { until }] of this.#origins) {
      if (until > now) break
      this.#origins.delete(origin)
    }
    const found = this.#origins.get(key)
    const entry = found === undefined ? null : this.#find(found.id, now)
    if (entry !== null && entry.rememberHash === fields.rememberHash) return entry.id
    this.#origins.delete(key) // the login that follows sets it again, at the end of the map
    return null
  }

  async get (id: string): Promise<StoredSession | null> {
    return this.#find(id, Date.now())
  }

  /** `get` without a promise: the plugin's per-request liveness check on this store. */
  [kGetNow] (id: string): StoredSession | null {
    return this.#find(id, Date.now())
  }

  async update (id: string, changes: StoredSessionChanges, expectRememberHash?: string | null): Promise<boolean> {
    const pairs = checkChanges(changes)
    const expected = checkExpected(expectRememberHash)
    const entry = this.#find(id, Date.now())
    if (entry === null || (expected !== undefined && entry.rememberHash !== expected)) return false
    this.#entries.set(entry.id, Object.freeze({ ...entry, ...Object.fromEntries(pairs) }))
    return true
  }

  /** One clock here: this process's (Date.now()). */
  async rotate (id: string, rotation: RememberRotation): Promise<RotationVerdict> {
    const { presented, next, graceMs, changes } = checkRotation(rotation)
    const now = Date.now()
    const entry = this.#find(id, now)
    if (entry === null) return 'gone'
    if (entry.rememberHash === presented) {
      if (next === null) return 'current'
      const rotated = { ...Object.fromEntries(changes), rememberHash: next, previousRememberHash: presented, rotatedAt: now }
      this.#entries.set(entry.id, Object.freeze({ ...entry, ...rotated }))
      return 'rotated'
    }
    const inGrace = entry.previousRememberHash === presented && entry.rotatedAt !== null && now - entry.rotatedAt <= graceMs
    return inGrace ? 'grace' : 'theft'
  }

  async list (userId: string): Promise<StoredSession[]> {
    return this.#live(userId, Date.now())
  }

  async destroy (id: string): Promise<StoredSession | null> {
    const entry = this.#find(id, Date.now())
    if (entry !== null) this.#remove(entry)
    return entry
  }

  async destroyAll (userId: string, exceptId?: string | null): Promise<StoredSession[]> {
    const ended = this.#live(userId, Date.now()).filter((entry) => entry.id !== exceptId)
    for (const entry of ended) this.#remove(entry)
    return ended
  }

  async announce (ended: readonly SessionEndNotice[]): Promise<void> {
    for (const notice of ended) {
      for (const listener of this.#listeners) listener(notice)
    }
  }

  async subscribe (listener: (ended: SessionEndNotice) => void): Promise<() => Promise<void>> {
    this.#listeners.add(listener)
    return async () => { this.#listeners.delete(listener) }
  }

  /** The live entry under `id` (any value: a Map finds nothing for a malformed one), else null. */
  #find (id: unknown, now: number): StoredSession | null {
    const entry = this.#entries.get(id as string)
    if (entry === undefined) return null
    if (isLive(entry, now)) return entry
    this.#remove(entry)
    return null
  }

  /** The user's live entries, removing the expired ones met on the way. */
  #live (userId: unknown, now: number): StoredSession[] {
    const live: StoredSession[] = []
    for (const id of this.#byUser.get(userId as string) ?? []) {
      const entry = this.#entries.get(id) as StoredSession
      if (isLive(entry, now)) live.push(entry)
      else this.#remove(entry)
    }
    return live
  }

  #remove (entry: StoredSession): void {
    this.#entries.delete(entry.id)
    const ids = this.#byUser.get(entry.userId) as Set<string>
    ids.delete(entry.id)
    if (ids.size === 0) this.#byUser.delete(entry.userId)
  }

  /** Looks at the next few entries of the map, removing expired ones; starts over at the end. */
  #sweep (now: number): void {
    for (let step = 0; step < SWEEP_STEP; step++) {
      const next = this.#sweeping.next()
      if (next.done === true) {
        this.#sweeping = this.#entries.values()
        return
      }
      if (!isLive(next.value, now)) this.#remove(next.value)
    }
  }
}

export function memorySessionStore (): SessionStore {
  return new MemorySessionStore()
}
