// The benchmark's pure helpers (benchmark/statistics and benchmark/harness): median, quantiles,
// the seeded bootstrap interval, paired ratios, verdicts, the round order, the target rows and the
// settings. No server.
import { test, type TestContext } from 'node:test'
import { bootstrapMedianInterval, median, quantile, seededRandom } from '../../benchmark/statistics/stats.js'
import { MIN_ROUNDS, assessRatio, pairedRatios, verdict, type RoundValue } from '../../benchmark/statistics/verdict.js'
import { roundOrder } from '../../benchmark/harness/rounds.js'
import { TARGETS, assessTargets, type Target } from '../../benchmark/statistics/targets.js'
import { cellKey, type Results, type Run } from '../../benchmark/statistics/results.js'
import { plan, readSettings } from '../../benchmark/harness/settings.js'
import { cookieValue, sessionIdOf } from '../../benchmark/harness/session-size.js'
import { verdictTable } from '../../benchmark/harness/report.js'

const BOOTSTRAP = { resamples: 10_000, seed: 1, level: 0.95 }

/** Per-round values: `values[i]` in round i + 1. */
const rounds = (values: readonly number[]): RoundValue[] => values.map((value, i) => ({ round: i + 1, value }))

/** 15 ratios spread evenly over [center - spread, center + spread]. */
const spreadAround = (center: number, spread: number): number[] =>
  Array.from({ length: 15 }, (_, i) => center + spread * (i / 7 - 1))

test('median: odd and even counts, unsorted input left as it was, NaN for none', (t: TestContext) => {
  const input = [5, 1, 3]
  t.assert.strictEqual(median(input), 3)
  t.assert.deepStrictEqual(input, [5, 1, 3])
  t.assert.strictEqual(median([4, 1, 3, 2]), 2.5)
  t.assert.strictEqual(median([7]), 7)
  t.assert.ok(Number.isNaN(median([])))
})

test('quantile interpolates between the nearest ranks and clamps q', (t: TestContext) => {
  const sorted = [10, 20, 30, 40, 50]
  t.assert.strictEqual(quantile(sorted, 0), 10)
  t.assert.strictEqual(quantile(sorted, 0.5), 30)
  t.assert.strictEqual(quantile(sorted, 0.1), 14)
  t.assert.strictEqual(quantile(sorted, 1), 50)
  t.assert.strictEqual(quantile(sorted, 2), 50)
  t.assert.strictEqual(quantile(sorted, -1), 10)
  t.assert.ok(Number.isNaN(quantile([], 0.5)))
})

test('seededRandom: the same seed gives the same sequence in [0, 1), another seed another one', (t: TestContext) => {
  const draw = (seed: number): number[] => { const random = seededRandom(seed); return Array.from({ length: 1000 }, () => random()) }
  const first = draw(42)
  t.assert.deepStrictEqual(draw(42), first)
  t.assert.notDeepStrictEqual(draw(43), first)
  t.assert.ok(first.every((x) => x >= 0 && x < 1))
  // roughly uniform: each tenth of [0, 1) gets between 5% and 15% of the draws
  const tenths = Array.from({ length: 10 }, (_, i) => first.filter((x) => Math.floor(x * 10) === i).length)
  t.assert.ok(tenths.every((n) => n > 50 && n < 150), `tenths ${tenths.join(',')}`)
})

test('bootstrap interval: the same data and seed always give the same interval', (t: TestContext) => {
  const data = [1.02, 0.97, 1.05, 0.99, 1.01, 1.08, 0.95, 1.0, 1.03, 0.98, 1.04, 1.06, 0.96, 1.0, 1.02]
  const first = bootstrapMedianInterval(data, BOOTSTRAP)
  t.assert.deepStrictEqual(bootstrapMedianInterval([...data], BOOTSTRAP), first)
  t.assert.ok(first.low <= median(data) && median(data) <= first.high, JSON.stringify(first))
  t.assert.ok(first.low >= Math.min(...data) && first.high <= Math.max(...data))
  t.assert.ok(first.low < first.high)
})

