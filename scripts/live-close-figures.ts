// Figures for issue 18's target "revocation through process B closes a socket on process A within
// 1 s: N of 100", for each engine × each Redis client, on one redis-server and on a 3-master Redis
// Cluster. Two processes of test/redis/fixtures/live-app.ts (recheckEvery 600 s: only pub/sub can
// close the socket) share Redis; each round logs a new user in on A, opens a WebSocket on A, and
// revokes that session with loginManager.revokeSession on B. The time is from B's answer (the
// revoking call resolved) to the socket's close event on the client (0 when it closed before
// B's answer arrived); a socket not closed within 5 s counts as missed.
//   node --import tsx scripts/live-close-figures.ts [rounds=100]
// Needs redis-server and redis-cli on PATH and a built dist/ (npm run build).
import { loadavg } from 'node:os'
import { Browser } from '../test/helpers/redis/browser.js'
import { guarded, openSocket, startLivePair } from '../test/helpers/redis/live-pair.js'
import type { ClientName, EngineName } from '../test/helpers/redis/tracked-pair.js'

const ROUNDS = Number(process.argv[2] ?? 100)
const WITHIN_MS = 1000
const MISSED_AFTER_MS = 5000

interface Row { where: string, engine: EngineName, client: ClientName, within: number, median: number, p99: number, max: number, missed: number }

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN
}

async function measure (engine: EngineName, client: ClientName, cluster: boolean): Promise<Row> {
  const cleanups: Array<() => unknown> = []
  try {
    const pair = await startLivePair({ after: (fn: () => unknown) => { cleanups.push(fn) } }, { engine, client, cluster })
    const times: number[] = []
    let missed = 0
    for (let i = 0; i < ROUNDS; i++) {
      const browser = new Browser()
      const login = await browser.request(pair.a.url, '/login', { json: { id: `figures-${i}` } })
      const socket = await openSocket(pair.a.url, '/live', browser.cookieHeader())
      const revoked = await new Browser().request(pair.b.url, '/admin/revoke', { json: { id: login.body.sid } })
      const answered = performance.now()
      if (revoked.body.revoked !== true) throw new Error(`revoke answered ${JSON.stringify(revoked.body)}`)
      try {
        await guarded('the close', socket.closed, MISSED_AFTER_MS)
        times.push(performance.now() - answered)
      } catch {
        missed++
        socket.close()
      }
    }
    const sorted = [...times].sort((a, b) => a - b)
    return {
      where: cluster ? 'Redis Cluster (3 masters)' : 'redis-server',
      engine,
      client,
      within: times.filter((ms) => ms <= WITHIN_MS).length,
      median: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted.at(-1) ?? Number.NaN,
      missed
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup()
  }
}

async function main (): Promise<void> {
  const rows: Row[] = []
  const loadBefore = loadavg()
  const started = new Date().toISOString()
  for (const cluster of [false, true]) {
    for (const engine of ['secure-session', 'session'] as const) {
      for (const client of ['redis', 'ioredis'] as const) {
        const row = await measure(engine, client, cluster)
        rows.push(row)
        console.error(`${row.where}, ${engine}, ${client}: ${row.within} of ${ROUNDS} within 1 s`)
      }
    }
  }
  const loadAfter = loadavg()
  const ms = (value: number): string => value.toFixed(1)
  console.log(`Run ${started}, ${ROUNDS} rounds each; load average (1/5/15 min) before ${loadBefore.map((l) => l.toFixed(1)).join('/')}, after ${loadAfter.map((l) => l.toFixed(1)).join('/')}\n`)
  console.log('| Redis | engine | store client | closed within 1 s | median ms | p99 ms | max ms | not closed within 5 s |')
  console.log('|---|---|---|--:|--:|--:|--:|--:|')
  for (const row of rows) {
    console.log(`| ${row.where} | ${row.engine} | ${row.client} | ${row.within} of ${ROUNDS} | ${ms(row.median)} | ${ms(row.p99)} | ${ms(row.max)} | ${row.missed} |`)
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
