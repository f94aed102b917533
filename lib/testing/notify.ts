// The contract's cases on the optional `announce` and `subscribe` (how the processes sharing a
// store tell each other which sessions ended, to close their WebSockets and event streams). A
// store has both or neither; one without them passes these cases by having neither.
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import type { SessionEndNotice, SessionStore } from '../../types/index.js'
import type { ContractCase } from './case.js'

/** How long a notice may take to arrive: a guard against a hang, not a speed requirement. */
const HANG_GUARD_MS = 30_000

const byId = (notices: readonly SessionEndNotice[]): SessionEndNotice[] => [...notices].sort((a, b) => a.id.localeCompare(b.id))

/** Whether the store has both methods; fails the case when it has only one. */
function notifies (store: SessionStore): boolean {
  assert.strictEqual(typeof store.announce, typeof store.subscribe, 'a store has both announce and subscribe, or neither')
  return typeof store.subscribe === 'function'
}

/** Waits (on the real clock) until `heard` holds `count` notices, or the hang guard passes. */
async function hear (heard: readonly SessionEndNotice[], count: number): Promise<void> {
  const deadline = performance.now() + HANG_GUARD_MS
  while (heard.length < count && performance.now() < deadline) await sleep(5)
}

export const NOTIFY_CASES: readonly ContractCase[] = [{
  name: 'announce and subscribe: both or neither; every listener hears each notice announced, this process\'s own included',
  async run (c) {
    if (!notifies(c.store)) return
    const notices: SessionEndNotice[] = [
      { id: await c.add(), userId: 'u1', reason: 'logout' },
      { id: await c.add({ userId: 'u2' }), userId: 'u2', reason: 'revoked' }
    ]
    const heard: SessionEndNotice[][] = [[], []]
    const stops = [await c.store.subscribe!((notice) => heard[0]!.push(notice)), await c.store.subscribe!((notice) => heard[1]!.push(notice))]
    await c.store.announce!([])
    await c.store.announce!(notices)
    await hear(heard[0]!, 2)
    await hear(heard[1]!, 2)
    for (const stop of stops) await stop()
    assert.deepStrictEqual(heard.map(byId), [byId(notices), byId(notices)])
  }
}, {
  name: 'announce and subscribe: a listener whose stop function resolved hears nothing more; the others still do',
  async run (c) {
    if (!notifies(c.store)) return
    const stopped: SessionEndNotice[] = []
    const listening: SessionEndNotice[] = []
    const stop = await c.store.subscribe!((notice) => stopped.push(notice))
    const stopOther = await c.store.subscribe!((notice) => listening.push(notice))
    await stop()
    const notice: SessionEndNotice = { id: await c.add(), userId: 'u1', reason: 'theft' }
    await c.store.announce!([notice])
    await hear(listening, 1)
    await stopOther()
    assert.deepStrictEqual(listening, [notice])
    assert.deepStrictEqual(stopped, [])
  }
}]
