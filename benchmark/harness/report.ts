// The tables of a run, as markdown: one row per (scenario, server) with medians over the rounds
// and the paired ratio to (b) with its interval, the session sizes per engine, and the verdict on
// every target.
import { median, type BootstrapOptions, type Interval } from '../statistics/stats.js'
import { MIN_ROUNDS, assessRatio } from '../statistics/verdict.js'
import { METRICS, cellKey, series, type Cell, type Metric, type Results } from '../statistics/results.js'
import type { ServerSpec } from '../fixtures/scenarios.js'
import type { ScenarioPlan } from './settings.js'
import type { SessionSize } from './session-size.js'
import type { TargetRow } from '../statistics/targets.js'
import type { RungRow, SumRow } from '../statistics/ladder.js'
import type { AllocationSummary } from '../statistics/allocations.js'

const fmt = (value: number, digits: number): string => Number.isFinite(value) ? value.toFixed(digits) : '—'
const percent = (share: number): string => Number.isFinite(share) ? `${(share * 100).toFixed(0)}%` : '—'
const int = (value: number): string => Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—'
const range = (interval: Interval, digits: number): string => `${fmt(interval.low, digits)}–${fmt(interval.high, digits)}`
const signed = (share: number): string => `${share >= 0 ? '+' : '−'}${Math.abs(share * 100).toFixed(1)}%`

/** The median over the rounds of one figure of a cell. */
const cellMedian = (cell: Cell, metric: Metric): number => median(cell.runs.map(METRICS[metric]))

/** "0.987 (0.951–1.020)": the paired median ratio of `id` to (b) and its interval. */
function ratioToB (results: Results, scenario: string, id: string, metric: Metric, bootstrap: BootstrapOptions): string {
  const xs = series(results, scenario, id, metric)
  const ys = series(results, scenario, 'b', metric)
  if (xs === undefined || ys === undefined) return '—'
  const { median: value, interval } = assessRatio(xs, ys, Infinity, bootstrap)
  return id === 'b' ? fmt(value, 3) : `${fmt(value, 3)} (${range(interval, 3)})`
}

export function resultsTable (results: Results, plans: readonly ScenarioPlan[], bootstrap: BootstrapOptions): string {
  const rows = [
    '| scenario | server | req/s | p50 ms | p99 ms | CPU µs/req | CPU ÷ (b) (95% interval) | p99 ÷ (b) (95% interval) | stolen | sets cookie | unexpected |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|:-:|--:|'
  ]
  for (const { scenario, servers } of plans) {
    for (const server of servers) {
      const cell = results.get(cellKey(scenario.id, server.id))
      if (cell === undefined || cell.runs.length === 0) continue
      const unexpected = cell.runs.reduce((sum, r) => sum + r.bad, 0) + cell.warmupBad
      rows.push(`| ${scenario.label} | (${server.id}) ${server.label} | ${int(cellMedian(cell, 'rps'))} | ` +
        `${fmt(median(cell.runs.map((r) => r.p50)), 2)} | ${fmt(cellMedian(cell, 'p99'), 2)} | ${fmt(cellMedian(cell, 'cpu'), 1)} | ` +
        `${ratioToB(results, scenario.id, server.id, 'cpu', bootstrap)} | ${ratioToB(results, scenario.id, server.id, 'p99', bootstrap)} | ` +
        `${percent(median(cell.runs.map((r) => r.steal)))} | ${cell.setsCookie ? 'yes' : 'no'} | ${unexpected} |`)
    }
  }
  return rows.join('\n')
}

export function sessionSizeTable (servers: readonly ServerSpec[], sizes: ReadonlyMap<string, SessionSize>): string {
  const rows = ['| server | engine | session cookie value (bytes) | stored session (bytes) | Redis commands of one logged-in request |', '|---|---|--:|--:|---|']
  for (const server of servers) {
    const size = sizes.get(server.id)
    if (size === undefined) continue
    rows.push(`| (${server.id}) ${server.label} | ${server.engine === 'session' ? '@fastify/session' : '@fastify/secure-session'} | ` +
      `${size.cookieBytes} | ${size.storedBytes === null ? '— (all in the cookie)' : size.storedBytes} | ${size.commands ?? '—'} |`)
  }
  return rows.join('\n')
}

function verdictCell (row: TargetRow): string {
  if (row.verdict === null) return `skipped: ${row.skipped ?? ''}`
  if (row.rounds !== null && row.rounds < MIN_ROUNDS) return `not shown (${row.rounds} paired rounds, ${MIN_ROUNDS} needed)`
  return row.verdict === 'holds' ? 'holds' : `**${row.verdict}**`
}

