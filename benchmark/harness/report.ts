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
  const rows = ['| server | engine | session cookie value (bytes) | stored session (bytes) |', '|---|---|--:|--:|']
  for (const server of servers) {
    const size = sizes.get(server.id)
    if (size === undefined) continue
    rows.push(`| (${server.id}) ${server.label} | ${server.engine === 'session' ? '@fastify/session' : '@fastify/secure-session'} | ` +
      `${size.cookieBytes} | ${size.storedBytes === null ? '— (all in the cookie)' : size.storedBytes} |`)
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
