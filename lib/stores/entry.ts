// What every SessionStore shares: the fields of an entry, the checks on what the plugin (or an
// application) hands to a store, and the random part of a session id.
//
// Ids and user ids of the wrong shape are "nothing found" (null, false, []), never an error: they
// may come from a request. Entries, changes and limits are built by code, so a wrong one is a
// coded TypeError (the promise rejects) instead of a corrupt entry.
import { randomBytes } from 'node:crypto'
import type { NewStoredSession, SessionLimit, SessionStoreCapability } from '../../types/index.js'
import { FST_LOGIN_INVALID_VALUE } from '../core/errors.js'

type Kind = 'user' | 'string' | 'time' | 'string|null' | 'time|null'

/** Every capability a store may declare; the two stores of this package declare them all. */
export const CAPABILITIES: readonly SessionStoreCapability[] = Object.freeze(['origin', 'authDigest'])

/** Every field of an entry but its id, in the order the Redis store keeps them. */
export const FIELDS = [
  'userId', 'createdAt', 'lastSeenAt', 'ip', 'userAgent',
  'rememberHash', 'previousRememberHash', 'rotatedAt', 'engineId', 'expiresAt', 'authDigest'
] as const satisfies ReadonlyArray<keyof NewStoredSession>

export type Field = typeof FIELDS[number]

const KINDS = new Map<Field, Kind>([
  ['userId', 'user'],
  ['createdAt', 'time'],
  ['lastSeenAt', 'time'],
  ['ip', 'string'],
  ['userAgent', 'string'],
  ['rememberHash', 'string|null'],
  ['previousRememberHash', 'string|null'],
  ['rotatedAt', 'time|null'],
  ['engineId', 'string|null'],
  ['expiresAt', 'time'],
  ['authDigest', 'string|null']
])

/** The fields `update` may change: all but the id, the user, the creation time and the auth digest. */
const CHANGEABLE = new Set<string>(FIELDS.filter((field) => field !== 'userId' && field !== 'createdAt' && field !== 'authDigest'))

/** Times are those a Date can hold (ms): finite, and printed without an exponent. */
const MAX_TIME = 8.64e15

/** Random bytes in a session id: 144 bits, 24 base64url characters. */
const RANDOM_BYTES = 18

export function randomPart (): string {
  return randomBytes(RANDOM_BYTES).toString('base64url')
}

function fits (kind: Kind, value: unknown): boolean {
  if (value === null && kind.endsWith('|null')) return true
  if (kind === 'user') return typeof value === 'string' && value !== ''
  if (kind.startsWith('string')) return typeof value === 'string'
  return typeof value === 'number' && Math.abs(value) <= MAX_TIME
}

function check (field: Field, value: unknown, what: string): void {
  if (!fits(KINDS.get(field) as Kind, value)) {
    throw new FST_LOGIN_INVALID_VALUE(`session store: ${what}.${field} must be ${describe(KINDS.get(field) as Kind)}`)
  }
}

function describe (kind: Kind): string {
  const base = kind === 'user' ? 'a non-empty string' : kind.startsWith('string') ? 'a string' : 'a number of ms since the epoch (a valid Date)'
  return kind.endsWith('|null') ? `${base} or null` : base
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/** The known fields of a new entry, checked; anything else on the object is left out. */
export function checkNewSession (session: unknown): NewStoredSession {
  if (!isObject(session)) throw new FST_LOGIN_INVALID_VALUE('session store: the new session must be an object')
  const out = new Map<Field, unknown>()
  for (const field of FIELDS) {
    // an entry given no authDigest holds none (it is never stale), and reads back without one
    if (field === 'authDigest' && session[field] === undefined) continue
    check(field, session[field], 'session')
    out.set(field, session[field])
  }
  return Object.fromEntries(out) as unknown as NewStoredSession
}

/** The changes as [field, value] pairs (fields given as undefined are left unchanged). */
export function checkChanges (changes: unknown): Array<[Field, unknown]> {
  if (!isObject(changes)) throw new FST_LOGIN_INVALID_VALUE('session store: changes must be an object')
  const out: Array<[Field, unknown]> = []
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue
    if (!CHANGEABLE.has(field)) throw new FST_LOGIN_INVALID_VALUE(`session store: "${field}" cannot be changed`)
    check(field as Field, value, 'changes')
    out.push([field as Field, value])
  }
  return out
}

