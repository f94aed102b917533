// Tracked sessions on @fastify/session, with a store that answers later (Redis): a request's
// entry is read as @fastify/session starts reading the request's stored session, so the two reads
// go out together (one round trip when both stores are one Redis and its client sends what one
// tick asked for in one write, as node-redis does) instead of one after the other.
// The entry's id (`_sid`) is in the stored session, which is not read yet: this process remembers
// which entry each stored session it saw holds (from its logins and from the requests it checked).
// A session it has not seen, or a wrong guess, costs the read after the session, as before.
// Revocation stays immediate: an early read starts within the request that uses it.
import type { FastifyRequest } from 'fastify'
import type { StoredSession } from '../../types/index.js'
import type { SessionEngine } from '../session/engine.js'

/** How many stored sessions this process remembers the entry of (the most recently seen). */
const KNOWN_MAX = 10_000

type ReadEntry = (sid: string) => Promise<StoredSession | null>

/** The entry a stored session holds, and the read of it started with the session's, until a request takes it. */
interface Known { readonly sid: string, read: Promise<StoredSession | null> | null }

/** An early read that no request takes (its request ended before the check): its failure is nobody's. */
const unseen = (): void => {}

export class EarlyReads {
  /** A stored session's id → what this process knows of its entry, the most recently seen last. */
  readonly #known = new Map<string, Known>()
  readonly #engine: SessionEngine
  readonly #read: ReadEntry

  private constructor (engine: SessionEngine, read: ReadEntry) {
    this.#engine = engine
    this.#read = read
  }

  /** Early reads on `engine`, when it tells when its reads start (@fastify/session); else null. */
  static watch (engine: SessionEngine, read: ReadEntry): EarlyReads | null {
    const early = new EarlyReads(engine, read)
    return engine.onStoredRead?.((id) => { early.#started(id) }) === true ? early : null
  }

  /**
   * The entry `sid` of the request's stored session: the read started with the session's when it
   * was of that entry (taken once), else a read now. Remembers the pair while the entry lives.
   */
  entry (request: FastifyRequest, sid: string): Promise<StoredSession | null> {
    const engineId = (this.#engine.storedId as (request: FastifyRequest) => string)(request)
    const known = this.#known.get(engineId)
    let read = known?.sid === sid ? known.read : null
    if (known !== undefined) known.read = null
    read ??= this.#read(sid)
    return read.then((entry) => {
      this.learn(engineId, entry === null ? null : sid)
      return entry
    })
  }

  /** Stored session `engineId` holds entry `sid` (null: no live entry). */
  learn (engineId: string, sid: string | null): void {
    const known = this.#known.get(engineId)
    this.#known.delete(engineId)
    if (sid === null) return
    this.#known.set(engineId, known?.sid === sid ? known : { sid, read: null })
    if (this.#known.size > KNOWN_MAX) this.#known.delete(this.#known.keys().next().value as string)
  }

  /** Ended entries: their stored sessions hold no live entry. */
  forget (entries: readonly StoredSession[]): void {
    for (const entry of entries) this.#known.delete(entry.engineId as string)
  }

  /** The engine starts reading stored session `engineId`: its entry, when known, is read now too. */
  #started (engineId: string): void {
    const known = this.#known.get(engineId)
    if (known === undefined) return
    known.read = this.#read(known.sid)
    known.read.catch(unseen)
  }
}
