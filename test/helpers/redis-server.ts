// Starts a real, throw-away redis-server on a free loopback port for integration tests.
// Nothing is written to disk (`--save '' --appendonly no`, working directory in a temp dir),
// so a restart starts from an empty database.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { stopChild, track, untrack } from './child-processes.js'

export interface RedisServer {
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** Stops the server (SIGTERM, then SIGKILL if it does not exit); safe to call twice. */
  stop (): Promise<void>
  /** Starts the server again on the same port (stopping it first when it runs); the data is gone. */
  restart (): Promise<void>
}

export class RedisServerMissingError extends Error {
  readonly code = 'REDIS_SERVER_MISSING'
  constructor () {
    super('redis-server was not found on PATH; install redis-server: apt-get install -y redis-server')
    this.name = 'RedisServerMissingError'
  }
}

const BINARY = 'redis-server'
const READY_WITHIN_MS = 10_000
const STOP_WITHIN_MS = 5_000

export function assertRedisServerInstalled (): void {
  const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' })
  if (probe.error !== undefined || probe.status !== 0) throw new RedisServerMissingError()
}

/** A port the kernel considered free a moment ago (listen on 0, read it, close). */
export async function freeLoopbackPort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  await once(server, 'close')
  if (address === null || typeof address === 'string') throw new Error('could not read the probe port')
  return address.port
}

/** Resolves when the server on `port` answers PING with +PONG; rejects when `child` exits first. */
async function waitForPong (port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited before answering PING on port ${port}:\n${output()}`)
    }
    if (await pingOnce(port)) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`redis-server did not answer PING on port ${port} within ${READY_WITHIN_MS} ms:\n${output()}`)
}

function pingOnce (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    let reply = ''
    const finish = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => finish(false))
    socket.once('error', () => finish(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1')
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'))
    })
  })
}

async function launch (port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(BINARY, [
    '--save', '',
    '--appendonly', 'no',
    '--bind', '127.0.0.1',
    '--port', String(port),
    '--daemonize', 'no',
    '--dir', dir
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  track(child)
  let output = ''
  const keep = (chunk: Buffer): void => { output = (output + chunk.toString('utf8')).slice(-4000) }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const spawned = await Promise.race([
    once(child, 'spawn').then(() => null),
    once(child, 'error').then(([err]) => err as NodeJS.ErrnoException)
  ])
  if (spawned !== null) {
    untrack(child)
    if (spawned.code === 'ENOENT') throw new RedisServerMissingError()
    throw spawned
  }
  try {
    await waitForPong(port, child, () => output)
  } catch (err) {
    await stopChild(child, STOP_WITHIN_MS)
    throw err
  }
  return child
}

/**
 * Starts redis-server on a free 127.0.0.1 port and waits until it answers PING.
 * Throws `RedisServerMissingError` when the binary is not installed (the tests never skip).
 */
export async function startRedisServer (): Promise<RedisServer> {
  assertRedisServerInstalled()
  const dir = mkdtempSync(join(tmpdir(), 'fastify-login-redis-'))
  let port = 0
  let child: ChildProcess | undefined
  // Another process may take the probed port before redis-server binds it: try a few ports.
  for (let attempt = 1; child === undefined; attempt++) {
    port = await freeLoopbackPort()
    try {
      child = await launch(port, dir)
    } catch (err) {
      if (attempt >= 3 || err instanceof RedisServerMissingError) {
        rmSync(dir, { recursive: true, force: true })
        throw err
      }
    }
  }

  let current: ChildProcess | undefined = child
  const stop = async (): Promise<void> => {
    const active = current
    current = undefined
    if (active !== undefined) await stopChild(active, STOP_WITHIN_MS)
  }

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop () {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
    async restart () {
      await stop()
      mkdirSync(dir, { recursive: true })
      current = await launch(port, dir)
    }
  }
}
