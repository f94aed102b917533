// The benchmark's cost ladder and allocation figures (benchmark/statistics/ladder.ts,
// benchmark/statistics/allocations.ts, the BENCH_LADDER / BENCH_ALLOC settings). No server.
import { test, type TestContext } from 'node:test'
import { LADDER, LADDER_SERVERS, assessLadder, assessSum, pairedDifferences, type Rung } from '../../benchmark/statistics/ladder.js'
import { summarizeAllocations, type HeapNode } from '../../benchmark/statistics/allocations.js'
import { cellKey, type Results, type Run } from '../../benchmark/statistics/results.js'
import { estimateSeconds, plan, readSettings } from '../../benchmark/harness/settings.js'
import { ladderTable } from '../../benchmark/harness/report.js'
import { SERVERS } from '../../benchmark/fixtures/scenarios.js'

const BOOTSTRAP = { resamples: 2000, seed: 1, level: 0.95 }

const run = (round: number, cpu: number): Run => ({
  round, cpuPerRequest: cpu, p99: 10, p50: 1, requestsPerSecond: 1000, total: 1000, bad: 0, statuses: { 200: 1000 }, steal: 0
})

/** A cell of 15 rounds whose CPU µs/req is `base` times a round's machine speed (slow rounds are slow for every server). */
function cell (results: Results, scenario: string, server: string, base: number, rounds = 15): void {
  const speed = (round: number): number => 1 + 0.2 * Math.sin(round)
  results.set(cellKey(scenario, server), { runs: Array.from({ length: rounds }, (_, i) => run(i + 1, base * speed(i + 1))), setsCookie: false, warmupBad: 0 })
}

const CHAIN: Rung[] = [
  { id: 'x1', below: 'x0', adds: 'one', chain: true },
  { id: 'x2', below: 'x1', adds: 'two', chain: true },
  { id: 'side', below: 'x2', adds: 'aside', chain: false }
]

test('pairedDifferences pairs by round and leaves out rounds missing on either side', (t: TestContext) => {
  const xs = [{ round: 2, value: 25 }, { round: 1, value: 12 }, { round: 3, value: 9 }]
  const ys = [{ round: 1, value: 10 }, { round: 2, value: 20 }]
  t.assert.deepStrictEqual(pairedDifferences(xs, ys), [2, 5])
  t.assert.deepStrictEqual(pairedDifferences([], ys), [])
})

test('assessLadder: each rung over the one below, as a ratio and in µs, and the machine\'s speed cancels out', (t: TestContext) => {
  const results: Results = new Map()
  cell(results, 'protected', 'x0', 100)
  cell(results, 'protected', 'x1', 110)
  cell(results, 'protected', 'x2', 121)
  const rows = assessLadder(CHAIN, results, ['protected', 'public'], BOOTSTRAP)
  // 'side' was not measured, nor was the public route: no rows for them
  t.assert.deepStrictEqual(rows.map((row) => `${row.scenario} ${row.rung.id} ${row.rounds}`), ['protected x1 15', 'protected x2 15'])
  t.assert.ok(Math.abs(rows[0]!.ratio - 1.1) < 1e-9)
  t.assert.ok(Math.abs(rows[1]!.ratio - 1.1) < 1e-9)
  // the ratio is the same in every round: a point interval, while the µs difference follows the speed
  t.assert.ok(Math.abs(rows[0]!.ratioInterval.high - rows[0]!.ratioInterval.low) < 1e-9)
  t.assert.ok(rows[0]!.microsInterval.low < 10 && rows[0]!.microsInterval.high > 10, JSON.stringify(rows[0]!.microsInterval))
})

test('assessSum: the chain accounts for the whole when the product of its rungs lies in the whole\'s interval', (t: TestContext) => {
  const results: Results = new Map()
  cell(results, 'protected', 'x0', 100)
  cell(results, 'protected', 'x1', 110)
  cell(results, 'protected', 'x2', 121)
  // on the public route each rung's median is 1 (x1 triples only in rounds 9-15, x2 over x1 only
  // in rounds 1-4) while x2 is three times x0 in 11 rounds of 15: the rungs do not explain the whole
  const series = (ratio: (round: number) => number) => ({ runs: Array.from({ length: 15 }, (_, i) => run(i + 1, 100 * ratio(i + 1))), setsCookie: false, warmupBad: 0 })
  const r1 = (round: number): number => round >= 9 ? 3 : 1
  const r2 = (round: number): number => round <= 4 ? 3 : 1
  results.set(cellKey('public', 'x0'), series(() => 1))
  results.set(cellKey('public', 'x1'), series(r1))
  results.set(cellKey('public', 'x2'), series((round) => r1(round) * r2(round)))
  // the 401 route has too few rounds for a verdict
  cell(results, 'anonymous-401', 'x0', 100, 4)
  cell(results, 'anonymous-401', 'x1', 100, 4)
  cell(results, 'anonymous-401', 'x2', 100, 4)
  const routes = ['protected', 'public', 'anonymous-401'] as const
  const rows = assessLadder(CHAIN, results, routes, BOOTSTRAP)
  const sums = assessSum(rows, CHAIN, results, routes, BOOTSTRAP)
  t.assert.deepStrictEqual(sums.map((sum) => [sum.scenario, sum.from, sum.to, sum.verdict]), [
    ['protected', 'x0', 'x2', 'holds'],
    ['public', 'x0', 'x2', 'missed'],
    ['anonymous-401', 'x0', 'x2', 'not shown']
  ])
  t.assert.ok(Math.abs(sums[0]!.product - 1.21) < 1e-9)
  t.assert.ok(Math.abs(sums[0]!.whole - 1.21) < 1e-9)
  t.assert.deepStrictEqual(assessSum(rows, CHAIN.filter((rung) => !rung.chain), results, routes, BOOTSTRAP), [])
})

