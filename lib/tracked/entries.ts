// What TrackedSessions makes of entries: a new login's entry, why the entries a login ended
// ended, and the devices list (leaving out, and ending, the entries that log nobody in any more).
import type { NewStoredSession, SessionEndReason, SessionInfo, SessionLimit, SessionStore, StoredSession } from '../../types/index.js'
import type { Client } from '../core/state.js'
import { isStale } from '../stores/entry.js'
import { rememberHashOf } from './tokens.js'

/** listSessions answers at most this many sessions, the most recently seen. */
const LIST_MAX = 1000

/** What a new login's entry is made of. */
export interface NewLogin {
  readonly userId: string
  /** The entry this browser's login replaces (the same user's), else null. */
  readonly replaces: string | null
  /** The remember token (only its hash is stored), else null. */
  readonly rememberToken: string | null
  /** The remember cookie's lifetime (s). */
  readonly duration: number
  /** The digest of the session cookie the login arrived with (a form posted twice joins one entry). */
  readonly origin: string | null
  /** The digest of the user's auth hash (authDigestOf), else null. */
  readonly authDigest: string | null
}

/** What the store declared it does (`SessionStore.capabilities`, checked with the options). */
export interface Capabilities {
  /** create honours `limit.origin`: a login form submitted twice joins one entry. */
  readonly origin: boolean
  /** Entries keep `authDigest`, and create counts no stale entry against the limit. */
  readonly authDigest: boolean
}

export function capabilitiesOf (store: SessionStore): Capabilities {
  const declared = store.capabilities ?? []
  return { origin: declared.includes('origin'), authDigest: declared.includes('authDigest') }
}

/**
 * A new login as the store is given it: `origin` and `authDigest` only when it declares them, so
 * a store that knows neither gets what it always got. The digest is null when not given.
 */
export function forStore (login: NewLogin, capabilities: Capabilities, limit: Omit<SessionLimit, 'origin'>): { digest: string | null, limit: SessionLimit } {
  const digest = capabilities.authDigest ? login.authDigest : null
  const origin = capabilities.origin ? login.origin : null
  return { digest, limit: origin === null ? limit : { ...limit, origin } }
}

/** The entry of a new login, seen now from `client`, living until `expiresAt`; with `authDigest` only for a store that keeps them. */
export function newEntry (login: NewLogin, client: Client, now: number, expiresAt: number, capabilities: Capabilities): NewStoredSession {
  const entry: NewStoredSession = {
    userId: login.userId,
    createdAt: now,
    lastSeenAt: now,
    ip: client.ip,
    userAgent: client.userAgent,
    rememberHash: login.rememberToken === null ? null : rememberHashOf(login.rememberToken),
    previousRememberHash: null,
    rotatedAt: null,
    engineId: null,
    expiresAt
  }
  return capabilities.authDigest ? { ...entry, authDigest: login.authDigest } : entry
}

/**
 * Why the entries a login's create ended did end: the one this browser's login replaces as a
 * logout, those made for another auth hash as stale, the others by the limit.
 */
export function reasonsOf (ended: readonly StoredSession[], replaces: string | null, authDigest: string | null): Array<[SessionEndReason, StoredSession[]]> {
  const replaced = ended.filter((entry) => entry.id === replaces)
  const stale = ended.filter((entry) => entry.id !== replaces && isStale(entry, authDigest))
  return [['logout', replaced], ['stale', stale], ['limit', ended.filter((entry) => !replaced.includes(entry) && !stale.includes(entry))]]
}

/** What the listing needs of TrackedSessions. */
export interface ListingParts {
  entriesOf (userId: string): Promise<StoredSession[]>
  /** The entries whose @fastify/session session is gone. */
  deadOf (entries: readonly StoredSession[]): Promise<Set<StoredSession>>
  /** Ends entries made for another auth hash of their user. */
  endStale (entries: readonly StoredSession[]): Promise<void>
}

/**
 * The user's live sessions, most recently seen first. With `authDigest` (the user's current one;
 * undefined when unknown) the stale entries are left out and ended; entries whose stored session
 * is gone are left out, but for the request's own (saved only when its answer goes out).
 */
export async function listEntries (parts: ListingParts, userId: string, currentSid: unknown, authDigest: string | null | undefined): Promise<SessionInfo[]> {
  const now = Date.now()
  // a store of the application's that returns more than it should never shows another user's
  const entries = (await parts.entriesOf(userId)).filter((entry) => entry.userId === userId && entry.expiresAt > now)
  const stale = entries.filter((entry) => isStale(entry, authDigest))
  await parts.endStale(stale)
  const current = entries.filter((entry) => !stale.includes(entry))
  const dead = await parts.deadOf(current)
  return current
    .filter((entry) => !dead.has(entry) || entry.id === currentSid)
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
