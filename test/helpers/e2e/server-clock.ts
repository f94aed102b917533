// The example app runs in the test's own process, so moving this process's `Date` moves the
// server's clock: fastify-login's fresh window ("sudo mode") reads the time through Date.now().
// Only Date is faked, and it keeps running with the real time in between the jumps, so timers,
// sockets and Playwright (which measures with performance.now()) behave as usual.
import FakeTimers from '@sinonjs/fake-timers'
import { after } from 'node:test'

export interface ServerClock {
  /** Moves the server's clock `seconds` forward. */
  forward (seconds: number): void
}

/** Installs the movable clock for the rest of the calling test file. */
export function installServerClock (): ServerClock {
  const clock = FakeTimers.install({ toFake: ['Date'], now: Date.now(), shouldAdvanceTime: true, advanceTimeDelta: 10 })
  after(() => { clock.uninstall() })
  return {
    forward (seconds) {
      clock.setSystemTime(Date.now() + seconds * 1000)
    }
  }
}
