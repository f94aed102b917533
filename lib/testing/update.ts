// The contract's cases on `update`: which fields change, the compare-and-set on rememberHash
// (remember-token rotation relies on it, also under parallel restores), and a moved expiry.
import assert from 'node:assert/strict'
import { ids, MINUTE, type ContractCase } from './case.js'

export const UPDATE_CASES: readonly ContractCase[] = [{
  name: 'update changes the given fields, sets null ones, and leaves undefined ones',
  async run (c) {
    const id = await c.add({ rememberHash: 'old', engineId: 'e1', rotatedAt: 5 })
    const before = (await c.store.get(id))!
    const changes = { lastSeenAt: Date.now() + 60_000.5, ip: '198.51.100.1', userAgent: undefined, rememberHash: null, previousRememberHash: 'old', rotatedAt: null, engineId: null }
    assert.strictEqual(await c.store.update(id, changes), true)
    assert.deepStrictEqual(await c.store.get(id), {
      ...before, lastSeenAt: changes.lastSeenAt, ip: '198.51.100.1', rememberHash: null, previousRememberHash: 'old', rotatedAt: null, engineId: null
    })
    assert.strictEqual(await c.store.update(id, { rememberHash: 'new', rotatedAt: 7, engineId: 'e2' }), true)
    assert.deepStrictEqual(await c.store.get(id), {
      ...before, lastSeenAt: changes.lastSeenAt, ip: '198.51.100.1', rememberHash: 'new', previousRememberHash: 'old', rotatedAt: 7, engineId: 'e2'
    })
    assert.strictEqual(await c.store.update(id, {}), true)
  }
}, {
  name: 'update with expectRememberHash is a compare-and-set on rememberHash',
  async run (c) {
    const id = await c.add({ rememberHash: 'h1' })
    assert.strictEqual(await c.store.update(id, { rememberHash: 'h2', previousRememberHash: 'h1' }, 'h0'), false)
    assert.strictEqual(await c.store.update(id, { rememberHash: 'h2' }, null), false)
    assert.strictEqual((await c.store.get(id))!.rememberHash, 'h1')
    assert.strictEqual(await c.store.update(id, { rememberHash: 'h2', previousRememberHash: 'h1' }, 'h1'), true)
    assert.strictEqual(await c.store.update(id, { rememberHash: 'h3' }, 'h1'), false)
    const rotated = (await c.store.get(id))!
    assert.deepStrictEqual([rotated.rememberHash, rotated.previousRememberHash], ['h2', 'h1'])
    assert.strictEqual(await c.store.update(id, { rememberHash: null }, 'h2'), true)
    assert.strictEqual(await c.store.update(id, { rememberHash: 'h4' }, 'h2'), false)
    assert.strictEqual(await c.store.update(id, { rememberHash: 'h4' }, null), true)
    assert.strictEqual((await c.store.get(id))!.rememberHash, 'h4')
  }
}, {
  name: 'parallel compare-and-sets with the same expected hash: exactly one applies',
  async run (c) {
    const id = await c.add({ rememberHash: 'h0' })
    const applied = await Promise.all(Array.from({ length: 20 }, (_, i) => c.store.update(id, { rememberHash: `h${i + 1}` }, 'h0')))
    assert.strictEqual(applied.filter(Boolean).length, 1)
    assert.strictEqual((await c.store.get(id))!.rememberHash, `h${applied.indexOf(true) + 1}`)
  }
}, {
  name: 'update of expiresAt moves the expiry both ways',
  async run (c) {
    const id = await c.add({ expiresAt: Date.now() + 2 * MINUTE })
    const other = await c.add({ expiresAt: Date.now() + 2 * MINUTE })
    assert.strictEqual(await c.store.update(id, { expiresAt: Date.now() + 10 * MINUTE }), true)
    assert.strictEqual(await c.store.update(other, { expiresAt: Date.now() + MINUTE }), true)
    c.tick(MINUTE)
    assert.strictEqual(await c.store.get(other), null)
    c.tick(8 * MINUTE)
    assert.deepStrictEqual(ids(await c.store.list('u1')), [id])
    assert.strictEqual((await c.store.get(id))!.expiresAt, Date.now() + MINUTE)
    c.tick(MINUTE)
    assert.deepStrictEqual(await c.store.list('u1'), [])
  }
}, {
  name: 'update to an expiresAt already past ends the entry',
  async run (c) {
    const id = await c.add()
    assert.strictEqual(await c.store.update(id, { expiresAt: Date.now() - 1 }), true)
    assert.strictEqual(await c.store.get(id), null)
    assert.deepStrictEqual(await c.store.list('u1'), [])
  }
}]
