// `fastify-login/testing`: the SessionStore contract, to run on your own store with your test
// runner. It imports no test framework: it registers one test per case through the `test`
// function you pass and asserts with `node:assert`.
import type { SessionStore, SessionStoreCapability } from './index.js'

/** A capability the contract can test: one a store declares in `capabilities`, or `rotate` (the method). */
export type ContractCapability = SessionStoreCapability | 'rotate'

/** A store to test, with what the contract should do around each case. */
export interface StoreUnderTest {
  store: SessionStore
  /** Runs after every call of a store method (resolved or rejected): assert your backend's invariants here. */
  check?: () => unknown
  /** Runs after the case, passed or failed: close connections, drop the table. */
  teardown?: () => unknown
}

/** Gives a fresh, empty store for each case (or one with `check`/`teardown`). */
export type MakeStore = () => SessionStore | StoreUnderTest | PromiseLike<SessionStore | StoreUnderTest>

export interface SessionStoreContractOptions {
  /**
   * Registers one case: node:test's `test` (or `(name, run) => t.test(name, run)` inside a test),
   * Vitest's or Jest's `it`. `run` takes no argument and rejects when the case fails.
   */
  test: (name: string, run: () => Promise<void>) => unknown
  /** When given (node:test's, Vitest's or Jest's `describe`), the cases are registered inside one group. */
  describe?: (name: string, body: () => void) => unknown
  /**
   * What `create` and `update` must reject with for a malformed session, limit or change, as
   * `assert.rejects` takes it (a class, a RegExp, an object of properties, a function). Default:
   * any `Error`.
   */
  badInputError?: RegExp | ((error: unknown) => boolean) | object
  /**
   * The store's optional capabilities, whose cases are then registered (each named
   * "… (capability: name)"): those in its `capabilities` property, and `'rotate'` when it has the
   * method. Default none. One case checks that this list is exactly what the store has, so a
   * capability is never left untested, nor tested on a store without it.
   */
  capabilities?: readonly ContractCapability[]
}

/**
 * Registers the SessionStore contract's cases. Each case gets a fresh store from `makeStore` and
 * a frozen `Date.now()` that it moves forward (restored after the case), so the store must read
 * the time from `Date.now()`; the cases must run one at a time. `announce` and `subscribe` are
 * tested when the store has either; the optional capabilities as `capabilities` names them.
 * Resolves once the cases the runner started have finished
 * (at once with runners whose `test` returns nothing).
 */
export function sessionStoreContract (makeStore: MakeStore, options: SessionStoreContractOptions): Promise<void>
