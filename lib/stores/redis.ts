// Tracked sessions in Redis, shared by every process that uses the same Redis (or Redis Cluster).
// Key layout and atomicity: redis-scripts.ts. An id is `<tag>.<random>`: the tag (from the user
// id) names the hash slot of every key of that user, so an entry is found from its id alone and
// an id of any other shape is refused before a round trip. A Redis error rejects the promise.
// Ended sessions are announced to every process through pub/sub: redis-notify.ts.
import { createHash } from 'node:crypto'
import type { NewStoredSession, RedisSessionStoreOptions, RememberRotation, RotationVerdict, SessionEndNotice, SessionLimit, SessionStore, StoredSession, StoredSessionChanges } from '../../types/index.js'
import { FST_LOGIN_INVALID_OPTION } from '../core/errors.js'
import { CAPABILITIES, checkChanges, checkExpected, checkLimit, checkNewSession, checkRotation, FIELDS, isLive, JOIN_WINDOW_MS, randomPart, type Field } from './entry.js'
import { commandSender, type Send } from './redis-client.js'
import { kWarnTo, Notifier, type Warn, type WarnTo } from './redis-notify.js'
import { CREATE, DESTROY, DESTROY_ALL, LIST, ROTATE, UPDATE } from './redis-scripts.js'

const DEFAULT_PREFIX = 'fastify-login:'
/** `list` reads at most this many entries of a user (those that expire last): a bounded answer. */
const LIST_MAX = 1000
/** 8 base64url characters of SHA-256(userId): 48 bits, plenty to spread users over 16 384 slots. */
const TAG_LENGTH = 8
const ID = /^([A-Za-z0-9_-]{8})\.[A-Za-z0-9_-]{24}$/

type Ended = Array<[string, unknown[]]>

function tagOf (userId: string): string {
  return createHash('sha256').update(userId).digest('base64url').slice(0, TAG_LENGTH)
}

/** The tag of a well-formed id, else null (any other value, of any type). */
function tagOfId (id: unknown): string | null {
  const match = typeof id === 'string' ? ID.exec(id) : null
  return match === null ? null : match[1] as string
}

/** Redis keeps whole milliseconds: the key lives at least as long as the entry. */
function expiry (expiresAt: unknown): string {
  return String(Math.ceil(expiresAt as number))
}

/** field/value pairs for HSET; a null field is left out (absent means null). */
function hashPairs (pairs: Array<[Field, unknown]>): string[] {
  return pairs.flatMap(([field, value]) => value === null || value === undefined ? [] : [field, String(value)])
}

/** An entry from its HMGET fields (in FIELDS order); null when the hash does not exist. */
function decode (id: string, reply: unknown): StoredSession | null {
  // a missing field is a nil (RESP2) or false (RESP3 from a script): anything but a string
  const v = (reply as unknown[]).map((value) => typeof value === 'string' ? value : null)
  if (v[0] === null) return null
  return {
    id,
    userId: v[0] as string,
    createdAt: Number(v[1]),
    lastSeenAt: Number(v[2]),
    ip: v[3] as string,
    userAgent: v[4] as string,
    rememberHash: v[5] as string | null,
    previousRememberHash: v[6] as string | null,
    rotatedAt: v[7] === null ? null : Number(v[7]),
    engineId: v[8] as string | null,
    expiresAt: Number(v[9]),
    authDigest: v[10] as string | null
  }
}

/** Entries a script returned as {id, fields}: all live (the script checked). */
function decodeAll (reply: unknown): StoredSession[] {
  return (reply as Ended).map(([id, fields]) => decode(id, fields) as StoredSession)
}

function checkPrefix (options: RedisSessionStoreOptions | undefined): string {
  const prefix = options?.prefix ?? DEFAULT_PREFIX
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw new FST_LOGIN_INVALID_OPTION('prefix', 'must be a string without "{" or "}" (the keys carry a Redis Cluster hash tag)')
  }
  return prefix
}

/** Marks a Redis store made without a prefix of its own (shared with every other such app). */
const kDefaultPrefix = Symbol('fastify-login.defaultPrefix')

/** Whether `store` is a Redis store on the default prefix. */
export function usesDefaultPrefix (store: unknown): boolean {
  return (store as { [kDefaultPrefix]?: boolean })[kDefaultPrefix] === true
}

class RedisSessionStore implements SessionStore, WarnTo {
  /** Joins a login form submitted twice (origin), keeps auth digests; `rotate` on Redis's clock. */
  readonly capabilities = CAPABILITIES
  readonly #send: Send
  readonly #prefix: string
  readonly #notifier: Notifier
  readonly [kDefaultPrefix]: boolean

  constructor (client: unknown, options: RedisSessionStoreOptions | undefined) {
    this.#prefix = checkPrefix(options)
    this[kDefaultPrefix] = options?.prefix === undefined
    this.#send = commandSender(client)
    this.#notifier = new Notifier(client as object, this.#send, `${this.#prefix}ended`)
  }

