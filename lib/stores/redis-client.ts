// One way to send a raw command to Redis, whatever the client: node-redis 4+ (a client, or a
// cluster whose sendCommand takes the key that picks the node first) or ioredis 5 (a client or
// a Cluster; `call` routes by the command's keys). The kind is told once, when the store is made.
import { createHash } from 'node:crypto'
import { FST_LOGIN_INVALID_OPTION } from '../core/errors.js'

/** Sends `args` (command name first); `key` is the first key, which picks the cluster node. */
export type Send = (args: string[], key: string) => Promise<unknown>

interface IoRedisLike { call (command: string, args: string[]): Promise<unknown> }
interface NodeRedisClientLike { sendCommand (args: string[]): Promise<unknown> }
interface NodeRedisClusterLike { sendCommand (key: string, isReadonly: boolean, args: string[]): Promise<unknown> }

function has (client: object, method: string): boolean {
  return typeof (client as Record<string, unknown>)[method] === 'function'
}

/** ioredis's keyPrefix option: it prefixes the keys a script is given, not those it builds. */
function hasKeyPrefix (client: object): boolean {
  const options: unknown = Reflect.get(client, 'options')
  const keyPrefix: unknown = typeof options === 'object' && options !== null ? Reflect.get(options, 'keyPrefix') : undefined
  return typeof keyPrefix === 'string' && keyPrefix !== ''
}

export function commandSender (client: unknown): Send {
  if (typeof client === 'object' && client !== null) {
    // ioredis first: its clients also have a sendCommand, which takes a Command object
    if (has(client, 'call')) {
      if (hasKeyPrefix(client)) {
        throw new FST_LOGIN_INVALID_OPTION('client', 'an ioredis keyPrefix would prefix only some of the keys the scripts use; give the store a prefix instead')
      }
      const ioredis = client as IoRedisLike
      return (args) => ioredis.call(args[0] as string, args.slice(1))
    }
    if (has(client, 'sendCommand')) {
      if ('masters' in client) {
        const cluster = client as unknown as NodeRedisClusterLike
        // not read-only: a replica could answer with a state older than a revocation
        return (args, key) => cluster.sendCommand(key, false, args)
      }
      const nodeRedis = client as NodeRedisClientLike
      return (args) => nodeRedis.sendCommand(args)
    }
  }
  throw new FST_LOGIN_INVALID_OPTION('client', 'expected a node-redis client or cluster (package "redis", 4 or later) or an ioredis client or Cluster')
}

/** A Lua script run by EVALSHA, sent whole (EVAL) to a server that does not have it yet. */
export class Script {
  readonly #source: string
  readonly #sha: string

  constructor (source: string) {
    this.#source = source
    this.#sha = createHash('sha1').update(source).digest('hex')
  }

  async run (send: Send, keys: string[], args: string[]): Promise<unknown> {
    const rest = [String(keys.length), ...keys, ...args]
    try {
      return await send(['EVALSHA', this.#sha, ...rest], keys[0] as string)
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err
      return await send(['EVAL', this.#source, ...rest], keys[0] as string)
    }
  }
}
