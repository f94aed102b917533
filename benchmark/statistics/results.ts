// The measured runs, kept per (scenario, server) cell with the round each belongs to, and the
// per-round series of one figure that the ratios and verdicts are computed from.
import type { LoadResult } from '../harness/load.js'
import type { RoundValue } from './verdict.js'

/** One measured run, in the round it belongs to (1-based). */
export interface Run extends LoadResult {
  round: number
}

export interface Cell {
  runs: Run[]
  setsCookie: boolean
  /** Unexpected responses during the warm-up run. */
  warmupBad: number
}

export type Results = Map<string, Cell>

export const cellKey = (scenario: string, server: string): string => `${scenario}/${server}`

/** The figures a ratio can be taken of. CPU µs/req is the judged one. */
export type Metric = 'cpu' | 'p99' | 'rps'

export const METRICS: Readonly<Record<Metric, (run: LoadResult) => number>> = {
  cpu: (run) => run.cpuPerRequest,
  p99: (run) => run.p99,
  rps: (run) => run.requestsPerSecond
}

/** One figure of a cell, per round; undefined when the cell was not measured. */
export function series (results: Results, scenario: string, server: string, metric: Metric): RoundValue[] | undefined {
  const runs = results.get(cellKey(scenario, server))?.runs
  if (runs === undefined || runs.length === 0) return undefined
  return runs.map((run) => ({ round: run.round, value: METRICS[metric](run) }))
}