/** `undefined`: no compare-and-set; else the remember hash the entry must hold. */
export function checkExpected (expected: unknown): string | null | undefined {
  if (expected === undefined || expected === null || typeof expected === 'string') return expected
  throw new FST_LOGIN_INVALID_VALUE('session store: expectRememberHash must be a string, null or absent')
}

/** The changes a rotation may write with it. */
const ROTATION_CHANGES = new Set<string>(['lastSeenAt', 'ip', 'expiresAt'])

/** A rotation's hashes, grace and changes, checked (a wrong one is a coded TypeError). */
export function checkRotation (rotation: unknown): { presented: string, next: string | null, graceMs: number, changes: Array<[Field, unknown]> } {
  if (!isObject(rotation)) throw new FST_LOGIN_INVALID_VALUE('session store: the rotation must be an object')
  const { presented, next, graceMs } = rotation
  if (typeof presented !== 'string' || presented === '' || (next !== null && (typeof next !== 'string' || next === ''))) {
    throw new FST_LOGIN_INVALID_VALUE('session store: rotation.presented must be a non-empty string, rotation.next one or null')
  }
  if (typeof graceMs !== 'number' || !(graceMs >= 0 && graceMs <= MAX_TIME)) {
    throw new FST_LOGIN_INVALID_VALUE('session store: rotation.graceMs must be a number of ms (0 or more)')
  }
  const changes = checkChanges(rotation.changes)
  if (changes.some(([field]) => !ROTATION_CHANGES.has(field))) {
    throw new FST_LOGIN_INVALID_VALUE('session store: rotation.changes may hold lastSeenAt, ip and expiresAt only')
  }
  return { presented, next, graceMs, changes }
}

/** How long a login's origin lets a second login from the same cookie join its entry (ms). */
export const JOIN_WINDOW_MS = 10_000

/** An origin a store accepts: the plugin's digest of a cookie (base64url); anything else joins nothing. */
const ORIGIN = /^[A-Za-z0-9_-]{1,64}$/

/** The limit, with `origin` null when absent or not a digest. */
export function checkLimit (limit: unknown): Required<SessionLimit> {
  if (!isObject(limit)) throw new FST_LOGIN_INVALID_VALUE('session store: the limit must be an object')
  const { maxPerUser, onLimit, replaces, origin } = limit
  if (maxPerUser !== null && !(Number.isSafeInteger(maxPerUser) && (maxPerUser as number) > 0)) {
    throw new FST_LOGIN_INVALID_VALUE('session store: limit.maxPerUser must be a positive integer or null')
  }
  if (onLimit !== 'revoke-oldest' && onLimit !== 'refuse') {
    throw new FST_LOGIN_INVALID_VALUE('session store: limit.onLimit must be "revoke-oldest" or "refuse"')
  }
  // an id that cannot name an entry replaces nothing
  return {
    maxPerUser: maxPerUser as number | null,
    onLimit,
    replaces: typeof replaces === 'string' ? replaces : null,
    origin: typeof origin === 'string' && ORIGIN.test(origin) ? origin : null
  }
}

/** Whether the entry was made for another auth hash of its user than `digest` (the new login's). */
export function isStale (entry: { readonly authDigest?: string | null }, digest: string | null | undefined): boolean {
  return typeof digest === 'string' && typeof entry.authDigest === 'string' && entry.authDigest !== digest
}

/** Whether the entry still exists for every method (its expiry is logical: Date.now(), so fake timers work). */
export function isLive (entry: { readonly expiresAt: number }, now: number): boolean {
  return entry.expiresAt > now
}
