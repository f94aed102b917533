// fastify-login's session interface on @fastify/session: the session lives in a store and the
// cookie holds its signed id. The only file that reaches into @fastify/session and Fastify
// internals (the store outside a request, the store's `get` watched for tracked sessions, and the
// session's own save).
import { promisify } from 'node:util'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { FST_LOGIN_NO_SESSION } from '../core/errors.js'
import type { SessionEngine } from './engine.js'
import { sessionStoreOf } from './store-of-instance.js'

/** How long an @fastify/session session without a cookie maxAge is taken to live after its last sighting. */
const STORED_SESSION_SECONDS = 86_400

type Done = (error?: Error | null) => void

interface StoreSessionLike {
  get (key: string): unknown
  set (key: string, value: unknown): void
  regenerate (keys?: string[]): Promise<void>
  save (done?: Done): Promise<void> | undefined
  readonly sessionId: string
  readonly encryptedSessionId: string
  readonly cookie?: { readonly originalMaxAge?: number | null }
  [key: string]: unknown
}

type Read = (error: Error | null, session?: unknown) => void

interface StoreLike {
  get (id: string, done: Read): void
  set (id: string, session: unknown, done: (error?: Error | null) => void): void
  destroy (id: string, done: (error?: Error | null) => void): void
}

type ReadListener = (id: string) => void
const kOwnGet = Symbol('fastify-login.ownGet')
const kReadListeners = Symbol('fastify-login.readListeners')
type WatchedStore = StoreLike & { [kOwnGet]?: StoreLike['get'], [kReadListeners]?: Set<ReadListener> }

/** A read with the store's own `get`: fastify-login's reads (the in-flight check, revocations) tell no listener. */
function readStored (store: WatchedStore, id: string, done: Read): void {
  Reflect.apply(store[kOwnGet] ?? store.get, store, [id, done])
}

/**
 * The listeners of the reads @fastify/session makes: the first call replaces the store's `get`
 * with one that tells them the id before it reads (@fastify/session holds the store object, so
 * its method is the one place that sees a request's read start). Null when the store cannot take
 * it (frozen or sealed): then nobody is told.
 */
