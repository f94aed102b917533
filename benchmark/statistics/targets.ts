// The targets the benchmark judges (issue 12, and the tracked sessions of the next issue), and
// how each becomes a row of the verdict table. A target names its servers by id: one whose
// server is not in SERVERS yet is listed as "scenario not present" rather than dropped.
import { SERVERS, type ScenarioId } from '../fixtures/scenarios.js'
import { series, type Results } from './results.js'
import { assessRatio, type Verdict } from './verdict.js'
import type { BootstrapOptions, Interval } from './stats.js'
import type { SessionSize } from '../harness/session-size.js'

/** "the figure of x ≤ max × the figure of y", on one scenario, paired by round. */
export interface RatioTarget {
  kind: 'ratio'
  scenario: ScenarioId
  x: string
  y: string
  metric: 'cpu' | 'p99'
  max: number
}

/** "the session cookie a logged-in user of `server` carries is at most maxBytes long". */
export interface CookieTarget {
  kind: 'cookie'
  server: string
  maxBytes: number
}

export type Target = RatioTarget | CookieTarget

const cpu = (scenario: ScenarioId, x: string, y: string, max: number): RatioTarget => ({ kind: 'ratio', scenario, x, y, metric: 'cpu', max })
const p99 = (scenario: ScenarioId, x: string, y: string, max: number): RatioTarget => ({ kind: 'ratio', scenario, x, y, metric: 'p99', max })
const CHECKED: readonly ScenarioId[] = ['public', 'protected', 'anonymous-401']

export const TARGETS: readonly Target[] = [
  cpu('protected', 'd', 'b', 1.05),
  cpu('protected', 'd', 'c', 1.00),
  cpu('public', 'd', 'b', 1.02),
  cpu('anonymous-401', 'd', 'b', 1.02),
  ...CHECKED.map((scenario) => cpu(scenario, 'e', 'f', 1.00)),
  ...CHECKED.map((scenario) => p99(scenario, 'd', 'b', 1.10)),
  { kind: 'cookie', server: 'd', maxBytes: 180 },
  // tracked sessions (next issue): (d) with `sessions` on the memory store, (e) with `sessions`
  // on the Redis store, each against the same server without `sessions`
  cpu('protected', 'd-sessions', 'd', 1.05),
  cpu('protected', 'd-sessions-redis', 'd', 1.30),
  cpu('protected', 'e-sessions', 'e', 1.30),
  // issue 22: the synchronous loader against the hand-written check, the public and 401 routes
  // against the like-for-like peer (statistics/ladder.ts), the memory store on @fastify/session
  cpu('protected', 'd-sync', 'b', 1.05),
  cpu('public', 'd', 'b-like', 1.02),
  cpu('anonymous-401', 'd', 'b-like', 1.02),
  cpu('protected', 'e-sessions-memory', 'e', 1.05)
]

export interface TargetRow {
  target: string
  kind: Target['kind']
  /** Paired rounds (ratio targets), null otherwise. */
  rounds: number | null
  /** The median paired ratio, or the measured size in bytes. */
  value: number
  /** The bootstrap interval of the median ratio; null for an exact figure (a cookie's size). */
  interval: Interval | null
  bound: number
  verdict: Verdict | null
  /** Why a target was not judged (verdict null). */
  skipped?: string
}

const METRIC_LABEL = { cpu: 'CPU µs/req', p99: 'p99' } as const

export function describe (target: Target): string {
  if (target.kind === 'cookie') return `logged-in session cookie of (${target.server}) ≤ ${target.maxBytes} bytes`
  return `${target.scenario}: ${METRIC_LABEL[target.metric]} (${target.x}) ≤ ${target.max.toFixed(2)} × (${target.y})`
}

const NOT_PRESENT = 'scenario not present'
const NOT_MEASURED = 'not measured in this run (BENCH_SERVERS / BENCH_SCENARIOS)'

/** Whether every server a target names exists and answers its scenario. */
function present (target: Target): boolean {
  if (target.kind === 'cookie') return SERVERS.some((s) => s.id === target.server)
  return [target.x, target.y].every((id) => SERVERS.some((s) => s.id === id && s.scenarios.includes(target.scenario)))
}

function skipped (target: Target, reason: string): TargetRow {
  const bound = target.kind === 'cookie' ? target.maxBytes : target.max
  return { target: describe(target), kind: target.kind, rounds: null, value: NaN, interval: null, bound, verdict: null, skipped: reason }
}

function assessCookie (target: CookieTarget, sizes: ReadonlyMap<string, SessionSize>): TargetRow {
  const size = sizes.get(target.server)
  if (size === undefined) return skipped(target, NOT_MEASURED)
  const verdict = size.cookieBytes <= target.maxBytes ? 'holds' : 'missed'
  return { target: describe(target), kind: 'cookie', rounds: null, value: size.cookieBytes, interval: null, bound: target.maxBytes, verdict }
}

function assessPaired (target: RatioTarget, results: Results, bootstrap: BootstrapOptions): TargetRow {
  const xs = series(results, target.scenario, target.x, target.metric)
  const ys = series(results, target.scenario, target.y, target.metric)
  if (xs === undefined || ys === undefined) return skipped(target, NOT_MEASURED)
  const { rounds, median, interval, verdict } = assessRatio(xs, ys, target.max, bootstrap)
  return { target: describe(target), kind: 'ratio', rounds, value: median, interval, bound: target.max, verdict }
}

/** One row per target, in the order of `targets`. */
export function assessTargets (targets: readonly Target[], results: Results, sizes: ReadonlyMap<string, SessionSize>, bootstrap: BootstrapOptions): TargetRow[] {
  return targets.map((target) => {
    if (!present(target)) return skipped(target, NOT_PRESENT)
    return target.kind === 'cookie' ? assessCookie(target, sizes) : assessPaired(target, results, bootstrap)
  })
}
