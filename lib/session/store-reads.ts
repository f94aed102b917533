// @fastify/session's store as fastify-login reads it: its own reads (the in-flight check,
// revocations) go straight to the store's `get`, and the reads @fastify/session makes are watched
// so that a tracked session's entry is read in the same tick (tracked/early-reads.ts).
type Read = (error: Error | null, session?: unknown) => void

export interface StoreLike {
  get (id: string, done: Read): void
  set (id: string, session: unknown, done: (error?: Error | null) => void): void
  destroy (id: string, done: (error?: Error | null) => void): void
}

type ReadListener = (id: string) => void
const kOwnGet = Symbol('fastify-login.ownGet')
const kReadListeners = Symbol('fastify-login.readListeners')
type WatchedStore = StoreLike & { [kOwnGet]?: StoreLike['get'], [kReadListeners]?: Set<ReadListener> }

/** A read with the store's own `get`: fastify-login's reads (the in-flight check, revocations) tell no listener. */
export function readStored (store: WatchedStore, id: string, done: Read): void {
  Reflect.apply(store[kOwnGet] ?? store.get, store, [id, done])
}

/**
 * The listeners of the reads @fastify/session makes: the first call replaces the store's `get`
 * with one that tells them the id before it reads (@fastify/session holds the store object, so
 * its method is the one place that sees a request's read start). Null when the store cannot take
 * it (frozen or sealed): then nobody is told.
 */
export function readListeners (store: WatchedStore): Set<ReadListener> | null {
  const known = store[kReadListeners]
  if (known !== undefined) return known
  const get = store.get
  const listeners = new Set<ReadListener>()
  function watchedGet (this: StoreLike, id: string, done: Read): unknown {
    for (const listener of listeners) listener(id)
    return Reflect.apply(get, this, [id, done])
  }
  if (!Reflect.defineProperty(store, 'get', { value: watchedGet, configurable: true, writable: true })) return null
  Object.defineProperty(store, kOwnGet, { value: get })
  Object.defineProperty(store, kReadListeners, { value: listeners })
  return listeners
}
