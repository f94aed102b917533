// Child processes of the benchmark: redis-server and one Node process per server, each with its
// own event loop. Every child is tracked so that `stopAll` ends them on success, error and SIGINT.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import { CPU_USAGE_MESSAGE } from '../fixtures/serve.js'
import { onCpus } from './cpu-pinning.js'

const STARTUP_TIMEOUT_MS = 60_000
const STOP_GRACE_MS = 5_000

// Servers are stopped before the services they use (redis-server), so none sees Redis vanish.
const servers = new Set<ChildProcess>()
const services = new Set<ChildProcess>()

function track (child: ChildProcess, group: Set<ChildProcess>): ChildProcess {
  group.add(child)
  child.once('exit', () => group.delete(child))
  return child
}

/** SIGTERM to each child still running, SIGKILL to one that does not exit within the grace time. */
function stop (group: Set<ChildProcess>): Promise<unknown> {
  return Promise.all([...group].map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })))
}

/** Stops every server, then redis-server. */
export async function stopAll (): Promise<void> {
  await stop(servers)
  await stop(services)
}

/** Resolves with the first stdout line that `match` accepts; rejects on exit or timeout. */
function waitForLine<T> (child: ChildProcess, what: string, match: (line: string) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => fail(new Error(`${what} did not start within ${STARTUP_TIMEOUT_MS / 1000} s`)), STARTUP_TIMEOUT_MS)
    const onExit = (code: number | null, signal: string | null): void =>
      fail(new Error(`${what} exited during start-up (code ${code}, signal ${signal})`))
    function fail (err: Error): void {
      clearTimeout(timer)
      lines.close()
      reject(err)
    }
    child.once('exit', onExit)
    child.once('error', fail)
    lines.on('line', (line) => {
      const value = match(line)
      if (value === undefined) return
      clearTimeout(timer)
      child.off('exit', onExit)
      lines.close()
      // Keep draining stdout so a chatty child never blocks on a full pipe.
      child.stdout!.resume()
      resolve(value)
    })
  })
}

/** A loopback port that was free a moment ago (for redis-server, which cannot listen on 0 and report). */
export function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')))
    })
  })
}

export interface ServerProcess {
  port: number
  child: ChildProcess
}

/** Starts `node --import tsx <file>` (on `cpus` when given) and waits for its `{"port":N}` line. */
export async function startServer (file: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = [], cpus: string | null = null): Promise<ServerProcess> {
  const [command, args] = onCpus(cpus, process.execPath, [...nodeArgs, '--import', 'tsx', file])
  const child = track(spawn(command, args, {
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc']
  }), servers)
  const port = await waitForLine(child, file, (line) => {
    try {
      const parsed: unknown = JSON.parse(line)
      if (typeof parsed === 'object' && parsed !== null && 'port' in parsed && typeof parsed.port === 'number') return parsed.port
    } catch {}
    return undefined
  })
  return { port, child }
}

const REDIS_HELP = 'redis-server was not found. The Redis scenarios (e, f) need it: install it ' +
  '(Debian/Ubuntu: `apt-get install -y redis-server`, macOS: `brew install redis`), point ' +
  'BENCH_REDIS_SERVER at the binary, or run `npm run bench` as root on Debian/Ubuntu to have ' +
  'the benchmark install it with apt-get.'

function works (binary: string): boolean {
  const probe = spawnSync(binary, ['--version'], { stdio: 'ignore' })
  return probe.error === undefined && probe.status === 0
}

/**
 * The redis-server binary to use. When it is missing and the benchmark runs as root on a machine
 * with apt-get (a fresh Debian clone), it installs it; BENCH_INSTALL_REDIS=0 turns that off.
 */
export function findRedisServer (): string {
  const binary = process.env.BENCH_REDIS_SERVER ?? 'redis-server'
  if (works(binary)) return binary
  const canInstall = process.getuid?.() === 0 && works('apt-get')
  if (process.env.BENCH_INSTALL_REDIS !== '0' && canInstall && binary === 'redis-server') {
    console.error('bench: redis-server is missing: installing it with apt-get (BENCH_INSTALL_REDIS=0 to refuse)')
    for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'redis-server']]) {
      const run = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
      if (run.status !== 0) throw new Error(`bench: apt-get ${args.join(' ')} failed. ${REDIS_HELP}`)
    }
    if (works(binary)) return binary
  }
  throw new Error(`bench: ${REDIS_HELP}`)
}

/** Starts a throw-away redis-server on a loopback port: no persistence, nothing written to disk. */
export async function startRedis (binary: string, cpus: string | null = null): Promise<string> {
  const port = await freePort()
  const [command, args] = onCpus(cpus, binary, [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--daemonize', 'no', '--loglevel', 'notice', '--dir', process.env.TMPDIR ?? '/tmp'
  ])
  const child = track(spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] }), services)
  await waitForLine(child, 'redis-server', (line) => /ready to accept connections/i.test(line) ? true : undefined)
  return `redis://127.0.0.1:${port}`
}

/** User + system CPU time of a server process so far, in microseconds (asked over IPC). */
export function cpuMicros (child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error('a benchmark server did not report its CPU time')), 10_000)
    function done (err: Error | null, value = 0): void {
      clearTimeout(timer)
      child.off('message', onMessage)
      if (err === null) resolve(value)
      else reject(err)
    }
    function onMessage (message: unknown): void {
      const usage = (message as { cpuUsage?: NodeJS.CpuUsage } | null)?.cpuUsage
      if (usage !== undefined) done(null, usage.user + usage.system)
    }
    child.on('message', onMessage)
    child.send(CPU_USAGE_MESSAGE)
  })
}
