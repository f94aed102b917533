// `npm run bench`: every benchmark server in its own process, autocannon against each (scenario,
// server) in short interleaved rounds, and the verdict on every target: the paired ratio of the
// server's CPU time per request in each round, the median of those ratios and its bootstrap
// interval. The BENCH_* variables are read and checked in harness/settings.ts and described in
// benchmark/README.md.
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { runLoad, type LoadResult } from './harness/load.js'
import { cpuMicros, findRedisServer, startRedis, startServer, stopAll, type ServerProcess } from './harness/processes.js'
import { check, headersFor, logIn, type Scenario, type ServerSpec } from './fixtures/scenarios.js'
import { cellKey, type Results } from './statistics/results.js'
import { estimateSeconds, plan, readSettings } from './harness/settings.js'
import { measureRounds, type RoundStats } from './harness/rounds.js'
import { measureSessionSizes, type SessionSize } from './harness/session-size.js'
import { TARGETS, assessTargets, type TargetRow } from './statistics/targets.js'
import { allocationTable, ladderTable, resultsTable, sessionSizeTable, verdictTable } from './harness/report.js'
import { LADDER, LADDER_ROUTES, assessLadder, assessSum } from './statistics/ladder.js'
import { measureAllocations } from './harness/allocations.js'
import type { AllocationSummary } from './statistics/allocations.js'
import { describeEnvironment } from './harness/environment.js'
import { pinCpus, type CpuPlan } from './harness/cpu-pinning.js'
import { readCpuTimes, stealShare } from './harness/steal.js'

const ROOT = resolve(__dirname, '..')
const { settings, errors } = readSettings(process.env)
const selected = plan(settings)
const estimated = estimateSeconds(settings, selected)
// every round may be measured again within BENCH_RETRY_BUDGET; past this the run is stopped
const deadlineSeconds = Math.ceil(estimated * 1.5 + settings.retryBudget * 1.5 + 120)
const bootstrap = { resamples: settings.bootstrap, seed: settings.seed, level: 0.95 }

const log = (message: string): void => { process.stderr.write(`bench: ${message}\n`) }

type Request = { url: string, headers: Record<string, string> }

async function startServers (cpus: CpuPlan, redisUrl: string | undefined, profileDir: string): Promise<Map<string, ServerProcess>> {
  const processes = new Map<string, ServerProcess>()
  for (const server of selected.servers) {
    const nodeArgs = settings.cpuProf.includes(server.id) ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []
    if (nodeArgs.length > 0) mkdirSync(profileDir, { recursive: true })
    const env = { ...server.env, ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl }) }
    const started = await startServer(join(ROOT, server.file), env, nodeArgs, cpus.server)
    processes.set(server.id, started)
    log(`(${server.id}) ${server.label} on port ${started.port}${nodeArgs.length > 0 ? ' (--cpu-prof)' : ''}`)
  }
  return processes
}

const baseOf = (processes: Map<string, ServerProcess>, server: ServerSpec): string => `http://127.0.0.1:${processes.get(server.id)!.port}`

/** Logs in on every server, checks every scenario once, and prepares the cells and requests. */
async function prepare (processes: Map<string, ServerProcess>, results: Results, requests: Map<string, Request>): Promise<void> {
  for (const server of selected.servers) {
    const base = baseOf(processes, server)
    const credentials = await logIn(base, server)
    for (const { scenario } of selected.scenarios.filter((s) => s.servers.includes(server))) {
      const headers = headersFor(scenario, server, credentials)
      const { setsCookie } = await check(base, scenario, server, headers)
      requests.set(cellKey(scenario.id, server.id), { url: `${base}${scenario.path}`, headers })
      results.set(cellKey(scenario.id, server.id), { runs: [], setsCookie, warmupBad: 0 })
    }
  }
}

/** One load run with the server's CPU time and the steal of its CPU read around it. */
function loader (processes: Map<string, ServerProcess>, requests: Map<string, Request>, cpus: CpuPlan) {
  return async (scenario: Scenario, server: ServerSpec, duration: number): Promise<LoadResult> => {
    const child = processes.get(server.id)!.child
    const cpuBefore = await cpuMicros(child)
    const timesBefore = readCpuTimes(cpus.server)
    const result = await runLoad({ ...requests.get(cellKey(scenario.id, server.id))!, duration, connections: settings.connections, expectStatus: scenario.expectStatus })
    result.steal = stealShare(timesBefore, readCpuTimes(cpus.server))
    result.cpuPerRequest = (await cpuMicros(child) - cpuBefore) / result.total
    return result
  }
}

interface Outcome {
  environment: string
  results: Results
  sizes: Map<string, SessionSize>
  rows: TargetRow[]
  stats: RoundStats
  allocations: Map<string, AllocationSummary>
}

/** The ladder's tables when any rung was measured, and the allocations when measured. */
function ladderAndAllocations (results: Results, allocations: Map<string, AllocationSummary>): string[] {
  const rungs = assessLadder(LADDER, results, LADDER_ROUTES, bootstrap)
  const parts: string[] = []
  if (rungs.length > 0) parts.push('', '### The cost ladder', '', ladderTable(rungs, assessSum(rungs, LADDER, results, LADDER_ROUTES, bootstrap), allocations))
  if (allocations.size > 0) {
    parts.push('', `### Allocations per request (sampling heap profile, ${settings.alloc} requests per row)`, '', allocationTable(selected.scenarios, allocations))
  }
  return parts
}

