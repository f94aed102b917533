// The measured rounds. Each round runs every selected scenario; within a scenario every server
// answers in turn, in an order that rotates from round to round, so that each server takes every
// position equally often and the two servers of a ratio are measured seconds apart. A round during
// which the hypervisor took the server's CPU away is measured again (every server of it, so the
// pairs stay pairs), within a per-round and a whole-run limit.
import type { LoadResult } from './load.js'
import type { Scenario, ServerSpec } from '../fixtures/scenarios.js'
import type { ScenarioPlan } from './settings.js'

/** `items` rotated left by `round - 1` places (round 1: as given). */
export function roundOrder<T> (items: readonly T[], round: number): T[] {
  if (items.length === 0) return []
  const shift = (round - 1) % items.length
  return [...items.slice(shift), ...items.slice(0, shift)]
}

export interface RoundOptions {
  rounds: number
  duration: number
  maxSteal: number
  stealRetries: number
  /** Seconds the whole run may spend on measuring disturbed rounds again. */
  retryBudget: number
}

export type Measure = (scenario: Scenario, server: ServerSpec, duration: number) => Promise<LoadResult>
export type Recorder = (scenario: Scenario, server: ServerSpec, run: LoadResult, round: number) => void

export interface RoundStats {
  /** Scenario rounds measured again because of steal. */
  redone: number
  /** Scenario rounds kept although over the steal limit (retries or budget spent). */
  disturbed: number
}

const log = (message: string): void => { process.stderr.write(`bench: ${message}\n`) }

function describeRun (label: string, result: LoadResult): string {
  return `${label}: ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99.toFixed(2)} ms, ` +
    `${result.cpuPerRequest.toFixed(1)} µs CPU/req, ${(result.steal * 100).toFixed(0)}% stolen` +
    `${result.bad > 0 ? `, ${result.bad} unexpected (${JSON.stringify(result.statuses)})` : ''}`
}

/** One attempt at a scenario's round: every server once, in the round's order. */
async function attempt (plan: ScenarioPlan, round: number, options: RoundOptions, measure: Measure): Promise<Array<[ServerSpec, LoadResult]>> {
  const runs: Array<[ServerSpec, LoadResult]> = []
  for (const server of roundOrder(plan.servers, round)) {
    const result = await measure(plan.scenario, server, options.duration)
    runs.push([server, result])
    log(describeRun(`round ${round}/${options.rounds} ${plan.scenario.id} (${server.id})`, result))
  }
  return runs
}

export async function measureRounds (plans: readonly ScenarioPlan[], options: RoundOptions, measure: Measure, record: Recorder): Promise<RoundStats> {
  const stats: RoundStats = { redone: 0, disturbed: 0 }
  let retrySeconds = 0
  for (let round = 1; round <= options.rounds; round++) {
    for (const plan of plans) {
      for (let retry = 0; ; retry++) {
        const started = Date.now()
        const runs = await attempt(plan, round, options, measure)
        const worst = Math.max(...runs.map(([, r]) => Number.isNaN(r.steal) ? 0 : r.steal))
        const disturbed = worst > options.maxSteal
        if (disturbed && retry < options.stealRetries && retrySeconds < options.retryBudget) {
          stats.redone++
          retrySeconds += (Date.now() - started) / 1000
          log(`round ${round}/${options.rounds} ${plan.scenario.id}: ${(worst * 100).toFixed(0)}% of the server's CPU stolen ` +
            `(over BENCH_MAX_STEAL ${(options.maxSteal * 100).toFixed(0)}%): measuring this round again`)
          continue
        }
        if (disturbed) stats.disturbed++
        for (const [server, result] of runs) record(plan.scenario, server, result, round)
        break
      }
    }
  }
  return stats
}
