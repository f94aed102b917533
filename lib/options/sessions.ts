import type { ResolvedLoginOptions, SessionStore } from '../../types/index.js'
import { FST_LOGIN_INVALID_OPTION } from '../core/errors.js'
import { refuseUnknown, SESSIONS_OPTIONS } from './names.js'
import { CAPABILITIES } from '../stores/entry.js'
import { memorySessionStore } from '../stores/memory.js'

/** Seconds a store call may take before it fails closed, by default, and at most. */
const DEFAULT_TIMEOUT = 2
const MAX_TIMEOUT = 60
/** Sessions per user by default: one account cannot fill the store (`null` turns the limit off). */
const DEFAULT_MAX_PER_USER = 100

const STORE_METHODS = ['create', 'get', 'update', 'list', 'destroy', 'destroyAll'] as const

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** What a store declares beyond the six methods: known capabilities, and `rotate` a method when present. */
function checkCapabilities (store: Record<string, unknown>): void {
  const { capabilities, rotate } = store
  if (capabilities !== undefined && !(Array.isArray(capabilities) && capabilities.every((name) => CAPABILITIES.includes(name)))) {
    throw new FST_LOGIN_INVALID_OPTION('sessions.store', `capabilities must be an array of ${CAPABILITIES.map((name) => `'${name}'`).join(', ')} (or absent)`)
  }
  if (rotate !== undefined && typeof rotate !== 'function') {
    throw new FST_LOGIN_INVALID_OPTION('sessions.store', 'rotate must be a method (or absent)')
  }
}

/** The `sessions` option: null (off), or the store and the limit (`true` is `{}`). */
export function resolveSessions (value: unknown, hasTokenLoader: boolean): ResolvedLoginOptions['sessions'] {
  if (value === undefined || value === null || value === false) {
    return null
  }
  if (value !== true && !isObject(value)) {
    throw new FST_LOGIN_INVALID_OPTION('sessions', 'must be true, an object ({ store, maxPerUser, onLimit, recheckEvery }) or null')
  }
  if (hasTokenLoader) {
    throw new FST_LOGIN_INVALID_OPTION('sessions', 'cannot be combined with tokenLoader: with tracked sessions the remember cookie belongs to the session')
  }
  const given = value === true ? {} : value
  refuseUnknown(given, SESSIONS_OPTIONS, 'sessions.')
  const store = given.store ?? memorySessionStore()
  if (!isObject(store) || STORE_METHODS.some((method) => typeof store[method] !== 'function')) {
    throw new FST_LOGIN_INVALID_OPTION('sessions.store', `must be a SessionStore (${STORE_METHODS.join(', ')})`)
  }
  checkCapabilities(store)
  const maxPerUser = given.maxPerUser === undefined ? DEFAULT_MAX_PER_USER : given.maxPerUser
  if (maxPerUser !== null && !(Number.isSafeInteger(maxPerUser) && (maxPerUser as number) > 0)) {
    throw new FST_LOGIN_INVALID_OPTION('sessions.maxPerUser', 'must be a positive integer or null')
  }
  const onLimit = given.onLimit ?? 'revoke-oldest'
  if (onLimit !== 'revoke-oldest' && onLimit !== 'refuse') {
    throw new FST_LOGIN_INVALID_OPTION('sessions.onLimit', 'must be "revoke-oldest" or "refuse"')
  }
  const timeout = given.timeout === undefined ? DEFAULT_TIMEOUT : given.timeout
  if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= MAX_TIMEOUT)) {
    throw new FST_LOGIN_INVALID_OPTION('sessions.timeout', `must be a number of seconds above 0 and at most ${MAX_TIMEOUT}`)
  }
  const recheckEvery = given.recheckEvery ?? 60
  if (!(typeof recheckEvery === 'number' && Number.isFinite(recheckEvery) && recheckEvery > 0)) {
    throw new FST_LOGIN_INVALID_OPTION('sessions.recheckEvery', 'must be a positive number of seconds')
  }
  return Object.freeze({ store: store as unknown as SessionStore, maxPerUser: maxPerUser as number | null, onLimit, timeout, recheckEvery })
}
