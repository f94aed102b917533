// The runner's settings from the environment (every BENCH_* variable, checked before anything
// starts), the (scenario, server) pairs they select, and how long the run will take.
import { SCENARIOS, SERVERS, type Scenario, type ServerSpec } from '../fixtures/scenarios.js'
import { LADDER_ROUTES, LADDER_SERVERS } from '../statistics/ladder.js'

export interface Settings {
  /** Seconds of each measured run. */
  duration: number
  /** Seconds of the warm-up run of each pair (0: none). */
  warmup: number
  rounds: number
  connections: number
  servers: string[] | null
  scenarios: string[] | null
  cpuProf: string[]
  /** Share (0..1) of the server CPU's time stolen above which a round is measured again. */
  maxSteal: number
  /** How many times one disturbed round is measured again. */
  stealRetries: number
  /** Seconds the run may spend in total on measuring disturbed rounds again. */
  retryBudget: number
  /** Bootstrap resamples per interval. */
  bootstrap: number
  seed: number
  json: string | undefined
  report: string | undefined
  strict: boolean
  /** BENCH_LADDER=1: the cost ladder's servers and routes unless BENCH_SERVERS / BENCH_SCENARIOS say otherwise. */
  ladder: boolean
  /** Requests per (scenario, server) of the allocation measurement (0: none). */
  alloc: number
}

function numberFrom (env: NodeJS.ProcessEnv, errors: string[], name: string, fallback: number, min: number, integer = false): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    errors.push(`${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(raw)}`)
  }
  return value
}

function listFrom (env: NodeJS.ProcessEnv, errors: string[], name: string, known: readonly string[]): string[] | null {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return null
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean)
  const unknown = list.filter((item) => !known.includes(item))
  if (unknown.length > 0) errors.push(`${name}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`)
  return list
}

const text = (env: NodeJS.ProcessEnv, name: string): string | undefined => env[name] === '' ? undefined : env[name]

/** The settings, and every bad value found (the runner refuses to start when there is one). */
export function readSettings (env: NodeJS.ProcessEnv): { settings: Settings, errors: string[] } {
  const errors: string[] = []
  const serverIds = SERVERS.map((s) => s.id)
  const ladder = env.BENCH_LADDER === '1'
  const settings: Settings = {
    duration: numberFrom(env, errors, 'BENCH_DURATION', 2, 1),
    warmup: numberFrom(env, errors, 'BENCH_WARMUP', 1, 0),
    rounds: numberFrom(env, errors, 'BENCH_ROUNDS', 15, 1, true),
    connections: numberFrom(env, errors, 'BENCH_CONNECTIONS', 50, 1, true),
    servers: listFrom(env, errors, 'BENCH_SERVERS', serverIds) ?? (ladder ? [...LADDER_SERVERS] : null),
    scenarios: listFrom(env, errors, 'BENCH_SCENARIOS', SCENARIOS.map((s) => s.id)) ?? (ladder ? [...LADDER_ROUTES] : null),
    cpuProf: listFrom(env, errors, 'BENCH_CPU_PROF', serverIds) ?? [],
    maxSteal: numberFrom(env, errors, 'BENCH_MAX_STEAL', 5, 0) / 100,
    stealRetries: numberFrom(env, errors, 'BENCH_STEAL_RETRIES', 2, 0, true),
    retryBudget: numberFrom(env, errors, 'BENCH_RETRY_BUDGET', 90, 0),
    bootstrap: numberFrom(env, errors, 'BENCH_BOOTSTRAP', 10_000, 100, true),
    seed: numberFrom(env, errors, 'BENCH_SEED', 1, 0, true),
    json: text(env, 'BENCH_JSON'),
    report: text(env, 'BENCH_REPORT'),
    strict: env.BENCH_STRICT === '1',
    ladder,
    alloc: numberFrom(env, errors, 'BENCH_ALLOC', ladder ? 5000 : 0, 0, true)
  }
  return { settings, errors }
}

/** One scenario of the run and the selected servers that answer it, in SERVERS order. */
export interface ScenarioPlan {
  scenario: Scenario
  servers: ServerSpec[]
}

export interface Plan {
  servers: ServerSpec[]
  scenarios: ScenarioPlan[]
  pairs: number
}

export function plan (settings: Settings): Plan {
  const servers = SERVERS.filter((s) => settings.servers === null || settings.servers.includes(s.id))
  const scenarios = SCENARIOS
    .filter((s) => settings.scenarios === null || settings.scenarios.includes(s.id))
    .map((scenario) => ({ scenario, servers: servers.filter((s) => s.scenarios.includes(scenario.id)) }))
    .filter((s) => s.servers.length > 0)
  return {
    servers: servers.filter((server) => scenarios.some((s) => s.servers.includes(server))),
    scenarios,
    pairs: scenarios.reduce((sum, s) => sum + s.servers.length, 0)
  }
}

/** Seconds per load run beyond its duration (autocannon start, the CPU-time reads over IPC). */
const RUN_OVERHEAD = 0.2
/** Seconds to start every server and redis-server, log in and check each scenario. */
const START_UP = 30

/** Seconds per allocation measurement beyond its requests (profile transfer and summing). */
const ALLOC_OVERHEAD = 1
/** Requests per second of a server under the heap profiler, for the estimate (a low guess). */
const ALLOC_RATE = 3000

/** The planned length of a run without re-measured rounds, in seconds. */
export function estimateSeconds (settings: Settings, { pairs }: Plan): number {
  const runs = pairs * ((settings.warmup > 0 ? 1 : 0) + settings.rounds)
  const alloc = settings.alloc > 0 ? pairs * (settings.alloc / ALLOC_RATE + ALLOC_OVERHEAD) : 0
  return pairs * (settings.warmup + settings.rounds * settings.duration) + runs * RUN_OVERHEAD + START_UP + alloc
}
