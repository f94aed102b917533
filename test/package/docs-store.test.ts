// In the package suite (Node 20 only), not the unit suite: the guide's store runs on better-sqlite3,
// a native module built for the Node that installed it, which the Node 22/24 unit runs are not.
// docs/tracked-sessions.md, "Writing your own store": the SQL store and the test file that runs the
// contract on it are taken from the guide as written and run with node --test, so the example a
// user copies meets the contract (and the snippet runs).
import { test, type TestContext } from 'node:test'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { runNodeTest } from '../helpers/node-test-run.js'

const GUIDE = resolve('docs', 'tracked-sessions.md')

/** The guide's ```ts block that contains `marker`. */
function block (marker: string): string {
  const blocks = [...readFileSync(GUIDE, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string)
  const found = blocks.filter((code) => code.includes(marker))
  if (found.length !== 1) throw new Error(`${found.length} blocks of docs/tracked-sessions.md contain ${marker}`)
  return found[0] as string
}

test('the guide\'s SQL store passes the contract, run by the guide\'s own test file with node --test', (t: TestContext) => {
  // inside the repository, so that 'fastify-login/testing' resolves to this package (dist/)
  const dir = resolve('.tmp', `docs-store-${process.pid}`)
  mkdirSync(dir, { recursive: true })
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'sqlite-session-store.ts'), block('export function sqliteSessionStore'))
  writeFileSync(join(dir, 'session-store.test.ts'), block('sessionStoreContract(() => sqliteSessionStore'))
  const { status, passed, failed, output } = runNodeTest(['session-store.test.ts'], { cwd: dir, flags: ['--import', 'tsx'] })
  t.assert.strictEqual(status, 0, output)
  t.assert.deepStrictEqual(failed, [], output)
  t.assert.ok(passed.length >= 30, output)
})
