// Two instances of test/redis/fixtures/live-app.ts (tracked sessions on Redis, a WebSocket and an
// event stream) in separate processes sharing one real redis-server or a 3-master Redis Cluster;
// plain connections to every Redis node to look at its pub/sub; WebSocket and event-stream
// clients that tell how their connection ended. Used by test/redis/live-pubsub.test.ts and
// scripts/live-close-figures.ts.
import type { TestContext } from 'node:test'
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import WebSocket from 'ws'
import { createClient } from 'redis'
import { startRedisCluster } from '../redis-cluster.js'
import { startRedisServer } from '../redis-server.js'
import { startApp, type AppProcess } from './app-process.js'
import type { ClientName, EngineName } from './tracked-pair.js'

const FIXTURE = join(__dirname, '..', '..', 'redis', 'fixtures', 'live-app.ts')
/** The fixture's store prefix, and so its pub/sub channel. */
export const PREFIX = 'live-test:'
export const CHANNEL = `${PREFIX}ended`
/** Longest wait for anything a test waits for: a hang guard, never a measure. */
export const HANG_GUARD_MS = 60_000

export interface LivePairOptions {
  engine: EngineName
  client: ClientName
  /** On a 3-master Redis Cluster instead of one redis-server. */
  cluster?: boolean
}

export type Raw = (args: string[]) => Promise<unknown>

export interface LivePair {
  a: AppProcess
  b: AppProcess
  /** A command to each Redis node (one without a cluster). */
  nodes: Raw[]
}

type After = Pick<TestContext, 'after'>

/** A plain connection to each Redis node, closed in `t.after`. */
export async function connectNodes (t: After, urls: readonly string[]): Promise<Raw[]> {
  return await Promise.all(urls.map(async (url) => {
    const client = createClient({ url, socket: { reconnectStrategy: false } })
    client.on('error', () => {})
    await client.connect()
    t.after(() => { if (client.isOpen) client.destroy() })
    return async (args: string[]) => await client.sendCommand(args)
  }))
}

/** Starts Redis (or a Redis Cluster) and two app processes with the same secrets; all stop in `t.after`. */
export async function startLivePair (t: After, options: LivePairOptions): Promise<LivePair> {
  let where: { REDIS_URL: string } & Record<string, string>
  let urls: readonly string[]
  if (options.cluster === true) {
    const cluster = await startRedisCluster(t)
    where = { REDIS_CLUSTER: cluster.ports.join(','), REDIS_URL: '-' }
    urls = cluster.urls
  } else {
    const redis = await startRedisServer()
    t.after(() => redis.stop())
    where = { REDIS_URL: redis.url }
    urls = [redis.url]
  }
  const env = {
    ...where,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    LOGIN_SECRET: randomBytes(32).toString('hex'),
    ENGINE: options.engine,
    CLIENT: options.client,
    PREFIX
  }
  const [a, b] = await Promise.all([startApp(env, FIXTURE), startApp(env, FIXTURE)])
  t.after(() => Promise.all([a.stop(), b.stop()]))
  const pair = { a, b, nodes: await connectNodes(t, urls) }
  await until('both processes subscribed', async () => await subscribers(pair) === 2)
  return pair
}

/** Rejects when `pending` has not settled within the hang guard. */
export async function guarded<T> (what: string, pending: Promise<T>, ms = HANG_GUARD_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`hang guard: ${what} not within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([pending, hang])
  } finally {
    clearTimeout(timer)
  }
}

/** Polls `probe` until it holds; fails after the hang guard. */
export async function until (what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + HANG_GUARD_MS
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`hang guard: ${what} not within ${HANG_GUARD_MS} ms`)
    await sleep(20)
  }
}

/** Subscriptions to `channel` (the fixture's by default), over every node. */
export async function subscribers (pair: Pick<LivePair, 'nodes'>, channel = CHANNEL): Promise<number> {
  const counts = await Promise.all(pair.nodes.map(async (node) => (await node(['PUBSUB', 'NUMSUB', channel]) as [string, number])[1]))
  return counts.reduce((sum, count) => sum + Number(count), 0)
}

/** Connections in pub/sub mode (CLIENT LIST's `sub=`), over every node. */
export async function pubSubConnections (pair: Pick<LivePair, 'nodes'>): Promise<number> {
  const lists = await Promise.all(pair.nodes.map(async (node) => String(await node(['CLIENT', 'LIST']))))
  return lists.flatMap((list) => list.split('\n')).filter((line) => /\bsub=[1-9]/.test(line)).length
}

/** Kills every pub/sub connection of every node; resolves once both processes subscribed again. */
export async function killSubscribers (pair: LivePair): Promise<void> {
  await Promise.all(pair.nodes.map(async (node) => await node(['CLIENT', 'KILL', 'TYPE', 'pubsub'])))
  await until('both processes subscribed again', async () => await subscribers(pair) === 2)
}

export interface LiveSocket {
  greeting: string
  closed: Promise<{ code: number, reason: string }>
  echo (text: string): Promise<string>
  close (): void
}

/** Opens a WebSocket to `url` + `path` with `cookie`; rejects with the HTTP status when refused. */
export async function openSocket (url: string, path: string, cookie: string): Promise<LiveSocket> {
  const socket = new WebSocket(url.replace(/^http/, 'ws') + path, { headers: { cookie } })
  const closed = new Promise<{ code: number, reason: string }>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  })
  const greeting = await guarded('the greeting', new Promise<string>((resolve, reject) => {
    socket.once('message', (data) => resolve(String(data)))
    socket.once('close', () => resolve(''))
    socket.once('unexpected-response', (_request, response) => { reject(new Error(`HTTP ${String(response.statusCode)}`)); socket.terminate() })
    socket.once('error', reject)
  }))
  return {
    greeting,
    closed,
    echo: async (text) => await guarded('the echo', new Promise<string>((resolve) => {
      socket.once('message', (data) => resolve(String(data)))
      socket.send(text)
    })),
    close: () => { socket.terminate() }
  }
}

export interface LiveStream {
  first: string
  /** Resolves when the server ended the response. */
  ended: Promise<void>
  close (): void
}

/** Opens an event stream (Accept: text/event-stream) to `url` + `path` with `cookie`. */
export async function openStream (url: string, path: string, cookie: string): Promise<LiveStream> {
  return await guarded('the event stream', new Promise<LiveStream>((resolve, reject) => {
    const request = http.get(url + path, { headers: { accept: 'text/event-stream', cookie } }, (response) => {
      const ended = new Promise<void>((_resolve) => { response.on('end', _resolve) })
      response.setEncoding('utf8')
      response.once('data', (first: string) => resolve({ first, ended, close: () => { request.destroy() } }))
    })
    request.on('error', reject)
  }))
}
