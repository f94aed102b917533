// What each case of the contract runs in: a fresh store from the user's factory, a frozen
// Date.now() the case moves forward, and `check` after every store call.
//
// The clock starts at the real time and stands still until the case moves it, so a backend that
// expires keys by its own clock (Redis' PEXPIREAT) keeps them while the case's logical time
// passes: the cases' lifetimes are minutes, which the real clock does not reach in one case.
import assert from 'node:assert/strict'
import type { NewStoredSession, SessionLimit, SessionStore, StoredSession } from '../../types/index.js'
import type { ContractCapability, MakeStore, SessionStoreContractOptions, StoreUnderTest } from '../../types/testing.js'
import { FST_LOGIN_INVALID_VALUE } from '../core/errors.js'

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const NO_LIMIT: SessionLimit = Object.freeze({ maxPerUser: null, onLimit: 'revoke-oldest', replaces: null })

/** What `assert.rejects` takes as the expected error. */
export type Expected = NonNullable<SessionStoreContractOptions['badInputError']>

export interface Case {
  readonly store: SessionStore
  /** Moves the frozen `Date.now()` forward. */
  tick (ms: number): void
  /** A new entry for `userId` (default 'u1') at the frozen time, living an hour. */
  session (overrides?: Partial<NewStoredSession>): NewStoredSession
  /** Creates without a limit and returns the id. */
  add (overrides?: Partial<NewStoredSession>): Promise<string>
  /** What `create` and `update` must reject bad input with. */
  readonly badInput: Expected
}

/** What every case of one registration shares: the options' bad-input error and capabilities. */
export interface Setup {
  readonly badInput: Expected
  readonly capabilities: readonly ContractCapability[]
}

/** One case: its name (the test's) and what it checks. */
export interface ContractCase {
  readonly name: string
  readonly run: (c: Case) => Promise<void>
}

export const ids = (entries: readonly StoredSession[]): string[] => entries.map((entry) => entry.id).sort()

export const limit = (maxPerUser: number | null, onLimit: SessionLimit['onLimit'] = 'revoke-oldest', replaces: string | null = null): SessionLimit =>
  ({ maxPerUser, onLimit, replaces })

const ID_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** `id` with its last character changed: an id of the same shape that the store did not make. */
export const otherId = (id: string): string =>
  id.slice(0, -1) + ID_CHARACTERS[(ID_CHARACTERS.indexOf(id.slice(-1)) + 1) % ID_CHARACTERS.length]

const METHODS = ['create', 'get', 'update', 'list', 'destroy', 'destroyAll'] as const

function isStore (value: unknown): value is SessionStore {
  return typeof value === 'object' && value !== null &&
    METHODS.every((method) => typeof (value as Record<string, unknown>)[method] === 'function')
}

/** The factory's answer as a StoreUnderTest, or a coded error saying what it must be. */
function underTest (made: unknown): StoreUnderTest {
  if (isStore(made)) return { store: made }
  if (typeof made === 'object' && made !== null && isStore((made as StoreUnderTest).store)) return made as StoreUnderTest
  throw new FST_LOGIN_INVALID_VALUE('sessionStoreContract: makeStore must give a SessionStore (create, get, update, list, destroy, destroyAll) or { store, check?, teardown? }')
}

/** The store with `check` run after each call of its methods, whether it resolved or rejected. */
function checked (store: SessionStore, check: () => unknown): SessionStore {
  const wrap = <A extends unknown[], R>(method: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await method.apply(store, args)
    } finally {
      await check()
    }
  }
  const wrapped: SessionStore = Object.fromEntries(METHODS.map((method) => [method, wrap(store[method] as () => Promise<unknown>)])) as unknown as SessionStore
  if (store.announce !== undefined) wrapped.announce = wrap(store.announce)
  if (store.subscribe !== undefined) wrapped.subscribe = wrap(store.subscribe)
  if (store.rotate !== undefined) wrapped.rotate = wrap(store.rotate)
  return store.capabilities === undefined ? wrapped : { ...wrapped, capabilities: store.capabilities }
}

/** Marks the Date.now() of a running case. */
const kFrozen = Symbol('fastify-login.testing.frozen')

/** Freezes Date.now() at the current time until `restore`; refused while another case has it frozen. */
function freezeClock (): { tick (ms: number): void, restore (): void } {
  const real = Date.now
  if (kFrozen in real) throw new FST_LOGIN_INVALID_VALUE('sessionStoreContract: the cases must run one at a time (another case has frozen Date.now()); do not run them concurrently')
  let now = real()
  Date.now = Object.assign(() => now, { [kFrozen]: true })
  return { tick: (ms) => { now += ms }, restore: () => { Date.now = real } }
}

function caseFor (store: SessionStore, tick: (ms: number) => void, { badInput, capabilities }: Setup): Case {
  // a store that keeps auth digests reads an entry made without one as null
  const digest = capabilities.includes('authDigest') ? { authDigest: null } : {}
  const session = (overrides: Partial<NewStoredSession> = {}): NewStoredSession => ({
    userId: 'u1',
    createdAt: Date.now(),
    lastSeenAt: Date.now(),
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
    rememberHash: null,
    previousRememberHash: null,
    rotatedAt: null,
    engineId: null,
    expiresAt: Date.now() + HOUR,
    ...digest,
    ...overrides
  })
  const add = async (overrides?: Partial<NewStoredSession>): Promise<string> => {
    const created = await store.create(session(overrides), NO_LIMIT)
    assert.ok(created !== null, 'create without a limit returned null')
    return created.id
  }
  return { store, tick, session, add, badInput }
}

/** Runs one case on a fresh store; the clock is restored and the store torn down, pass or fail. */
export async function runCase (makeStore: MakeStore, setup: Setup, body: ContractCase['run']): Promise<void> {
  const clock = freezeClock()
  let made: StoreUnderTest | undefined
  try {
    made = underTest(await makeStore())
    const store = made.check === undefined ? made.store : checked(made.store, made.check)
    await body(caseFor(store, clock.tick, setup))
  } finally {
    clock.restore()
    await made?.teardown?.()
  }
}
