// Runs test files with `node --test` in a child process and reads its TAP report: for tests that
// check what node:test's own runner reports (node:test does not nest run() in a test file).
import { spawnSync } from 'node:child_process'

export interface NodeTestReport {
  readonly status: number | null
  /** The names of the tests (and suites) that passed, and of those that failed, at any depth. */
  readonly passed: string[]
  readonly failed: string[]
  /** stdout and stderr, for failure messages. */
  readonly output: string
}

/** `node [...flags] --test --test-reporter=tap files` in `cwd`. */
export function runNodeTest (files: readonly string[], options: { cwd?: string, flags?: readonly string[] } = {}): NodeTestReport {
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT // set by the runner of the calling test: the child must report in TAP, not to that runner
  const args = [...options.flags ?? [], '--test', '--test-reporter=tap', ...files]
  const result = spawnSync(process.execPath, args, { cwd: options.cwd, encoding: 'utf8', env })
  const named = (status: string): string[] =>
    [...result.stdout.matchAll(new RegExp(`^\\s*${status} \\d+ - (.+)$`, 'gm'))].map((match) => match[1] as string)
  return { status: result.status, passed: named('ok'), failed: named('not ok'), output: `${result.stdout}${result.stderr}` }
}