  async create (session: NewStoredSession, limit: SessionLimit): Promise<{ id: string, ended: StoredSession[] } | null> {
    const fields = checkNewSession(session)
    const { maxPerUser, onLimit, replaces, origin } = checkLimit(limit)
    const tag = tagOf(fields.userId)
    const id = `${tag}.${randomPart()}`
    const keys = [this.#index(tag, fields.userId), this.#entry(tag, id)]
    if (origin !== null) keys.push(`${this.#prefix}{${tag}}:o:${origin}:${fields.userId}`)
    const reply = await CREATE.run(this.#send, keys, [
      String(Date.now()), fields.userId, this.#entry(tag, ''), id,
      maxPerUser === null ? '' : String(maxPerUser), onLimit, replaces ?? '', expiry(fields.expiresAt),
      String(JOIN_WINDOW_MS), fields.rememberHash ?? '', fields.authDigest ?? '',
      ...hashPairs(FIELDS.map((field) => [field, fields[field]]))
    ]) as [number, unknown?]
    if (reply[0] === 0) return null
    if (reply[0] === 2) return { id: reply[1] as string, ended: [] }
    return { id, ended: decodeAll(reply[1]) }
  }

  async get (id: string): Promise<StoredSession | null> {
    const tag = tagOfId(id)
    if (tag === null) return null
    const key = this.#entry(tag, id)
    const entry = decode(id, await this.#send(['HMGET', key, ...FIELDS], key))
    return entry !== null && isLive(entry, Date.now()) ? entry : null
  }

  async update (id: string, changes: StoredSessionChanges, expectRememberHash?: string | null): Promise<boolean> {
    const pairs = checkChanges(changes)
    const expected = checkExpected(expectRememberHash)
    const tag = tagOfId(id)
    if (tag === null) return false
    const set = hashPairs(pairs)
    const removed = pairs.filter(([, value]) => value === null).map(([field]) => field)
    const expiresAt = pairs.find(([field]) => field === 'expiresAt')
    const reply = await UPDATE.run(this.#send, [this.#entry(tag, id)], [
      String(Date.now()), this.#index(tag, ''), id,
      expected === undefined ? 'any' : expected === null ? 'null' : 'value', expected ?? '',
      expiresAt === undefined ? '' : expiry(expiresAt[1]),
      String(set.length / 2), ...set, ...removed
    ])
    return reply === 1
  }

  /** One clock for every process: Redis's (TIME, inside the script). */
  async rotate (id: string, rotation: RememberRotation): Promise<RotationVerdict> {
    const { presented, next, graceMs, changes } = checkRotation(rotation)
    const tag = tagOfId(id)
    if (tag === null) return 'gone'
    const set = hashPairs(changes)
    const expiresAt = changes.find(([field]) => field === 'expiresAt')
    return await ROTATE.run(this.#send, [this.#entry(tag, id)], [
      String(Date.now()), this.#index(tag, ''), id, presented, next ?? '', String(graceMs),
      expiresAt === undefined ? '' : expiry(expiresAt[1]), String(set.length / 2), ...set
    ]) as RotationVerdict
  }

  async list (userId: string): Promise<StoredSession[]> {
    if (typeof userId !== 'string') return []
    const tag = tagOf(userId)
    return decodeAll(await LIST.run(this.#send, [this.#index(tag, userId)], [String(Date.now()), userId, this.#entry(tag, ''), String(LIST_MAX)]))
  }

  async destroy (id: string): Promise<StoredSession | null> {
    const tag = tagOfId(id)
    if (tag === null) return null
    const reply = await DESTROY.run(this.#send, [this.#entry(tag, id)], [String(Date.now()), this.#index(tag, ''), id])
    return Array.isArray(reply) ? decode(id, reply) : null
  }

  async destroyAll (userId: string, exceptId?: string | null): Promise<StoredSession[]> {
    if (typeof userId !== 'string') return []
    const tag = tagOf(userId)
    const keep = typeof exceptId === 'string' ? exceptId : ''
    return decodeAll(await DESTROY_ALL.run(this.#send, [this.#index(tag, userId)], [String(Date.now()), userId, this.#entry(tag, ''), keep]))
  }

  async announce (ended: readonly SessionEndNotice[]): Promise<void> {
    await this.#notifier.announce(ended)
  }

  async subscribe (listener: (ended: SessionEndNotice) => void): Promise<() => Promise<void>> {
    return await this.#notifier.subscribe(listener)
  }

  [kWarnTo] (warn: Warn): void {
    this.#notifier.warnTo(warn)
  }

  /** The entry key of `id` (with '': the prefix of the user's entry keys). */
  #entry (tag: string, id: string): string {
    return `${this.#prefix}{${tag}}:s:${id}`
  }

  /** The index key of `userId` (with '': the prefix the scripts complete with an entry's user). */
  #index (tag: string, userId: string): string {
    return `${this.#prefix}{${tag}}:u:${userId}`
  }
}

export function redisSessionStore (client: unknown, options?: RedisSessionStoreOptions): SessionStore {
  return new RedisSessionStore(client, options)
}