function readListeners (store: WatchedStore): Set<ReadListener> | null {
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

function sessionOf<T> (request: FastifyRequest): T {
  return (request as unknown as { session: T }).session
}

// keys @fastify/session keeps on its Session object besides the application's data
const STORE_SESSION_INTERNALS = new Set(['cookie', 'sessionId', 'encryptedSessionId'])

const kStore = Symbol('fastify-login.store')
const kSave = Symbol('fastify-login.save')
type SessionWithStore = StoreSessionLike & { [kStore]: StoreLike, [kSave]: StoreSessionLike['save'] }

/**
 * What a logout leaves, before it destroys a session that held a login, under the session's id
 * with this suffix (no id @fastify/session generates holds a dot): its copies in flight find it.
 */
const ENDED_MARK = '.ended'

/**
 * The `save` of a session that held a login when its request arrived. A logout elsewhere may
 * destroy that session while this request is in flight, and writing it now would bring the login
 * back (express-session #632). The logout leaves its mark first, then destroys (leaveEndMark);
 * this save writes first, then looks for the mark, and destroys the session again when it finds
 * one: whichever way the two interleave, the session ends destroyed. When the store cannot say,
 * the session goes too (fail closed). One function for every request; the store and the original
 * `save` sit on the session under symbols.
 */
function saveThenCheck (this: SessionWithStore, done?: Done): Promise<void> | undefined {
  const run = (finish: Done): void => {
    this[kSave]((error) => {
      if (error) {
        finish(error)
        return
      }
      const id = this.sessionId
      readStored(this[kStore], id + ENDED_MARK, (error, mark) => {
        if (error === null && (mark === null || mark === undefined)) finish()
        else this[kStore].destroy(id, () => finish(error))
      })
    })
  }
  if (done !== undefined) {
    run(done)
    return undefined
  }
  return promisify(run)()
}

/**
 * Before a session that held a login is destroyed: the mark its copies in flight look for after
 * they write (saveThenCheck). It lives as long as the session could have (its cookie's maxAge,
 * else the day a store keeps a session without one): the longest in-flight request covered.
 */
function leaveEndMark (session: SessionWithStore, seconds: number): Promise<Error | null> {
  const mark = { cookie: { originalMaxAge: seconds * 1000, expires: new Date(Date.now() + seconds * 1000) } }
  return new Promise((resolve) => {
    session[kStore].set(session.sessionId + ENDED_MARK, mark, (error) => resolve(error ?? null))
  })
}

function lifetimeOf (session: Pick<StoreSessionLike, 'cookie'>): number {
  const maxAge = session.cookie?.originalMaxAge
  // a cookie without maxAge: the store keeps the session about a day after its last save
  // (connect-redis' default TTL)
  return typeof maxAge === 'number' && maxAge > 0 ? maxAge / 1000 : STORED_SESSION_SECONDS
}

function hasStoreSession (request: FastifyRequest): boolean {
  return typeof sessionOf<Partial<StoreSessionLike> | null>(request)?.regenerate === 'function'
}

export function storeSession (fastify: FastifyInstance, cookieName: string, cookiePrefix: string): SessionEngine {
  /** @fastify/session's store, found once, when a revocation first needs it. */
  let store: StoreLike | null = null
  const instance = fastify as FastifyInstance & {
    decryptSession (id: string, request: object, done: (error?: Error) => void): void
  }
  return {
    name: 'session',
    cookieName,
    // a request without a session (see hasSession) reads as empty and keeps nothing
    get: (request, key) => sessionOf<Partial<StoreSessionLike> | null>(request)?.get?.(key),
    set: (request, key, value) => { sessionOf<Partial<StoreSessionLike> | null>(request)?.set?.(key, value) },
    remove: (request, key) => {
      delete sessionOf<StoreSessionLike>(request)[key]
    },
    keys: (request) => {
      const session = sessionOf<StoreSessionLike | null>(request) ?? {} as StoreSessionLike
      return Object.keys(session).filter((key) => !STORE_SESSION_INTERNALS.has(key) && session[key] !== undefined)
    },
    rotate: async (request, keep) => {
      if (!hasStoreSession(request)) {
        throw new FST_LOGIN_NO_SESSION()
      }
      const session = sessionOf<SessionWithStore>(request)
      // a session that held a login when its request arrived: marked first, so that none of its
      // copies in flight can write it back (saveThenCheck); the browser gets its new session
      // even when the store fails, and the store's error follows
      const failed = session[kStore] === undefined ? null : await leaveEndMark(session, lifetimeOf(session))
      // destroys the old id in the store, so a replayed old cookie finds nothing
      await session.regenerate([...keep])
      if (failed !== null) throw failed
    },
    hasSession: hasStoreSession,
    cookieFor: async (data) => {
      // decryptSession with an id that does not verify gives a new, empty session
      const holder: { session?: StoreSessionLike, protocol: string } = { protocol: 'https' }
      // (that path never touches the store, so it cannot fail)
      await new Promise<void>((resolve) => { instance.decryptSession('', holder, () => resolve()) })
      const session = holder.session as StoreSessionLike
      for (const [key, value] of Object.entries(data)) {
        session.set(key, value)
      }
      await session.save()
      return `${cookieName}=${encodeURIComponent(cookiePrefix + session.encryptedSessionId)}`
    },
    stillExists: (request) => new Promise((resolve) => {
      const store = (request as unknown as { sessionStore: StoreLike }).sessionStore
      readStored(store, sessionOf<StoreSessionLike>(request).sessionId, (error, stored) => {
        resolve(error !== null || (stored !== null && stored !== undefined))
      })
    }),
    // an entry tracking the session must not outlive it
    lifetime: (request) => lifetimeOf(sessionOf<StoreSessionLike>(request)),
    storedId: (request) => sessionOf<StoreSessionLike>(request).sessionId,
    storedExists: (id) => new Promise((resolve, reject) => {
      store ??= sessionStoreOf<StoreLike>(fastify)
      readStored(store, id, (error, stored) => { if (error) reject(error); else resolve(stored !== null && stored !== undefined) })
    }),
    destroyStored: (id) => new Promise((resolve, reject) => {
      store ??= sessionStoreOf<StoreLike>(fastify)
      store.destroy(id, (error) => { if (error) reject(error); else resolve() })
    }),
    onStoredRead: (listener) => {
      store ??= sessionStoreOf<StoreLike>(fastify)
      const listeners = readListeners(store)
      if (listeners === null) return false
      listeners.add(listener)
      fastify.addHook('onClose', (_instance, done) => { listeners.delete(listener); done() })
      return true
    },
    saveOnlyWhileStored: (request) => {
      const session = sessionOf<SessionWithStore>(request)
      session[kStore] = (request as unknown as { sessionStore: StoreLike }).sessionStore
      session[kSave] = session.save
      // not enumerable: @fastify/session copies a session's enumerable keys into the session it
      // builds from a stored one (a store that keeps objects hands this very one back)
      Object.defineProperty(session, 'save', { value: saveThenCheck, configurable: true, writable: true })
    }
  }
}
