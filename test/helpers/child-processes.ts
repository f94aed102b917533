import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'

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

export function hasExited (child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null
}

/** SIGTERM, then SIGKILL when `child` has not exited within `withinMs`; safe to call twice. */
export async function stopChild (child: ChildProcess, withinMs = 5_000): Promise<void> {
  if (hasExited(child)) {
    untrack(child)
    return
  }
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), withinMs)
  try {
    await exited
  } finally {
    clearTimeout(timer)
    untrack(child)
  }
}
