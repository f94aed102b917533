// From the measured rounds to a verdict on one target "x ≤ max × y": the ratio of x to y in each
// round (both measured in that round, seconds apart), the median of those ratios, its bootstrap
// interval, and whether the whole interval lies below the bound. Pure: no I/O.
import { bootstrapMedianInterval, median, type BootstrapOptions, type Interval } from './stats.js'

/** One server's figure (CPU µs/req, p99 ms, …) in one measured round. */
export interface RoundValue {
  round: number
  value: number
}

/**
 * `x / y` for every round both were measured in, in round order. A round whose ratio is not a
 * finite positive number (a run that completed no request) is left out.
 */
export function pairedRatios (xs: readonly RoundValue[], ys: readonly RoundValue[]): number[] {
  const byRound = new Map(ys.map((y) => [y.round, y.value]))
  return [...xs]
    .sort((a, b) => a.round - b.round)
    .map((x) => x.value / (byRound.get(x.round) ?? NaN))
    .filter((ratio) => Number.isFinite(ratio) && ratio > 0)
}

export type Verdict = 'holds' | 'missed' | 'not shown'

/**
 * Fewer paired rounds than this give no verdict: with 5 or fewer, all of them fall on one side of
 * the true median by chance more often than 1 time in 20 (2 × 0.5^n), and an interval built from
 * them claims more than the data can show.
 */
export const MIN_ROUNDS = 6

/**
 * "holds" when the whole interval is at or below `max`, "missed" when it is wholly above, "not
 * shown" when it straddles the bound or there are fewer than MIN_ROUNDS rounds.
 */
export function verdict (interval: Interval, max: number, rounds: number): Verdict {
  if (rounds < MIN_ROUNDS || !Number.isFinite(interval.low) || !Number.isFinite(interval.high)) return 'not shown'
  if (interval.high <= max) return 'holds'
  if (interval.low > max) return 'missed'
  return 'not shown'
}

export interface Assessment {
  /** Paired rounds the figures come from. */
  rounds: number
  median: number
  interval: Interval
  verdict: Verdict
}

/** The paired ratios of x to y, their median, its interval and the verdict on `ratio ≤ max`. */
export function assessRatio (xs: readonly RoundValue[], ys: readonly RoundValue[], max: number, options: BootstrapOptions): Assessment {
  const ratios = pairedRatios(xs, ys)
  const interval = bootstrapMedianInterval(ratios, options)
  return { rounds: ratios.length, median: median(ratios), interval, verdict: verdict(interval, max, ratios.length) }
}
