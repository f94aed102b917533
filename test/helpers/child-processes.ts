import type { ChildProcess } from 'node:child_process'

const running = new Set<ChildProcess>()
let exitHookInstalled = false

/**
 * Kills `child` when this test process exits, the last line of defence when a run ends without
 * stopping what it started. Call `untrack` once the child has been stopped.
 */
export function track (child: ChildProcess): void {
  running.add(child)
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => {
      for (const process of running) process.kill('SIGKILL')
    })
  }
}

export function untrack (child: ChildProcess): void {
  running.delete(child)
}