test('bootstrap interval: a wider spread of rounds gives a wider interval; identical rounds give a point', (t: TestContext) => {
  const narrow = bootstrapMedianInterval(spreadAround(1, 0.01), BOOTSTRAP)
  const wide = bootstrapMedianInterval(spreadAround(1, 0.1), BOOTSTRAP)
  t.assert.ok(wide.high - wide.low > 5 * (narrow.high - narrow.low), `${JSON.stringify(narrow)} ${JSON.stringify(wide)}`)
  t.assert.deepStrictEqual(bootstrapMedianInterval(Array(15).fill(1.25), BOOTSTRAP), { low: 1.25, high: 1.25 })
  const none = bootstrapMedianInterval([], BOOTSTRAP)
  t.assert.ok(Number.isNaN(none.low) && Number.isNaN(none.high))
})

test('pairedRatios pairs the runs of the same round, in round order, and leaves out the unusable ones', (t: TestContext) => {
  const xs = [{ round: 3, value: 30 }, { round: 1, value: 10 }, { round: 2, value: 20 }, { round: 4, value: 40 }, { round: 5, value: 0 }]
  const ys = [{ round: 1, value: 5 }, { round: 2, value: 0 }, { round: 3, value: 10 }, { round: 5, value: 1 }]
  // round 2: y is 0 (infinite ratio), round 4: no y, round 5: ratio 0 (no request completed)
  t.assert.deepStrictEqual(pairedRatios(xs, ys), [2, 3])
  t.assert.deepStrictEqual(pairedRatios([], ys), [])
})

test('verdict: holds only with the whole interval at or below the bound, missed only wholly above', (t: TestContext) => {
  t.assert.strictEqual(verdict({ low: 0.98, high: 1.04 }, 1.05, 15), 'holds')
  t.assert.strictEqual(verdict({ low: 0.98, high: 1.05 }, 1.05, 15), 'holds')
  t.assert.strictEqual(verdict({ low: 1.0, high: 1.06 }, 1.05, 15), 'not shown')
  t.assert.strictEqual(verdict({ low: 1.05, high: 1.2 }, 1.05, 15), 'not shown')
  t.assert.strictEqual(verdict({ low: 1.051, high: 1.2 }, 1.05, 15), 'missed')
  t.assert.strictEqual(verdict({ low: NaN, high: NaN }, 1.05, 15), 'not shown')
})

test('verdict: fewer paired rounds than MIN_ROUNDS show nothing, however clear they look', (t: TestContext) => {
  t.assert.strictEqual(verdict({ low: 0.5, high: 0.6 }, 1.05, MIN_ROUNDS - 1), 'not shown')
  t.assert.strictEqual(verdict({ low: 2, high: 3 }, 1.05, MIN_ROUNDS - 1), 'not shown')
  t.assert.strictEqual(verdict({ low: 0.5, high: 0.6 }, 1.05, MIN_ROUNDS), 'holds')
})

test('assessRatio: a clear gap is missed or holds, a gap inside the noise is not shown', (t: TestContext) => {
  const base = rounds(Array(15).fill(100))
  const slower = rounds(spreadAround(1.10, 0.02).map((r) => r * 100))
  const missed = assessRatio(slower, base, 1.05, BOOTSTRAP)
  t.assert.strictEqual(missed.verdict, 'missed')
  t.assert.strictEqual(missed.rounds, 15)
  t.assert.ok(Math.abs(missed.median - 1.10) < 1e-9)
  t.assert.strictEqual(assessRatio(slower, base, 1.15, BOOTSTRAP).verdict, 'holds')
  const noisy = rounds(spreadAround(1.05, 0.2).map((r) => r * 100))
  t.assert.strictEqual(assessRatio(noisy, base, 1.05, BOOTSTRAP).verdict, 'not shown')
})

test('roundOrder rotates: over n rounds every server takes every position once', (t: TestContext) => {
  const servers = ['a', 'b', 'c', 'd']
  const orders = [1, 2, 3, 4].map((round) => roundOrder(servers, round))
  t.assert.deepStrictEqual(orders[0], servers)
  t.assert.deepStrictEqual(orders[1], ['b', 'c', 'd', 'a'])
  t.assert.deepStrictEqual(roundOrder(servers, 5), servers)
  for (let position = 0; position < servers.length; position++) {
    t.assert.deepStrictEqual(orders.map((order) => order[position]).sort(), servers)
  }
  t.assert.deepStrictEqual(roundOrder([], 3), [])
})

