// For the tests of fastify-login/testing: a runner that records the contract's cases and runs
// them one at a time (as a test runner would), and stores that each break one promise of the
// SessionStore contract, built on the memory store.
import { memorySessionStore, type SessionStore } from 'fastify-login'
import { sessionStoreContract, type MakeStore, type SessionStoreContractOptions } from 'fastify-login/testing'

export interface Outcome {
  /** Every case, in the order the contract registered them. */
  readonly names: string[]
  readonly passed: string[]
  /** The failed cases, by name, with what they threw. */
  readonly failed: Map<string, unknown>
  /** The `run` functions take no argument (Jest would pass a `done` callback to one that did). */
  readonly arities: number[]
}

/** Registers the contract on a recording `test` and runs each case; `options` are passed on. */
export async function runContract (makeStore: MakeStore, options: Partial<SessionStoreContractOptions> = {}): Promise<Outcome> {
  const cases: Array<[string, () => Promise<void>]> = []
  await sessionStoreContract(makeStore, { ...options, test: (name, run) => { cases.push([name, run]) } })
  const outcome: Outcome = { names: cases.map(([name]) => name), passed: [], failed: new Map(), arities: cases.map(([, run]) => run.length) }
  for (const [name, run] of cases) {
    try {
      await run()
      outcome.passed.push(name)
    } catch (error) {
      outcome.failed.set(name, error)
    }
  }
  return outcome
}

/** The memory store's six methods (bound), without announce/subscribe, with `changes` over them. */
export function storeWith (base: SessionStore, changes: Partial<SessionStore> = {}): SessionStore {
  return {
    create: base.create.bind(base),
    get: base.get.bind(base),
    update: base.update.bind(base),
    list: base.list.bind(base),
    destroy: base.destroy.bind(base),
    destroyAll: base.destroyAll.bind(base),
    ...changes
  }
}

/** update ignores expectRememberHash: two restores racing with one remember token would both rotate it. */
export function ignoringCompareAndSet (): SessionStore {
  const base = memorySessionStore()
  return storeWith(base, { update: (id, changes) => base.update(id, changes) })
}

/** create ignores maxPerUser (but still checks the limit's shape). */
export function ignoringLimit (): SessionStore {
  const base = memorySessionStore()
  return storeWith(base, { create: (session, limit) => base.create(session, limit === null || typeof limit !== 'object' ? limit : { ...limit, maxPerUser: null }) })
}

/** get answers from a cache that nothing clears: a revoked or expired entry stays live for it. */
export function cachingGet (): SessionStore {
  const base = memorySessionStore()
  const cache = new Map<string, Awaited<ReturnType<SessionStore['get']>>>()
  return storeWith(base, {
    async get (id) {
      if (!cache.has(id)) cache.set(id, await base.get(id))
      return cache.get(id) ?? null
    }
  })
}

/** get throws on an id that is not a string, where the contract wants null. */
export function throwingOnMalformedIds (): SessionStore {
  const base = memorySessionStore()
  return storeWith(base, {
    async get (id) {
      if (typeof id !== 'string') throw new TypeError('id must be a string')
      return base.get(id)
    }
  })
}

/** announce and subscribe that deliver later, as a store does over the network (Redis pub/sub). */
export function notifyingLater (): SessionStore {
  const base = memorySessionStore()
  return storeWith(base, {
    announce: async (ended) => { setTimeout(() => { base.announce!(ended).catch(() => {}) }, 20) },
    subscribe: base.subscribe!.bind(base)
  })
}

/** subscribe's stop function resolves but the listener keeps hearing. */
export function notStoppingListeners (): SessionStore {
  const base = memorySessionStore()
  return storeWith(base, {
    announce: base.announce!.bind(base),
    subscribe: async (listener) => { await base.subscribe!(listener); return async () => {} }
  })
}

/** announce without subscribe: nothing of another process would ever hear it. */
export function announcingOnly (): SessionStore {
  const base = memorySessionStore()
  return storeWith(base, { announce: base.announce!.bind(base) })
}

/** Declares authDigest but keeps none: every entry's digest is stored as null (stale ones count). */
export function losingAuthDigests (): SessionStore {
  const base = memorySessionStore()
  return storeWith(base, {
    capabilities: ['authDigest'],
    create: (session, limit) => base.create(session === null || typeof session !== 'object' ? session : { ...session, authDigest: null }, limit)
  })
}

/** Declares origin but drops it: a login form submitted twice makes two entries. */
export function ignoringOrigin (): SessionStore {
  const base = memorySessionStore()
  return storeWith(base, {
    capabilities: ['origin'],
    create: (session, limit) => base.create(session, limit === null || typeof limit !== 'object' ? limit : { ...limit, origin: null })
  })
}

/** Has rotate, but answers theft for the previous token even inside its grace. */
export function rotatingWithoutGrace (): SessionStore {
  const base = memorySessionStore()
  return storeWith(base, { rotate: async (id, rotation) => { const verdict = await base.rotate!(id, rotation); return verdict === 'grace' ? 'theft' : verdict } })
}
