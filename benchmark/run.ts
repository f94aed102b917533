// `npm run bench`: every benchmark server in its own process, autocannon against each (server,
// scenario) in interleaved rounds, one table of medians and ratios to (b), and the verdict on the
// issue's targets. Environment: BENCH_DURATION (s per measured run, 2), BENCH_WARMUP (s, 3),
// BENCH_ROUNDS (7), BENCH_CONNECTIONS (50), BENCH_SERVERS / BENCH_SCENARIOS (comma lists to run a
// subset), BENCH_CPU_PROF (server ids to run under `node --cpu-prof`), BENCH_JSON (file for the
// raw runs), BENCH_STRICT=1 (exit 2 when a target is missed), BENCH_REDIS_SERVER,
// installed with apt-get when missing and run as root; BENCH_INSTALL_REDIS=0 refuses (support/processes.ts),
// BENCH_PIN=0 (do not pin servers and autocannon to separate CPUs, support/cpu-pinning.ts),
// BENCH_MAX_STEAL (%, 5) and BENCH_STEAL_RETRIES (3): a round during which the hypervisor stole more
// of the server's CPU than that is measured again (support/steal.ts).
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { runLoad, type LoadResult } from './support/load.js'
import { cpuMicros, findRedisServer, startRedis, startServer, stopAll, type ServerProcess } from './support/processes.js'
import { SCENARIOS, SERVERS, check, headersFor, logIn, type Scenario, type ServerSpec } from './support/scenarios.js'
import { cellKey, table, targets, verdictTable, type Results } from './support/report.js'
import { describeEnvironment } from './support/environment.js'
import { pinCpus } from './support/cpu-pinning.js'
import { readCpuTimes, stealShare } from './support/steal.js'

const ROOT = resolve(__dirname, '..')

// Bad settings are collected here and reported by main(), before anything starts.
const configErrors: string[] = []

function numberFromEnv (name: string, fallback: number, min: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < min) configErrors.push(`${name} must be a number ≥ ${min}, got ${JSON.stringify(raw)}`)
  return value
}

function listFromEnv (name: string, known: readonly string[]): string[] | null {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return null
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean)
  const unknown = list.filter((item) => !known.includes(item))
  if (unknown.length > 0) configErrors.push(`${name}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`)
  return list
}

const SERVER_IDS = SERVERS.map((s) => s.id)

const config = {
  duration: numberFromEnv('BENCH_DURATION', 2, 1),
  warmup: numberFromEnv('BENCH_WARMUP', 3, 0),
  rounds: numberFromEnv('BENCH_ROUNDS', 7, 1),
  connections: numberFromEnv('BENCH_CONNECTIONS', 50, 1),
  servers: listFromEnv('BENCH_SERVERS', SERVER_IDS),
  scenarios: listFromEnv('BENCH_SCENARIOS', SCENARIOS.map((s) => s.id)),
  cpuProf: listFromEnv('BENCH_CPU_PROF', SERVER_IDS) ?? [],
  maxSteal: numberFromEnv('BENCH_MAX_STEAL', 5, 0) / 100,
  stealRetries: numberFromEnv('BENCH_STEAL_RETRIES', 3, 0),
  json: process.env.BENCH_JSON,
  strict: process.env.BENCH_STRICT === '1'
}

const servers: ServerSpec[] = SERVERS.filter((s) => config.servers === null || config.servers.includes(s.id))
const scenarios: Scenario[] = SCENARIOS
  .filter((s) => config.scenarios === null || config.scenarios.includes(s.id))
  .map((s) => ({ ...s, servers: s.servers.filter((id) => servers.some((server) => server.id === id)) }))
  .filter((s) => s.servers.length > 0)
const pairs = scenarios.flatMap((scenario) => scenario.servers.map((id) => ({ scenario, server: servers.find((s) => s.id === id)! })))

// Start-up, the fixture step and the per-run overhead of autocannon stay well under a minute.
const estimatedSeconds = pairs.length * (config.warmup + config.rounds * config.duration) + 60
// every round may be measured up to 1 + BENCH_STEAL_RETRIES times on a host that keeps stealing
const deadlineSeconds = Math.ceil(estimatedSeconds * 1.5 * (1 + config.stealRetries) + 120)

const log = (message: string): void => { process.stderr.write(`bench: ${message}\n`) }

