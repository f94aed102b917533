// Turns the measured runs into the table and the verdict on the targets. Each ratio is
// the median, over the rounds, of the ratio between two servers measured in the same round, so a
// noisy moment on the shared machine weighs on one pair of runs only.
import type { LoadResult } from './load.js'
import { SCENARIOS, SERVERS, type Scenario, type ServerId } from './scenarios.js'

export interface Cell {
  runs: LoadResult[]
  setsCookie: boolean
  warmupBad: number
}

export type Results = Map<string, Cell>

export const cellKey = (scenario: string, server: ServerId): string => `${scenario}/${server}`

export function median (values: readonly number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((x, y) => x - y)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Median over rounds of `metric(x) / metric(y)`, pairing the runs of the same round. */
export function pairedRatio (results: Results, scenario: string, x: ServerId, y: ServerId, metric: (r: LoadResult) => number): number {
  const xs = results.get(cellKey(scenario, x))?.runs
  const ys = results.get(cellKey(scenario, y))?.runs
  if (xs === undefined || ys === undefined) return NaN
  const n = Math.min(xs.length, ys.length)
  return median(Array.from({ length: n }, (_, i) => metric(xs[i]!) / metric(ys[i]!)))
}

const rps = (r: LoadResult): number => r.requestsPerSecond
const p99 = (r: LoadResult): number => r.p99
const cpu = (r: LoadResult): number => r.cpuPerRequest

const fmt = (value: number, digits: number): string => Number.isFinite(value) ? value.toFixed(digits) : '—'
const percent = (share: number): string => Number.isFinite(share) ? `${(share * 100).toFixed(0)}%` : '—'
const int = (value: number): string => Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—'

export function table (results: Results): string {
  const rows = [
    '| scenario | server | req/s (median) | p50 ms | p99 ms | CPU µs/req | req/s ÷ (b) | p99 ÷ (b) | CPU ÷ (b) | stolen | sets cookie | unexpected |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|:-:|--:|'
  ]
  for (const scenario of SCENARIOS) {
    const hasB = scenario.servers.includes('b')
    for (const id of scenario.servers) {
      const cell = results.get(cellKey(scenario.id, id))
      if (cell === undefined || cell.runs.length === 0) continue
      const server = SERVERS.find((s) => s.id === id)!
      const unexpected = cell.runs.reduce((sum, r) => sum + r.bad, 0)
      rows.push(`| ${scenario.label} | (${id}) ${server.label} | ${int(median(cell.runs.map(rps)))} | ` +
        `${fmt(median(cell.runs.map((r) => r.p50)), 2)} | ${fmt(median(cell.runs.map(p99)), 2)} | ` +
        `${fmt(median(cell.runs.map(cpu)), 1)} | ` +
        `${hasB ? fmt(pairedRatio(results, scenario.id, id, 'b', rps), 3) : '—'} | ` +
        `${hasB ? fmt(pairedRatio(results, scenario.id, id, 'b', p99), 3) : '—'} | ` +
        `${hasB ? fmt(pairedRatio(results, scenario.id, id, 'b', cpu), 3) : '—'} | ` +
        `${percent(median(cell.runs.map((r) => r.steal)))} | ` +
        `${cell.setsCookie ? 'yes' : 'no'} | ${unexpected + cell.warmupBad} |`)
    }
  }
  return rows.join('\n')
}

export interface Verdict {
  target: string
  /** The paired median ratio: the figure the target is judged on. */
  value: number
  /** Ratio of each server's best run (highest req/s, lowest p99): interference only slows a run down. */
  best: number
  holds: boolean
}

function shared (x: ServerId, y: ServerId): Scenario[] {
  return SCENARIOS.filter((s) => s.servers.includes(x) && s.servers.includes(y))
}

/** Ratio of the best runs of two servers: `pick` chooses the best value among a server's runs. */
function bestRatio (results: Results, scenario: string, x: ServerId, y: ServerId, metric: (r: LoadResult) => number, pick: (...values: number[]) => number): number {
  const xs = results.get(cellKey(scenario, x))?.runs ?? []
  const ys = results.get(cellKey(scenario, y))?.runs ?? []
  if (xs.length === 0 || ys.length === 0) return NaN
  return pick(...xs.map(metric)) / pick(...ys.map(metric))
}

/** The targets, each checked on every scenario the two servers share where it applies. */
export function targets (results: Results): Verdict[] {
  const verdicts: Verdict[] = []
  const throughput = (scenario: string, x: ServerId, y: ServerId, min: number): void => {
    const value = pairedRatio(results, scenario, x, y, rps)
    if (!Number.isFinite(value)) return
    verdicts.push({ target: `${scenario}: req/s (${x}) ≥ ${min.toFixed(2)} × (${y})`, value, best: bestRatio(results, scenario, x, y, rps, Math.max), holds: value >= min })
  }
  const latency = (scenario: string, x: ServerId, y: ServerId, max: number): void => {
    const value = pairedRatio(results, scenario, x, y, p99)
    if (!Number.isFinite(value)) return
    verdicts.push({ target: `${scenario}: p99 (${x}) ≤ ${max.toFixed(2)} × (${y})`, value, best: bestRatio(results, scenario, x, y, p99, Math.min), holds: value <= max })
  }
  throughput('protected', 'd', 'b', 0.95)
  throughput('protected', 'd', 'c', 1.0)
  throughput('public', 'd', 'b', 0.98)
  for (const s of shared('e', 'f')) throughput(s.id, 'e', 'f', 1.0)
  for (const s of shared('d', 'b')) latency(s.id, 'd', 'b', 1.1)
  return verdicts
}

export function verdictTable (verdicts: readonly Verdict[]): string {
  return ['| target | measured (paired median) | best run ÷ best run | holds |', '|---|--:|--:|:-:|',
    ...verdicts.map((v) => `| ${v.target} | ${v.value.toFixed(3)} | ${fmt(v.best, 3)} | ${v.holds ? 'yes' : '**no**'} |`)].join('\n')
}
