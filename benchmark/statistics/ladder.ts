// The cost ladder: each rung is a server that adds one feature to the rung below it; its figure is
// the paired ratio of its CPU µs/req to that rung's (and the paired difference in µs), per route.
// The chain from (b) to (d) must account for the whole: the product of its rungs' median ratios
// should lie within the interval of (d) ÷ (b) measured directly. Pure: no I/O.
import type { ScenarioId } from '../fixtures/scenarios.js'
import { series, type Results } from './results.js'
import { assessRatio, MIN_ROUNDS, type RoundValue, type Verdict } from './verdict.js'
import { bootstrapMedianInterval, median, type BootstrapOptions, type Interval } from './stats.js'

export interface Rung {
  id: string
  /** The server this rung adds one feature to. */
  below: string
  /** What it adds. */
  adds: string
  /** Part of the chain from (b) to (d) whose product must explain (d) ÷ (b). */
  chain: boolean
}

export const LADDER_ROUTES: readonly ScenarioId[] = ['protected', 'public', 'anonymous-401']

export const LADDER: readonly Rung[] = [
  { id: 'd-min', below: 'b', adds: 'fastify-login with every optional feature off (sync userLoader, no protection, no requestLoader; Vary: Cookie included)', chain: true },
  { id: 'd-prot', below: 'd-min', adds: '+ session protection (basic)', chain: true },
  { id: 'd-async', below: 'd-prot', adds: '+ async userLoader', chain: true },
  { id: 'd', below: 'd-async', adds: '+ requestLoader (bearer token): (d), the defaults', chain: true },
  { id: 'd-fresh', below: 'd', adds: '+ freshFor', chain: false },
  { id: 'd-sessions', below: 'd', adds: '+ tracked sessions, memory store', chain: false },
  { id: 'd-sessions-redis', below: 'd', adds: '+ tracked sessions, Redis store', chain: false },
  { id: 'e-sessions-memory', below: 'e', adds: '(@fastify/session + Redis) + tracked sessions, memory store', chain: false },
  { id: 'e-sessions', below: 'e', adds: '(@fastify/session + Redis) + tracked sessions, Redis store', chain: false },
  // the like-for-like peer, built up the same way by hand
  { id: 'b-vary', below: 'b', adds: 'hand-written: + Vary: Cookie', chain: false },
  { id: 'b-like', below: 'b-vary', adds: 'hand-written: + identifier check + bearer check (the like-for-like peer)', chain: false },
  { id: 'd-sync', below: 'b-like', adds: 'fastify-login (d) with a sync userLoader over its like-for-like peer: the plugin\'s own overhead', chain: false },
  { id: 'd', below: 'b-like', adds: 'fastify-login (d) over its like-for-like peer', chain: false }
]

/** The servers the ladder measures (BENCH_LADDER=1), and the peers its targets name. */
export const LADDER_SERVERS: readonly string[] = [
  'b', 'b-vary', 'b-like', 'c', 'd-min', 'd-prot', 'd-async', 'd', 'd-sync', 'd-fresh',
  'd-sessions', 'd-sessions-redis', 'e', 'e-sessions-memory', 'e-sessions', 'f'
]

/** `x - y` for every round both were measured in (a run without requests gives none). */
export function pairedDifferences (xs: readonly RoundValue[], ys: readonly RoundValue[]): number[] {
  const byRound = new Map(ys.map((y) => [y.round, y.value]))
  return [...xs]
    .sort((a, b) => a.round - b.round)
    .map((x) => x.value - (byRound.get(x.round) ?? NaN))
    .filter((difference) => Number.isFinite(difference))
}

export interface RungRow {
  scenario: ScenarioId
  rung: Rung
  rounds: number
  ratio: number
  ratioInterval: Interval
  /** Median paired difference, CPU µs per request. */
  micros: number
  microsInterval: Interval
}

/** One row per (route, rung) measured; rungs whose servers were not both measured are left out. */
export function assessLadder (rungs: readonly Rung[], results: Results, routes: readonly ScenarioId[], bootstrap: BootstrapOptions): RungRow[] {
  const rows: RungRow[] = []
  for (const scenario of routes) {
    for (const rung of rungs) {
      const xs = series(results, scenario, rung.id, 'cpu')
      const ys = series(results, scenario, rung.below, 'cpu')
      if (xs === undefined || ys === undefined) continue
      const { rounds, median: ratio, interval } = assessRatio(xs, ys, Infinity, bootstrap)
      const differences = pairedDifferences(xs, ys)
      rows.push({ scenario, rung, rounds, ratio, ratioInterval: interval, micros: median(differences), microsInterval: bootstrapMedianInterval(differences, bootstrap) })
    }
  }
  return rows
}

/** Rounding slack of a product of ratios against a measured one. */
const EPSILON = 1e-9

export interface SumRow {
  scenario: ScenarioId
  /** The chain's first and last servers. */
  from: string
  to: string
  rounds: number
  /** The product of the chain's median rung ratios. */
  product: number
  /** (to) ÷ (from) measured directly: its median and interval. */
  whole: number
  wholeInterval: Interval
  /** holds: the product lies within the whole's interval; missed: outside it. */
  verdict: Verdict
}

/**
 * Whether the chain's rungs account for the whole on each route: the product of their median
 * ratios within the interval of the last rung's server over the first one's below. "not shown"
 * when a rung or the whole is missing, or has fewer than MIN_ROUNDS rounds.
 */
export function assessSum (rows: readonly RungRow[], rungs: readonly Rung[], results: Results, routes: readonly ScenarioId[], bootstrap: BootstrapOptions): SumRow[] {
  const chain = rungs.filter((rung) => rung.chain)
  if (chain.length === 0) return []
  const from = chain[0]!.below
  const to = chain[chain.length - 1]!.id
  return routes.flatMap((scenario) => {
    const steps = chain.map((rung) => rows.find((row) => row.scenario === scenario && row.rung === rung))
    const xs = series(results, scenario, to, 'cpu')
    const ys = series(results, scenario, from, 'cpu')
    if (xs === undefined || ys === undefined) return []
    const { rounds, median: whole, interval } = assessRatio(xs, ys, Infinity, bootstrap)
    const complete = steps.every((step) => step !== undefined && step.rounds >= MIN_ROUNDS)
    const product = complete ? steps.reduce((p, step) => p * step!.ratio, 1) : NaN
    const verdict: Verdict = !complete || rounds < MIN_ROUNDS
      ? 'not shown'
      : product >= interval.low * (1 - EPSILON) && product <= interval.high * (1 + EPSILON) ? 'holds' : 'missed'
    return [{ scenario, from, to, rounds, product, whole, wholeInterval: interval, verdict }]
  })
}
