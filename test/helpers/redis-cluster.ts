// Starts a throw-away Redis Cluster of three masters on loopback for integration tests:
// three `redis-server --cluster-enabled yes` on free ports (each with its own cluster bus port),
// `redis-cli --cluster create` over them, then waits until every node reports cluster_state:ok.
// Nothing is written to disk but the cluster config files, in a temp dir removed on stop.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import type { TestContext } from 'node:test'
import { stopChild, track, untrack } from './child-processes.js'
import { assertRedisServerInstalled, freeLoopbackPort } from './redis-server.js'

export interface RedisClusterNodes {
  /** The masters' ports on 127.0.0.1. */
  readonly ports: readonly number[]
  /** `redis://127.0.0.1:<port>` of each master. */
  readonly urls: readonly string[]
}

const READY_WITHIN_MS = 30_000
const STOP_WITHIN_MS = 5_000
const MASTERS = 3

/** Runs redis-cli with `args`; resolves with its stdout, rejects with its stderr. */
function redisCli (args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', args, { timeout: READY_WITHIN_MS }, (err, stdout, stderr) => {
      if (err === null) resolve(stdout)
      else reject(new Error(`redis-cli ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`))
    })
  })
}

/** Polls `probe` (a failure counts as "not yet") until it holds; `gone` ends the wait early. */
async function until (what: string, probe: () => Promise<boolean>, gone: () => string | null = () => null): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS
  while (!(await probe().catch(() => false))) {
    const reason = gone()
    if (reason !== null) throw new Error(`Redis Cluster: ${what}: ${reason}`)
    if (Date.now() > deadline) throw new Error(`Redis Cluster: ${what} within ${READY_WITHIN_MS} ms`)
    await sleep(50)
  }
}

async function launchNode (dir: string): Promise<{ port: number, child: ChildProcess }> {
  const port = await freeLoopbackPort()
  const busPort = await freeLoopbackPort()
  const child = spawn('redis-server', [
    '--port', String(port),
    '--cluster-port', String(busPort),
    '--bind', '127.0.0.1',
    '--cluster-enabled', 'yes',
    '--cluster-config-file', join(dir, `nodes-${port}.conf`),
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--daemonize', 'no'
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  track(child)
  let log = ''
  const keep = (chunk: Buffer): void => { log = (log + chunk.toString('utf8')).slice(-4000) }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  await once(child, 'spawn')
  const exited = (): string | null => child.exitCode !== null || child.signalCode !== null ? 'redis-server exited' : null
  try {
    await until(`node ${port} answers PING`, async () => (await redisCli(['-p', String(port), 'PING'])).trim() === 'PONG', exited)
  } catch (err) {
    await stopChild(child, STOP_WITHIN_MS)
    throw new Error(`${(err as Error).message}\n${log}`)
  }
  return { port, child }
}

/** A node, retried on other ports when another process took a probed port first. */
async function startNode (dir: string): Promise<{ port: number, child: ChildProcess }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchNode(dir)
    } catch (err) {
      if (attempt >= 3) throw err
    }
  }
}

/** Starts the three masters, joins them into one cluster, and stops everything in `t.after`. */
export async function startRedisCluster (t: Pick<TestContext, 'after'>): Promise<RedisClusterNodes> {
  assertRedisServerInstalled()
  const dir = mkdtempSync(join(tmpdir(), 'fastify-login-redis-cluster-'))
  const children: ChildProcess[] = []
  t.after(async () => {
    await Promise.all(children.map((child) => stopChild(child, STOP_WITHIN_MS)))
    for (const child of children) untrack(child)
    rmSync(dir, { recursive: true, force: true })
  })
  const ports: number[] = []
  for (let i = 0; i < MASTERS; i++) {
    const node = await startNode(dir)
    children.push(node.child)
    ports.push(node.port)
  }
  await redisCli(['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'])
  for (const port of ports) {
    await until(`node ${port} reports cluster_state:ok`, async () => {
      const info = await redisCli(['-p', String(port), 'CLUSTER', 'INFO'])
      return info.includes('cluster_state:ok') && info.includes('cluster_known_nodes:3')
    })
  }
  return { ports, urls: ports.map((port) => `redis://127.0.0.1:${port}`) }
}