function document ({ environment, results, sizes, rows, stats, allocations }: Outcome): string {
  return [
    environment.split('\n').map((line) => `- ${line}`).join('\n'),
    `- runs: ${settings.rounds} rounds × ${settings.duration} s per (scenario, server), ${settings.warmup} s warm-up, ` +
      `${settings.connections} connections; intervals: 95%, ${settings.bootstrap} bootstrap resamples over rounds, seed ${settings.seed}`,
    `- rounds measured again because the hypervisor stole over ${(settings.maxSteal * 100).toFixed(0)}% of the server's CPU: ` +
      `${stats.redone}; kept though still disturbed: ${stats.disturbed}`,
    '', resultsTable(results, selected.scenarios, bootstrap),
    '', sessionSizeTable(selected.servers, sizes),
    '', verdictTable(rows),
    ...ladderAndAllocations(results, allocations), ''
  ].join('\n')
}

/** BENCH_ALLOC requests per (scenario, server) under the sampling heap profiler, after the rounds. */
async function allocationsOf (processes: Map<string, ServerProcess>, requests: Map<string, Request>): Promise<Map<string, AllocationSummary>> {
  const allocations = new Map<string, AllocationSummary>()
  if (settings.alloc === 0) return allocations
  for (const { scenario, servers } of selected.scenarios) {
    for (const server of servers) {
      const request = requests.get(cellKey(scenario.id, server.id))!
      const run = { child: processes.get(server.id)!.child, ...request, requests: settings.alloc, expectStatus: scenario.expectStatus }
      const { bad, ...summary } = await measureAllocations(run, ROOT)
      if (bad > 0) throw new Error(`(${server.id}) ${scenario.label}: ${bad} unexpected responses while measuring allocations`)
      allocations.set(cellKey(scenario.id, server.id), summary)
      log(`allocations ${scenario.id} (${server.id}): ${Math.round(summary.totalPerRequest)} bytes/req, ` +
        `${Math.round(summary.ownPerRequest)} in fastify-login's functions`)
    }
  }
  return allocations
}

async function main (): Promise<number> {
  if (errors.length > 0) throw new Error(`bench: ${errors.join('; ')}`)
  if (selected.pairs === 0) throw new Error('bench: BENCH_SERVERS / BENCH_SCENARIOS select nothing to measure')
  log(`${selected.pairs} (scenario, server) pairs × ${settings.rounds} rounds of ${settings.duration} s, ${settings.warmup} s warm-up each, ` +
    `${settings.connections} connections: about ${Math.ceil(estimated / 60)} min, up to ${Math.ceil(settings.retryBudget / 60)} more for ` +
    `disturbed rounds (load average now ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores)`)
  const cpus = pinCpus()
  log(`CPUs: ${cpus.description}`)
  const redisBinary = selected.servers.some((s) => s.redis) ? findRedisServer() : null
  const redisUrl = redisBinary === null ? undefined : await startRedis(redisBinary, cpus.client)
  if (redisUrl !== undefined) log(`redis-server at ${redisUrl}`)
  const profileDir = join(tmpdir(), `fastify-login-bench-profiles-${process.pid}`)
  const processes = await startServers(cpus, redisUrl, profileDir)

  const results: Results = new Map()
  const requests = new Map<string, Request>()
  await prepare(processes, results, requests)
  const sizes = await measureSessionSizes(selected.servers.map((server) => ({ server, base: baseOf(processes, server) })), redisUrl)
  log('every server answered every scenario as expected; measuring')

  const measure = loader(processes, requests, cpus)
  if (settings.warmup > 0) {
    for (const { scenario, servers } of selected.scenarios) {
      for (const server of servers) results.get(cellKey(scenario.id, server.id))!.warmupBad += (await measure(scenario, server, settings.warmup)).bad
    }
  }
  const stats = await measureRounds(selected.scenarios, settings, measure, (scenario, server, run, round) => {
    results.get(cellKey(scenario.id, server.id))!.runs.push({ ...run, round })
  })

  const allocations = await allocationsOf(processes, requests)
  const rows = assessTargets(TARGETS, results, sizes, bootstrap)
  const text = document({ environment: describeEnvironment(ROOT, redisBinary, cpus.description), results, sizes, rows, stats, allocations })
  process.stdout.write(`\n${text}`)
  if (settings.report !== undefined) writeFileSync(settings.report, text)
  if (settings.json !== undefined) {
    writeFileSync(settings.json, JSON.stringify({
      settings, runs: Object.fromEntries(results), sessionSizes: Object.fromEntries(sizes), targets: rows, allocations: Object.fromEntries(allocations)
    }, null, 2))
  }

  await stopAll()
  if (settings.cpuProf.length > 0) log(`CPU profiles (written on server exit): ${profileDir}`)
  const unexpected = [...results.values()].reduce((sum, cell) => sum + cell.warmupBad + cell.runs.reduce((s, r) => s + r.bad, 0), 0)
  if (unexpected > 0) {
    log(`${unexpected} responses had an unexpected status or failed: the setup is broken, the table does not count`)
    return 1
  }
  const missed = rows.filter((row) => row.verdict === 'missed')
  if (settings.strict && missed.length > 0) {
    log(`BENCH_STRICT=1: ${missed.length} target(s) missed: ${missed.map((row) => row.target).join('; ')}`)
    return 2
  }
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
if (errors.length === 0) {
  setTimeout(() => finish(1, `bench: still running after ${deadlineSeconds} s, stopping (bounded run)`), deadlineSeconds * 1000).unref()
}

main().then((code) => finish(code), (err: unknown) => finish(1, err))
