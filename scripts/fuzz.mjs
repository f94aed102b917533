// Runs every property test (test/**/*.property.test.ts) long, with a random seed, as the "fuzz" job.
// Usage: node scripts/fuzz.mjs [file-substring ...]
// Environment: FC_SEED (default: a new random seed, printed so a failure can be replayed),
// FC_RUNS (runs per property, default 200000), FC_TIME_LIMIT_MS (stop each property after this
// many ms without failing it; default 60000), FC_RUNS/FC_SEED/FC_TIME_LIMIT_MS reach the tests.
// Replay a failure: FC_SEED=<printed seed> node scripts/fuzz.mjs (fast-check also prints the
// counterexample and its path).
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { randomInt } from 'node:crypto'

function collect (dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name)
    if (statSync(full).isDirectory()) collect(full, out)
    else if (name.endsWith('.property.test.ts')) out.push(full)
  }
  return out
}

const filters = process.argv.slice(2)
const files = collect('test').filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
if (files.length === 0) {
  console.error('fuzz: no test/**/*.property.test.ts file matched')
  process.exit(1)
}

const seed = /^-?\d+$/.test(process.env.FC_SEED ?? '') ? process.env.FC_SEED : String(randomInt(0, 2 ** 31 - 1))
const env = {
  ...process.env,
  FC_SEED: seed,
  FC_RUNS: process.env.FC_RUNS ?? '200000',
  FC_TIME_LIMIT_MS: process.env.FC_TIME_LIMIT_MS ?? '60000'
}
console.log(`fuzz: FC_SEED=${env.FC_SEED} FC_RUNS=${env.FC_RUNS} FC_TIME_LIMIT_MS=${env.FC_TIME_LIMIT_MS}`)
console.log(`fuzz: ${files.length} file(s): ${files.join(' ')}`)

const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-timeout=0', ...files], { stdio: 'inherit', env })
console.log(`fuzz: ${result.status === 0 ? 'passed' : 'FAILED'}; replay with FC_SEED=${env.FC_SEED} FC_RUNS=${env.FC_RUNS} node scripts/fuzz.mjs`)
process.exit(result.status ?? 1)
