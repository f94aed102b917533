// What no call announces (a timeout passing, the auth hash changing, the user gone, a notification
// lost between processes): every `recheckEvery` seconds, each session with open connections on
// this process is checked as a request would be. One store read per session (sent together, so a
// Redis client pipelines them), not per connection; a store or loader that fails closes nothing.
import type { ResolvedLoginOptions, SessionEndReason, StoredSession } from '../../types/index.js'
import { asUser, authHashMatches } from '../core/user.js'
import type { TrackedSessions } from '../tracked/sessions.js'
import type { Bound, LiveSessions } from './sessions.js'

/** A session found ended by a recheck, whose entry was already gone (no call of this process ended it). */
export type FoundEnded = (sid: string, userId: string, reason: SessionEndReason) => void

export class Recheck {
  readonly #options: ResolvedLoginOptions
  readonly #tracked: TrackedSessions
  readonly #live: LiveSessions
  readonly #found: FoundEnded
  readonly #every: number
  #timer: NodeJS.Timeout | null = null
  #running = false

  constructor (options: ResolvedLoginOptions, tracked: TrackedSessions, live: LiveSessions, found: FoundEnded) {
    this.#options = options
    this.#tracked = tracked
    this.#live = live
    this.#found = found
    this.#every = (options.sessions as NonNullable<ResolvedLoginOptions['sessions']>).recheckEvery * 1000
  }

  /** Runs while some session has connections on this process. */
  busy (busy: boolean): void {
    if (busy && this.#timer === null) {
      this.#timer = setInterval(() => { this.round().catch(() => {}) }, this.#every)
      this.#timer.unref()
    } else if (!busy && this.#timer !== null) {
      clearInterval(this.#timer)
      this.#timer = null
    }
  }

  /** One round: every bound session checked once (a round still running skips the next). */
  async round (): Promise<void> {
    if (this.#running) return
    this.#running = true
    try {
      const sessions = this.#live.sessions()
      const entries = await Promise.all(sessions.map(([sid]) => this.#tracked.get(sid).catch(() => undefined)))
      await Promise.all(sessions.map(([sid, bound], index) => this.#check(sid, bound, entries[index])))
    } finally {
      this.#running = false
    }
  }

  async #check (sid: string, bound: Bound, entry: StoredSession | null | undefined): Promise<void> {
    if (entry === undefined) return // the store is down: nothing is closed for that alone
    if (entry === null || entry.userId !== bound.userId) {
      this.#live.end(sid, 'expired')
      this.#found(sid, bound.userId, 'expired')
      return
    }
    if (await this.#stale(bound) !== true) return
    // ends it in the store (TrackedSessions tells: closed here, the event, the other processes);
    // its connections go even when the store fails or someone else ended it meanwhile
    await this.#tracked.end(sid, 'stale').catch(() => false)
    this.#live.end(sid, 'stale')
  }

  /** Whether the session's user no longer loads, is inactive, or changed its auth hash; undefined when the loader failed. */
  async #stale (bound: Bound): Promise<boolean | undefined> {
    // a session login exists only with a userLoader
    const loader = this.#options.userLoader as NonNullable<ResolvedLoginOptions['userLoader']>
    try {
      const user = asUser(this.#options, 'userLoader', await loader(bound.userId, bound.request))
      return user === null || !user.isActive || !authHashMatches(user, bound.authHash)
    } catch {
      return undefined
    }
  }
}