/** A measured run with the given CPU µs/req and p99. */
const run = (round: number, cpu: number, p99 = 10): Run => ({
  round, cpuPerRequest: cpu, p99, p50: 1, requestsPerSecond: 1000, total: 1000, bad: 0, statuses: { 200: 1000 }, steal: 0
})

test('assessTargets: a ratio target from the rounds, the cookie size exactly, absent servers skipped', (t: TestContext) => {
  const results: Results = new Map()
  results.set(cellKey('protected', 'b'), { runs: Array.from({ length: 15 }, (_, i) => run(i + 1, 100)), setsCookie: false, warmupBad: 0 })
  results.set(cellKey('protected', 'd'), { runs: Array.from({ length: 15 }, (_, i) => run(i + 1, 103 + (i % 3))), setsCookie: false, warmupBad: 0 })
  const targets: Target[] = [
    { kind: 'ratio', scenario: 'protected', x: 'd', y: 'b', metric: 'cpu', max: 1.05 },
    { kind: 'ratio', scenario: 'protected', x: 'd', y: 'b', metric: 'cpu', max: 1.02 },
    { kind: 'ratio', scenario: 'public', x: 'd', y: 'b', metric: 'cpu', max: 1.02 },
    { kind: 'ratio', scenario: 'protected', x: 'no-such-server', y: 'd', metric: 'cpu', max: 1.05 },
    { kind: 'ratio', scenario: 'anonymous-401', x: 'a', y: 'b', metric: 'cpu', max: 1.05 },
    { kind: 'cookie', server: 'd', maxBytes: 180 },
    { kind: 'cookie', server: 'b', maxBytes: 100 },
    { kind: 'cookie', server: 'c', maxBytes: 180 }
  ]
  const sizes = new Map([['d', { cookieBytes: 150, storedBytes: null }], ['b', { cookieBytes: 113, storedBytes: null }]])
  const rows = assessTargets(targets, results, sizes, BOOTSTRAP)
  t.assert.deepStrictEqual(rows.map((row) => row.verdict ?? row.skipped), [
    'holds', 'missed',
    'not measured in this run (BENCH_SERVERS / BENCH_SCENARIOS)',
    'scenario not present', // no such server
    'scenario not present', // (a) does not answer anonymous-401
    'holds', 'missed',
    'not measured in this run (BENCH_SERVERS / BENCH_SCENARIOS)'
  ])
  t.assert.strictEqual(rows[0]!.target, 'protected: CPU µs/req (d) ≤ 1.05 × (b)')
  t.assert.strictEqual(rows[0]!.rounds, 15)
  t.assert.ok(Math.abs(rows[0]!.value - 1.04) < 1e-9)
  t.assert.strictEqual(rows[5]!.target, 'logged-in session cookie of (d) ≤ 180 bytes')
  t.assert.strictEqual(rows[5]!.value, 150)
  t.assert.strictEqual(rows[5]!.interval, null)
})

test('the target list holds the issue\'s targets and the three tracked-session ones', (t: TestContext) => {
  const labels = assessTargets(TARGETS, new Map(), new Map(), BOOTSTRAP).map((row) => `${row.target}: ${row.skipped}`)
  t.assert.ok(labels.includes('protected: CPU µs/req (d) ≤ 1.05 × (b): not measured in this run (BENCH_SERVERS / BENCH_SCENARIOS)'))
  t.assert.ok(labels.includes('protected: CPU µs/req (d) ≤ 1.00 × (c): not measured in this run (BENCH_SERVERS / BENCH_SCENARIOS)'))
  t.assert.ok(labels.includes('anonymous-401: p99 (d) ≤ 1.10 × (b): not measured in this run (BENCH_SERVERS / BENCH_SCENARIOS)'))
  t.assert.ok(labels.includes('logged-in session cookie of (d) ≤ 180 bytes: not measured in this run (BENCH_SERVERS / BENCH_SCENARIOS)'))
  t.assert.ok(labels.includes('protected: CPU µs/req (d-sessions) ≤ 1.05 × (d): not measured in this run (BENCH_SERVERS / BENCH_SCENARIOS)'))
  t.assert.ok(labels.includes('protected: CPU µs/req (d-sessions-redis) ≤ 1.30 × (d): not measured in this run (BENCH_SERVERS / BENCH_SCENARIOS)'))
  t.assert.ok(labels.includes('protected: CPU µs/req (e-sessions) ≤ 1.30 × (e): not measured in this run (BENCH_SERVERS / BENCH_SCENARIOS)'))
  t.assert.strictEqual(labels.filter((label) => label.includes('(e) ≤ 1.00 × (f)')).length, 3)
})