/** How far the interval (or the exact figure) lies from the bound: negative is on the right side. */
function margin (row: TargetRow): string {
  if (!Number.isFinite(row.value)) return '—'
  if (row.interval === null) return signed(row.value / row.bound - 1)
  return `${signed(row.interval.low / row.bound - 1)} … ${signed(row.interval.high / row.bound - 1)}`
}

export function verdictTable (rows: readonly TargetRow[]): string {
  return [
    '| target | rounds | median | 95% interval | bound | interval vs bound | verdict |',
    '|---|--:|--:|--:|--:|--:|---|',
    ...rows.map((row) => `| ${row.target} | ${row.rounds ?? '—'} | ${row.kind === 'cookie' ? int(row.value) : fmt(row.value, 3)} | ` +
      `${row.interval !== null ? range(row.interval, 3) : row.kind === 'cookie' && Number.isFinite(row.value) ? 'exact' : '—'} | ` +
      `${row.kind === 'cookie' ? `${row.bound} bytes` : row.bound.toFixed(2)} | ${margin(row)} | ${verdictCell(row)} |`)
  ].join('\n')
}

/** "+1.23" / "−0.45": a signed difference. */
const delta = (value: number, digits: number): string => Number.isFinite(value) ? `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}` : '—'

/**
 * The cost ladder, one row per (route, rung): the paired CPU ratio to the rung below and the
 * paired difference in µs, with their intervals, and the difference in bytes allocated per
 * request (whole process) when allocations were measured; then, per route, whether the chain's
 * rungs account for the whole.
 */
export function ladderTable (rows: readonly RungRow[], sums: readonly SumRow[], allocations: ReadonlyMap<string, AllocationSummary>): string {
  const bytes = (scenario: string, id: string): number => allocations.get(cellKey(scenario, id))?.totalPerRequest ?? NaN
  const own = (scenario: string, id: string): number => allocations.get(cellKey(scenario, id))?.ownPerRequest ?? NaN
  const lines = [
    '| route | rung | over | rounds | CPU ratio (95% interval) | CPU µs/req added (95% interval) | bytes/req added (whole process) | bytes/req in fastify-login\'s functions |',
    '|---|---|---|--:|--:|--:|--:|--:|',
    ...rows.map((row) => `| ${row.scenario} | (${row.rung.id}) ${row.rung.adds} | (${row.rung.below}) | ${row.rounds} | ` +
      `${fmt(row.ratio, 3)} (${range(row.ratioInterval, 3)}) | ${delta(row.micros, 1)} (${delta(row.microsInterval.low, 1)}…${delta(row.microsInterval.high, 1)}) | ` +
      `${delta(bytes(row.scenario, row.rung.id) - bytes(row.scenario, row.rung.below), 0)} | ${int(own(row.scenario, row.rung.id))} |`)
  ]
  if (sums.length === 0) return lines.join('\n')
  return [
    ...lines, '',
    '| route | chain | rounds | product of the rungs\' medians | measured directly (95% interval) | verdict |',
    '|---|---|--:|--:|--:|---|',
    ...sums.map((sum) => `| ${sum.scenario} | (${sum.from}) → (${sum.to}) | ${sum.rounds} | ${fmt(sum.product, 3)} | ` +
      `${fmt(sum.whole, 3)} (${range(sum.wholeInterval, 3)}) | ${sum.verdict === 'holds' ? 'holds' : `**${sum.verdict}**`} |`)
  ].join('\n')
}

/** Allocations per request per (route, server), with fastify-login's hottest allocating functions. */
export function allocationTable (plans: readonly ScenarioPlan[], allocations: ReadonlyMap<string, AllocationSummary>): string {
  const rows = [
    '| route | server | requests | bytes/req, whole process | in fastify-login\'s functions | with the V8 built-ins they call | where fastify-login allocates (bytes/req) |',
    '|---|---|--:|--:|--:|--:|---|'
  ]
  for (const { scenario, servers } of plans) {
    for (const server of servers) {
      const summary = allocations.get(cellKey(scenario.id, server.id))
      if (summary === undefined) continue
      const top = summary.top.slice(0, 4).map((f) => `\`${f.where}\` ${int(f.bytesPerRequest)}`).join('; ')
      rows.push(`| ${scenario.id} | (${server.id}) | ${summary.requests} | ${int(summary.totalPerRequest)} | ${int(summary.ownPerRequest)} | ` +
        `${int(summary.withBuiltinsPerRequest)} | ${top === '' ? '—' : top} |`)
    }
  }
  return rows.join('\n')
}
