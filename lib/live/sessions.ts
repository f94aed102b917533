// The connections of this process bound to tracked sessions: per session, the listeners to call
// when it ends (a WebSocket's close, an event stream's end, request.onSessionEnd).
import type { FastifyRequest } from 'fastify'
import type { SessionEndReason } from '../../types/index.js'

export type EndListener = (reason: SessionEndReason) => void

/** One tracked session with open connections on this process. */
export interface Bound {
  readonly userId: string
  /** The auth hash the login was made with (the session's), to compare on a recheck. */
  readonly authHash: unknown
  /** A request of the session, for userLoader on a recheck. */
  readonly request: FastifyRequest
  readonly listeners: Set<EndListener>
}

export class LiveSessions {
  readonly #bound = new Map<string, Bound>()
  readonly #onError: (error: unknown) => void
  /** Called when the first session is bound, and when the last one goes (the recheck's timer). */
  readonly #onBusy: (busy: boolean) => void

  constructor (onError: (error: unknown) => void, onBusy: (busy: boolean) => void) {
    this.#onError = onError
    this.#onBusy = onBusy
  }

  /** Calls `listener` once when the session `sid` ends; returns a function that removes it. */
  add (sid: string, userId: string, authHash: unknown, request: FastifyRequest, listener: EndListener): () => void {
    let bound = this.#bound.get(sid)
    if (bound === undefined) {
      bound = { userId, authHash, request, listeners: new Set() }
      this.#bound.set(sid, bound)
      if (this.#bound.size === 1) this.#onBusy(true)
    }
    const listeners = bound.listeners
    listeners.add(listener)
    return () => {
      if (!listeners.delete(listener) || listeners.size > 0 || this.#bound.get(sid)?.listeners !== listeners) return
      this.#bound.delete(sid)
      if (this.#bound.size === 0) this.#onBusy(false)
    }
  }

  /** The session ended: each of its listeners is called once, and forgotten. */
  end (sid: string, reason: SessionEndReason): void {
    const bound = this.#bound.get(sid)
    if (bound === undefined) return
    this.#bound.delete(sid)
    if (this.#bound.size === 0) this.#onBusy(false)
    for (const listener of bound.listeners) {
      try {
        listener(reason)
      } catch (error) {
        this.#onError(error)
      }
    }
  }

  /** The sessions bound now, with what a recheck needs. */
  sessions (): Array<[string, Bound]> {
    return [...this.#bound]
  }
}
