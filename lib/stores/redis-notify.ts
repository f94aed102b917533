// Redis pub/sub for redisSessionStore: the processes that share a store tell each other which
// tracked sessions ended, so each one closes at once the connections bound to them (lib/live/).
//
// One channel per store prefix (`<prefix>ended`): two applications on different prefixes never
// hear each other. One subscriber connection per store, opened when the first listener
// subscribes and closed with the last one (the app's onClose):
// - node-redis client: `duplicate()`, connected here, without `socketTimeout` (a subscriber is
//   idle by design) or a ping timer; node-redis subscribes again after each reconnect;
// - node-redis cluster: the cluster's own pub/sub connection (`cluster.subscribe`, one node, one
//   connection). Plain PUBLISH is forwarded to every node of a Cluster, so one subscription
//   anywhere hears every process; sharded pub/sub would need Redis 7 and spares nothing for a
//   single channel of rare, small messages;
// - ioredis client or Cluster: `duplicate()` (a Cluster subscribes through its own subscriber
//   connection, and picks another node when that one goes); ioredis subscribes again after a
//   reconnect.
// A subscriber that cannot connect delays nothing: `subscribe` resolves at once, the trouble is
// told once per outage, and the recheck (`sessions.recheckEvery`) closes what a lost
// notification would have.
//
// A message is `[1, [[id, userId, reason], ...]]` (JSON, at most 100 sessions), checked whole on
// receipt: anything else (garbled, hostile, from a later version) is ignored, never a crash.
import type { SessionEndNotice, SessionEndReason } from '../../types/index.js'
import { FST_LOGIN_INVALID_VALUE } from '../core/errors.js'
import type { Send } from './redis-client.js'

export type Warn = (error: unknown) => void
type Listener = (ended: SessionEndNotice) => void

/** Where a Redis store tells the trouble of its subscriber (lib/live/ gives the app's log). */
export const kWarnTo = Symbol('fastify-login.warnTo')
export interface WarnTo { [kWarnTo]: (warn: Warn) => void }

const VERSION = 1
/** Sessions per message: a revokeAllSessions of many sessions is sent in several. */
const CHUNK = 100
/** Longer messages are not parsed. */
const MAX_MESSAGE = 1 << 20
const REASONS = new Set<unknown>(['logout', 'revoked', 'theft', 'limit', 'expired', 'stale'] satisfies SessionEndReason[])
/** A StoredSession id: opaque, URL-safe, at most 128 characters. */
const ID = /^[A-Za-z0-9._~-]{1,128}$/

type Item = [string, string, SessionEndReason]

function isItem (item: unknown): item is Item {
  if (!Array.isArray(item) || item.length !== 3) return false
  const [id, userId, reason] = item as unknown[]
  return typeof id === 'string' && ID.test(id) && typeof userId === 'string' && userId !== '' && REASONS.has(reason)
}

/** The notices of a well-formed message, else null. */
function parse (message: unknown): SessionEndNotice[] | null {
  if (typeof message !== 'string' || message.length > MAX_MESSAGE) return null
  let data: unknown
  try {
    data = JSON.parse(message)
  } catch {
    return null
  }
  if (!Array.isArray(data) || data.length !== 2 || data[0] !== VERSION) return null
  const items: unknown = data[1]
  if (!Array.isArray(items) || items.length > CHUNK || !items.every(isItem)) return null
  return items.map(([id, userId, reason]: Item) => ({ id, userId, reason }))
}

/** What `announce` was given, as items; a coded error for anything else. */
function itemsOf (ended: unknown): Item[] {
  const items = Array.isArray(ended) ? ended.map((notice: Partial<SessionEndNotice> | null) => [notice?.id, notice?.userId, notice?.reason]) : null
  if (items === null || !items.every(isItem)) {
    throw new FST_LOGIN_INVALID_VALUE('session store: announce needs an array of { id, userId, reason }')
  }
  return items
}

/** The subscriber connection. */
interface Link { close (): Promise<void> }
interface LinkParts {
  channel: string
  deliver: (message: unknown) => void
  /** The subscription is in place (again). */
  ready: () => void
  trouble: Warn
}
interface Emitter { on (event: string, listener: (...args: any[]) => void): unknown }
interface NodeRedisSubscriber extends Emitter {
  connect (): Promise<unknown>
  subscribe (channel: string, listener: (message: string) => void): Promise<void>
  disconnect (): Promise<void>
}
interface NodeRedisClient { options?: { socket?: object }, duplicate (overrides: object): NodeRedisSubscriber }
interface NodeRedisCluster {
  isReady: boolean
  once (event: 'connect', listener: () => void): unknown
  off (event: 'connect', listener: () => void): unknown
  subscribe (channel: string, listener: (message: string) => void): Promise<void>
  unsubscribe (channel: string, listener: (message: string) => void): Promise<void>
}
interface IoRedisSubscriber extends Emitter {
  status: string
  connect (): Promise<void>
  subscribe (channel: string): Promise<unknown>
  disconnect (): void
}