test('ladderTable: one row per rung with the bytes it adds, then the sum per route', (t: TestContext) => {
  const results: Results = new Map()
  cell(results, 'protected', 'x0', 100)
  cell(results, 'protected', 'x1', 110)
  cell(results, 'protected', 'x2', 121)
  const rows = assessLadder(CHAIN, results, ['protected'], BOOTSTRAP)
  const summary = (bytes: number) => ({ requests: 100, totalPerRequest: bytes, ownPerRequest: 0, withBuiltinsPerRequest: 0, top: [] })
  const allocations = new Map([[cellKey('protected', 'x0'), summary(1000)], [cellKey('protected', 'x1'), summary(1250)]])
  const lines = ladderTable(rows, assessSum(rows, CHAIN, results, ['protected'], BOOTSTRAP), allocations).split('\n')
  t.assert.match(lines[2]!, /^\| protected \| \(x1\) one \| \(x0\) \| 15 \| 1\.100 \(1\.100–1\.100\) \| \+10\.\d .* \| \+250 \| 0 \|$/)
  t.assert.match(lines[3]!, /\| — \| — \|$/) // x2's allocations were not measured
  t.assert.match(lines[7]!, /^\| protected \| \(x0\) → \(x2\) \| 15 \| 1\.210 \| 1\.210 \(1\.210–1\.210\) \| holds \|$/)
})

test('the ladder names only servers that exist, climbs from (b) to (d) one rung at a time, and BENCH_LADDER selects it', (t: TestContext) => {
  const ids = new Set(SERVERS.map((server) => server.id))
  for (const rung of LADDER) t.assert.ok(ids.has(rung.id) && ids.has(rung.below), `${rung.id} over ${rung.below}`)
  for (const id of LADDER_SERVERS) t.assert.ok(ids.has(id), id)
  const chain = LADDER.filter((rung) => rung.chain)
  t.assert.strictEqual(chain[0]!.below, 'b')
  t.assert.strictEqual(chain.at(-1)!.id, 'd')
  for (let i = 1; i < chain.length; i++) t.assert.strictEqual(chain[i]!.below, chain[i - 1]!.id)

  const { settings, errors } = readSettings({ BENCH_LADDER: '1' })
  t.assert.deepStrictEqual(errors, [])
  t.assert.strictEqual(settings.alloc, 5000)
  const selected = plan(settings)
  t.assert.deepStrictEqual(selected.scenarios.map((s) => s.scenario.id), ['public', 'protected', 'anonymous-401'])
  t.assert.deepStrictEqual(new Set(selected.servers.map((s) => s.id)), new Set(LADDER_SERVERS))
  t.assert.ok(estimateSeconds(settings, selected) > estimateSeconds({ ...settings, alloc: 0 }, selected))
  t.assert.strictEqual(readSettings({}).settings.alloc, 0)
  t.assert.deepStrictEqual(readSettings({ BENCH_ALLOC: '-1' }).errors, ['BENCH_ALLOC must be an integer ≥ 0, got "-1"'])
})

/** A heap profile node. */
const node = (functionName: string, url: string, selfSize: number, children: HeapNode[] = []): HeapNode =>
  ({ callFrame: { functionName, url, lineNumber: 9 }, selfSize, children })

test('summarizeAllocations: the whole process, fastify-login\'s own functions, and the built-ins they call', (t: TestContext) => {
  const own = 'file:///repo/dist/hooks/on-request.js'
  const other = 'node:internal/whatever'
  const head = node('(root)', '', 0, [
    node('parse', other, 1000, [node('Map', '', 7)]),
    node('onRequest', own, 300, [
      // built-ins called from fastify-login count, also through another built-in; Fastify's code does not
      node('then', '', 200, [node('Promise', '', 20), node('header', other, 50, [node('toLowerCase', '', 3)])]),
      node('', own, 40)
    ])
  ])
  const summary = summarizeAllocations(head, (url) => url.startsWith('file:///repo/dist/'), '/repo/dist', 10)
  t.assert.strictEqual(summary.requests, 10)
  t.assert.strictEqual(summary.totalPerRequest, 162)
  t.assert.strictEqual(summary.ownPerRequest, 34)
  t.assert.strictEqual(summary.withBuiltinsPerRequest, 56)
  t.assert.deepStrictEqual(summary.top, [
    { where: 'onRequest hooks/on-request.js:10', bytesPerRequest: 30 },
    { where: '(anonymous) hooks/on-request.js:10', bytesPerRequest: 4 }
  ])
  t.assert.ok(Number.isNaN(summarizeAllocations(head, () => false, '/repo/dist', 0).totalPerRequest))
})
