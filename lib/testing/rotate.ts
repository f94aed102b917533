// The contract's cases on the optional `rotate` (capability: rotate): a remember token judged and
// rotated in one atomic step, the grace judged by the store's own clock. A store that keeps time
// by the case's Date.now() and one that reads its server's clock (Redis' TIME) both pass: the
// case moves its clock and waits on the real one alike.
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import type { RememberRotation } from '../../types/index.js'
import { MALFORMED_IDS } from './bad-input.js'
import { HOUR, MINUTE, type ContractCase } from './case.js'

const label = (value: unknown): string => typeof value === 'symbol' ? 'a symbol' : String(JSON.stringify(value)).slice(0, 40)

export const ROTATE_CASES: readonly ContractCase[] = [{
  name: 'rotate: the current token rotates once under parallel calls, the previous one is in its grace, any other is theft (capability: rotate)',
  async run (c) {
    const rotate = c.store.rotate!.bind(c.store)
    const id = await c.add({ rememberHash: 'h1' })
    const seen = { lastSeenAt: Date.now() + 1000, ip: '198.51.100.9', expiresAt: Date.now() + 2 * HOUR }
    const rotations = await Promise.all([1, 2, 3].map(() => rotate(id, { presented: 'h1', next: 'h2', graceMs: MINUTE, changes: seen })))
    assert.deepStrictEqual(rotations.sort(), ['grace', 'grace', 'rotated'], 'one of parallel rotations wins')
    const rotated = (await c.store.get(id))!
    assert.deepStrictEqual({ ...rotated, rotatedAt: typeof rotated.rotatedAt },
      { ...c.session(), id, rememberHash: 'h2', previousRememberHash: 'h1', rotatedAt: 'number', ...seen })
    assert.strictEqual(await rotate(id, { presented: 'h2', next: null, graceMs: MINUTE, changes: {} }), 'current')
    assert.strictEqual(await rotate(id, { presented: 'h1', next: 'h3', graceMs: MINUTE, changes: {} }), 'grace')
    assert.strictEqual(await rotate(id, { presented: 'other', next: 'h3', graceMs: MINUTE, changes: {} }), 'theft')
    assert.deepStrictEqual(await c.store.get(id), rotated, 'judging writes nothing')
    // the grace is judged by the store's clock (Date.now() or its server's): let both move on
    c.tick(20)
    await sleep(20)
    assert.strictEqual(await rotate(id, { presented: 'h1', next: null, graceMs: 10, changes: {} }), 'theft')
  }
}, {
  name: 'rotate: gone for an unknown, malformed or expired id; a malformed rotation is rejected (capability: rotate)',
  async run (c) {
    const rotate = c.store.rotate!.bind(c.store)
    const id = await c.add({ rememberHash: 'h1', expiresAt: Date.now() + MINUTE })
    const judge: RememberRotation = { presented: 'h1', next: null, graceMs: 0, changes: {} }
    for (const bad of ['unknown', ...MALFORMED_IDS]) assert.strictEqual(await rotate(bad as string, judge), 'gone', label(bad))
    const rotations: unknown[] = [
      null, { ...judge, presented: '' }, { ...judge, next: 1 }, { ...judge, graceMs: -1 }, { ...judge, graceMs: '1' },
      { ...judge, changes: { rememberHash: 'x' } }, { ...judge, changes: null }
    ]
    for (const rotation of rotations) await assert.rejects(rotate(id, rotation as RememberRotation), c.badInput, label(rotation))
    assert.strictEqual(await rotate(id, judge), 'current')
    c.tick(MINUTE)
    assert.strictEqual(await rotate(id, judge), 'gone')
  }
}]