function nodeRedisLink (client: NodeRedisClient, { channel, deliver, ready, trouble }: LinkParts): Link {
  const subscriber = client.duplicate({ pingInterval: 0, socket: { ...client.options?.socket, socketTimeout: 0 } })
  subscriber.on('error', trouble)
  subscriber.on('ready', () => { subscriber.subscribe(channel, deliver).then(ready, trouble) })
  subscriber.connect().catch(trouble)
  return { close: async () => { await subscriber.disconnect() } }
}

function nodeRedisClusterLink (cluster: NodeRedisCluster, { channel, deliver, ready, trouble }: LinkParts): Link {
  const start = (): void => { cluster.subscribe(channel, deliver).then(ready, trouble) }
  // a cluster the application connects after registering fastify-login
  if (cluster.isReady) start()
  else cluster.once('connect', start)
  return {
    close: async () => {
      cluster.off('connect', start)
      await cluster.unsubscribe(channel, deliver)
    }
  }
}

function ioredisLink (client: { duplicate (): IoRedisSubscriber }, { channel, deliver, ready, trouble }: LinkParts): Link {
  const subscriber = client.duplicate()
  subscriber.on('error', trouble)
  subscriber.on('message', (_channel: string, message: string) => { deliver(message) })
  subscriber.on('ready', () => { subscriber.subscribe(channel).then(ready, trouble) })
  if (subscriber.status === 'wait') subscriber.connect().catch(trouble) // lazyConnect
  return { close: async () => { subscriber.disconnect() } }
}

function defaultWarn (error: unknown): void {
  process.emitWarning(`fastify-login: redisSessionStore notifications: ${String(error)}`)
}

/** Announces ended sessions on the store's channel, and hears those of every process. */
export class Notifier {
  readonly #client: object
  readonly #send: Send
  readonly #channel: string
  readonly #listeners = new Set<Listener>()
  #link: Link | null = null
  #warn: Warn = defaultWarn

  constructor (client: object, send: Send, channel: string) {
    this.#client = client
    this.#send = send
    this.#channel = channel
  }

  warnTo (warn: Warn): void {
    this.#warn = warn
  }

  async announce (ended: readonly SessionEndNotice[]): Promise<void> {
    const items = itemsOf(ended)
    for (let from = 0; from < items.length; from += CHUNK) {
      await this.#send(['PUBLISH', this.#channel, JSON.stringify([VERSION, items.slice(from, from + CHUNK)])], this.#channel)
    }
  }

  async subscribe (listener: Listener): Promise<() => Promise<void>> {
    if (typeof listener !== 'function') throw new FST_LOGIN_INVALID_VALUE('session store: subscribe needs a function')
    const own: Listener = (notice) => { listener(notice) } // the same function may subscribe twice
    this.#listeners.add(own)
    this.#link ??= this.#open()
    return async () => {
      if (!this.#listeners.delete(own) || this.#listeners.size > 0) return
      const link = this.#link as Link
      this.#link = null
      try {
        await link.close()
      } catch {
        // closed with its client already (a cluster the application closed first)
      }
    }
  }

  /** The subscriber connection; its trouble is told once per outage, and no more once it closes. */
  #open (): Link {
    let troubled = false
    const parts: LinkParts = {
      channel: this.#channel,
      deliver: (message) => { this.#deliver(message) },
      ready: () => { troubled = false },
      trouble: (error) => {
        if (troubled) return
        troubled = true
        this.#warn(error)
      }
    }
    const client = this.#client
    const link = typeof Reflect.get(client, 'call') === 'function'
      ? ioredisLink(client as { duplicate (): IoRedisSubscriber }, parts)
      : 'masters' in client ? nodeRedisClusterLink(client as unknown as NodeRedisCluster, parts) : nodeRedisLink(client as NodeRedisClient, parts)
    return {
      close: async () => {
        troubled = true
        await link.close()
      }
    }
  }

  #deliver (message: unknown): void {
    for (const notice of parse(message) ?? []) {
      for (const listener of this.#listeners) {
        try {
          listener(notice)
        } catch (error) {
          this.#warn(error)
        }
      }
    }
  }
}
