// Runs the node:test suites with tsx, listing files explicitly (Node 20's --test has no globs).
// Usage: node scripts/run-tests.mjs <suite> [...extra node flags]
//   unit     test/**/*.test.ts except test/e2e, test/redis, test/package, test/flask and test/helpers (where
//            every suite's helpers are: test/helpers/e2e, redis, package), on the engine
//            FASTIFY_LOGIN_ENGINE selects (default @fastify/secure-session)
//   engines  the unit suite twice: on @fastify/secure-session, then on @fastify/session
//   package  test/package/**/*.test.ts (npm pack, install into a fresh app, ESM and CJS)
//   e2e      test/e2e/**/*.test.ts (headless Chromium)
//   flask    test/flask/**/*.test.ts (a real Flask + Flask-Login app beside a Fastify app, over HTTP)
//   redis    test/redis/**/*.test.ts (real redis-server) except the session store's, which
//            test:coverage runs (redis-store), so that npm test runs it once
//   redis-store  test/redis/session-store.test.ts and session-store-notify.test.ts: redisSessionStore
//            (and its pub/sub) on redis-server and on a Redis Cluster; run under c8 with the unit
//            suite, since lib/ loads the Redis store
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

const requested = process.argv[2] ?? 'unit'
const suite = requested === 'engines' ? 'unit' : requested
const excluded = { unit: ['e2e', 'redis', 'package', 'flask', 'helpers'] }
/** Suites of named files, and the files other suites leave to them. */
const single = { 'redis-store': [join('test', 'redis', 'session-store.test.ts'), join('test', 'redis', 'session-store-notify.test.ts')] }
const leftOut = { redis: single['redis-store'] }

function collect (dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name)
    if (statSync(full).isDirectory()) {
      if (dir === 'test' && suite === 'unit' && excluded.unit.includes(name)) continue
      collect(full, out)
    } else if (name.endsWith('.test.ts')) {
      out.push(full)
    }
  }
  return out
}

const root = suite === 'unit' ? 'test' : join('test', suite)
const files = single[suite] ?? collect(root).filter((file) => !(leftOut[suite] ?? []).includes(file))
if (files.length === 0) {
  console.error(`no test files found for suite "${suite}"`)
  process.exit(1)
}
const engines = requested === 'engines' ? ['secure-session', 'session'] : [process.env.FASTIFY_LOGIN_ENGINE ?? 'secure-session']
for (const engine of engines) {
  console.log(`# fastify-login: ${suite} suite on ${engine === 'session' ? '@fastify/session' : '@fastify/secure-session'}`)
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=2', ...process.argv.slice(3), ...files], {
    stdio: 'inherit',
    env: { ...process.env, FASTIFY_LOGIN_ENGINE: engine }
  })
  if (result.status !== 0) {
    process.exit(result.status ?? 1)
  }
}
