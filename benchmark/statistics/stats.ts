// Pure statistics of the benchmark: median, quantiles, a seeded random generator and the bootstrap
// interval of a median. No I/O and no global state: the same input always gives the same output.

/** The median of `values`; NaN for none. */
export function median (values: readonly number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((x, y) => x - y)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * The `q` quantile (0..1) of values sorted ascending, interpolating linearly between the two
 * nearest ranks (the usual "type 7" definition); NaN for none.
 */
export function quantile (sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q))
  const below = Math.floor(position)
  const above = Math.min(sorted.length - 1, below + 1)
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below)
}

/**
 * A small seeded generator of numbers in [0, 1) (mulberry32): the same seed gives the same
 * sequence on every machine, so a data set always gets the same bootstrap interval.
 */
export function seededRandom (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface Interval {
  low: number
  high: number
}

export interface BootstrapOptions {
  /** How many resamples (10 000 by default in the runner). */
  resamples: number
  seed: number
  /** Coverage of the interval, e.g. 0.95. */
  level: number
}

/** The median of `scratch.length` values drawn from `values` with replacement (into `scratch`). */
function resampledMedian (values: readonly number[], random: () => number, scratch: Float64Array): number {
  for (let i = 0; i < scratch.length; i++) scratch[i] = values[Math.floor(random() * values.length)]!
  scratch.sort()
  const mid = scratch.length >> 1
  return scratch.length % 2 === 1 ? scratch[mid]! : (scratch[mid - 1]! + scratch[mid]!) / 2
}

/**
 * Percentile bootstrap interval of the median: `resamples` times, draw as many values as there
 * are (with replacement) and take their median; the interval spans the middle `level` of those
 * medians. NaN bounds for no values.
 */
export function bootstrapMedianInterval (values: readonly number[], options: BootstrapOptions): Interval {
  if (values.length === 0) return { low: NaN, high: NaN }
  const random = seededRandom(options.seed)
  const scratch = new Float64Array(values.length)
  const medians = new Float64Array(options.resamples)
  for (let i = 0; i < medians.length; i++) medians[i] = resampledMedian(values, random, scratch)
  medians.sort()
  const tail = (1 - options.level) / 2
  return { low: quantile(medians, tail), high: quantile(medians, 1 - tail) }
}