async function main (): Promise<number> {
  if (configErrors.length > 0) throw new Error(`bench: ${configErrors.join('; ')}`)
  if (pairs.length === 0) throw new Error('bench: BENCH_SERVERS / BENCH_SCENARIOS select nothing to measure')
  log(`${pairs.length} (server, scenario) pairs × ${config.rounds} rounds of ${config.duration} s, ` +
    `${config.warmup} s warm-up each, ${config.connections} connections: about ${Math.ceil(estimatedSeconds / 60)} min ` +
    `(load average now ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores)`)

  const cpus = pinCpus()
  log(`CPUs: ${cpus.description}`)
  const redisBinary = servers.some((s) => s.redis) ? findRedisServer() : null
  const redisUrl = redisBinary === null ? undefined : await startRedis(redisBinary, cpus.client)
  if (redisUrl !== undefined) log(`redis-server at ${redisUrl}`)

  const profileDir = join(tmpdir(), `fastify-login-bench-profiles-${process.pid}`)
  const processes = new Map<string, ServerProcess>()
  for (const server of servers) {
    const nodeArgs = config.cpuProf.includes(server.id) ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []
    if (nodeArgs.length > 0) mkdirSync(profileDir, { recursive: true })
    const started = await startServer(join(ROOT, server.file), redisUrl === undefined ? {} : { REDIS_URL: redisUrl }, nodeArgs, cpus.server)
    processes.set(server.id, started)
    log(`(${server.id}) ${server.label} on port ${started.port}${nodeArgs.length > 0 ? ' (--cpu-prof)' : ''}`)
  }

  const results: Results = new Map()
  const requests = new Map<string, { url: string, headers: Record<string, string> }>()
  for (const server of servers) {
    const base = `http://127.0.0.1:${processes.get(server.id)!.port}`
    const credentials = await logIn(base, server)
    for (const { scenario } of pairs.filter((p) => p.server.id === server.id)) {
      const headers = headersFor(scenario, server, credentials)
      const { setsCookie } = await check(base, scenario, server, headers)
      requests.set(cellKey(scenario.id, server.id), { url: `${base}${scenario.path}`, headers })
      results.set(cellKey(scenario.id, server.id), { runs: [], setsCookie, warmupBad: 0 })
    }
  }
  log('every server answered every scenario as expected; measuring')

  async function load (scenario: Scenario, server: ServerSpec, duration: number): Promise<LoadResult> {
    const child = processes.get(server.id)!.child
    const cpuBefore = await cpuMicros(child)
    const timesBefore = readCpuTimes(cpus.server)
    const result = await runLoad({
      ...requests.get(cellKey(scenario.id, server.id))!,
      duration,
      connections: config.connections,
      expectStatus: scenario.expectStatus
    })
    result.steal = stealShare(timesBefore, readCpuTimes(cpus.server))
    result.cpuPerRequest = (await cpuMicros(child) - cpuBefore) / result.total
    return result
  }

  if (config.warmup > 0) {
    for (const { scenario, server } of pairs) {
      const result = await load(scenario, server, config.warmup)
      results.get(cellKey(scenario.id, server.id))!.warmupBad += result.bad
    }
  }
  let redone = 0
  let disturbed = 0
  for (let round = 1; round <= config.rounds; round++) {
    for (const scenario of scenarios) {
      // a b c d e f, then f e d c b a: a slow or fast stretch of the shared machine falls on
      // every server in turn rather than always on the last ones of a round
      const order = round % 2 === 1 ? scenario.servers : [...scenario.servers].reverse()
      for (let attempt = 0; ; attempt++) {
        const runs: Array<[ServerSpec, LoadResult]> = []
        for (const id of order) {
          const server = servers.find((s) => s.id === id)!
          const result = await load(scenario, server, config.duration)
          runs.push([server, result])
          log(`round ${round}/${config.rounds} ${scenario.id} (${id}): ${Math.round(result.requestsPerSecond)} req/s, ` +
            `p99 ${result.p99.toFixed(2)} ms, ${result.cpuPerRequest.toFixed(1)} µs CPU/req, ${(result.steal * 100).toFixed(0)}% stolen` +
            `${result.bad > 0 ? `, ${result.bad} unexpected (${JSON.stringify(result.statuses)})` : ''}`)
        }
        // a round during which the hypervisor took the server's CPU away measures the host, not
        // the code: measure the whole round again (every server of it, so the pairs stay pairs)
        const worst = Math.max(...runs.map(([, r]) => r.steal))
        if (worst > config.maxSteal && attempt < config.stealRetries) {
          redone++
          log(`round ${round}/${config.rounds} ${scenario.id}: ${(worst * 100).toFixed(0)}% of the server's CPU stolen ` +
            `(over BENCH_MAX_STEAL ${(config.maxSteal * 100).toFixed(0)}%): measuring this round again`)
          continue
        }
        if (worst > config.maxSteal) disturbed++
        for (const [server, result] of runs) results.get(cellKey(scenario.id, server.id))!.runs.push(result)
        break
      }
    }
  }

  const verdicts = targets(results)
  const unexpected = [...results.values()].reduce((sum, cell) => sum + cell.warmupBad + cell.runs.reduce((s, r) => s + r.bad, 0), 0)
  process.stdout.write([
    '',
    describeEnvironment(ROOT, redisBinary, cpus.description),
    `runs: ${config.rounds} rounds × ${config.duration} s per (server, scenario), ${config.warmup} s warm-up, ${config.connections} connections`,
    `rounds measured again because the hypervisor stole over ${(config.maxSteal * 100).toFixed(0)}% of the server's CPU: ${redone}; ` +
      `kept though still disturbed (after ${config.stealRetries} retries): ${disturbed}`,
    '',
    table(results),
    '',
    verdicts.length > 0 ? verdictTable(verdicts) : '(no target applies to the selected servers)',
    ''
  ].join('\n') + '\n')
  if (config.json !== undefined) writeFileSync(config.json, JSON.stringify(Object.fromEntries(results), null, 2))

  await stopAll()
  if (config.cpuProf.length > 0) log(`CPU profiles (written on server exit): ${profileDir}`)
  if (unexpected > 0) {
    log(`${unexpected} responses had an unexpected status or failed: the setup is broken, the table does not count`)
    return 1
  }
  if (config.strict && verdicts.some((v) => !v.holds)) return 2
  return 0
}

let finishing = false
/** Stops every child (servers, redis-server) and exits; the first caller wins. */
function finish (code: number, reason?: unknown): void {
  if (finishing) return
  finishing = true
  if (reason !== undefined) console.error(reason instanceof Error ? reason.message : reason)
  stopAll().finally(() => process.exit(code))
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => finish(130, `bench: ${signal}, stopping every server and redis-server`))
}
if (configErrors.length === 0) {
  setTimeout(() => finish(1, `bench: still running after ${deadlineSeconds} s, stopping (bounded run)`), deadlineSeconds * 1000).unref()
}

main().then((code) => finish(code), (err: unknown) => finish(1, err))