test('settings: the defaults, a subset, and every bad value reported', (t: TestContext) => {
  const { settings, errors } = readSettings({})
  t.assert.deepStrictEqual(errors, [])
  t.assert.strictEqual(settings.rounds, 15)
  t.assert.strictEqual(settings.bootstrap, 10_000)
  t.assert.strictEqual(settings.strict, false)
  const subset = plan(readSettings({ BENCH_SERVERS: 'b,d', BENCH_SCENARIOS: 'protected,remembered' }).settings)
  t.assert.deepStrictEqual(subset.scenarios.map((s) => [s.scenario.id, s.servers.map((server) => server.id)]), [['protected', ['b', 'd']], ['remembered', ['d']]])
  t.assert.strictEqual(subset.pairs, 3)
  const bad = readSettings({ BENCH_ROUNDS: '2.5', BENCH_DURATION: 'x', BENCH_SERVERS: 'd,z', BENCH_BOOTSTRAP: '10' }).errors
  t.assert.strictEqual(bad.length, 4, bad.join('; '))
})

test('session size helpers: a cookie value out of a Cookie header, the id out of a signed session cookie', (t: TestContext) => {
  t.assert.strictEqual(cookieValue('a=1; session=abc%3D; b=2', 'session'), 'abc%3D')
  t.assert.strictEqual(cookieValue('sessionX=1', 'session'), undefined)
  t.assert.strictEqual(sessionIdOf('Xy_9.sig%2Bnature'), 'Xy_9')
  t.assert.strictEqual(sessionIdOf('plain'), 'plain')
})

test('verdictTable: the interval against the bound, too few rounds, a skipped target and a cookie size', (t: TestContext) => {
  const table = verdictTable([
    { target: 'protected: CPU µs/req (d) ≤ 1.05 × (b)', kind: 'ratio', rounds: 15, value: 1.021, interval: { low: 1.008, high: 1.071 }, bound: 1.05, verdict: 'not shown' },
    { target: 'public: CPU µs/req (d) ≤ 1.02 × (b)', kind: 'ratio', rounds: 3, value: 0.9, interval: { low: 0.8, high: 0.95 }, bound: 1.02, verdict: 'not shown' },
    { target: 'logged-in session cookie of (d) ≤ 180 bytes', kind: 'cookie', rounds: null, value: 333, interval: null, bound: 180, verdict: 'missed' },
    { target: 'protected: CPU µs/req (d-sessions) ≤ 1.05 × (d)', kind: 'ratio', rounds: null, value: NaN, interval: null, bound: 1.05, verdict: null, skipped: 'scenario not present' }
  ]).split('\n')
  t.assert.strictEqual(table[2], '| protected: CPU µs/req (d) ≤ 1.05 × (b) | 15 | 1.021 | 1.008–1.071 | 1.05 | −4.0% … +2.0% | **not shown** |')
  t.assert.strictEqual(table[3], '| public: CPU µs/req (d) ≤ 1.02 × (b) | 3 | 0.900 | 0.800–0.950 | 1.02 | −21.6% … −6.9% | not shown (3 paired rounds, 6 needed) |')
  t.assert.strictEqual(table[4], '| logged-in session cookie of (d) ≤ 180 bytes | — | 333 | exact | 180 bytes | +85.0% | **missed** |')
  t.assert.strictEqual(table[5], '| protected: CPU µs/req (d-sessions) ≤ 1.05 × (d) | — | — | — | 1.05 | — | skipped: scenario not present |')
})
