// The contract's cases on what a store is handed wrong: ids it never made (they may come from a
// request: nothing there, never a throw), and malformed sessions, limits and changes (built by
// code: rejected, and nothing stored).
import assert from 'node:assert/strict'
import type { NewStoredSession, SessionLimit } from '../../types/index.js'
import { otherId, NO_LIMIT, type ContractCase } from './case.js'

/** Ids no store can have made. */
export const MALFORMED_IDS: readonly unknown[] = [
  undefined, null, 0, 1, true, {}, [], ['x'], Symbol('id'),
  '', ' ', '__proto__', 'constructor', 'hasOwnProperty', 'x'.repeat(129), 'x'.repeat(100_000),
  'a b', 'a\r\nb', 'a\u0000b', 'ünïcödé', '{tag}', 'fastify-login:{x}:s:y', '*', '../../etc'
]

const label = (value: unknown): string => typeof value === 'symbol' ? 'a symbol' : String(JSON.stringify(value)).slice(0, 40)

export const BAD_INPUT_CASES: readonly ContractCase[] = [{
  name: 'malformed and unknown ids are nothing: null or false, never a throw',
  async run (c) {
    const id = await c.add()
    const unknown = [...MALFORMED_IDS, otherId(id), id + 'x', id.toUpperCase(), id.toLowerCase()].filter((bad) => bad !== id)
    for (const bad of unknown) {
      assert.strictEqual(await c.store.get(bad as string), null, label(bad))
      assert.strictEqual(await c.store.update(bad as string, { ip: 'x' }), false, label(bad))
      assert.strictEqual(await c.store.update(bad as string, { ip: 'x' }, null), false, label(bad))
      assert.strictEqual(await c.store.destroy(bad as string), null, label(bad))
    }
    assert.deepStrictEqual(await c.store.get(id), { id, ...c.session() })
  }
}, {
  name: 'update rejects changes that are not allowed or of the wrong type, and changes nothing',
  async run (c) {
    const id = await c.add()
    const bad: unknown[] = [
      null, 'ip', { id: 'x' }, { userId: 'u2' }, { createdAt: 1 }, { unknown: 1 }, { __proto__: null, constructor: 1 },
      { lastSeenAt: '1' }, { lastSeenAt: NaN }, { lastSeenAt: Infinity }, { lastSeenAt: 1e300 }, { lastSeenAt: null },
      { ip: 1 }, { ip: null }, { userAgent: {} }, { rememberHash: 1 }, { rotatedAt: '1' }, { engineId: false }, { expiresAt: null }
    ]
    for (const changes of bad) {
      await assert.rejects(c.store.update(id, changes as never), c.badInput, label(changes))
    }
    for (const expected of [1, {}, false]) {
      await assert.rejects(c.store.update(id, { ip: 'x' }, expected as never), c.badInput, label(expected))
    }
    assert.deepStrictEqual(await c.store.get(id), { id, ...c.session() })
  }
}, {
  name: 'create rejects a malformed session or limit, and creates nothing',
  async run (c) {
    const good = c.session()
    const sessions: unknown[] = [
      null, 'session', 1,
      { ...good, userId: '' }, { ...good, userId: 1 }, { ...good, userId: undefined },
      { ...good, createdAt: '1' }, { ...good, lastSeenAt: NaN }, { ...good, expiresAt: undefined }, { ...good, expiresAt: -Infinity },
      { ...good, ip: null }, { ...good, userAgent: 1 }, { ...good, rememberHash: undefined }, { ...good, previousRememberHash: 1 },
      { ...good, rotatedAt: 'now' }, { ...good, engineId: {} }
    ]
    for (const session of sessions) {
      await assert.rejects(c.store.create(session as NewStoredSession, NO_LIMIT), c.badInput, label(session))
    }
    const limits: unknown[] = [
      null, 3, {}, { ...NO_LIMIT, maxPerUser: 0 }, { ...NO_LIMIT, maxPerUser: -1 }, { ...NO_LIMIT, maxPerUser: 1.5 },
      { ...NO_LIMIT, maxPerUser: '3' }, { ...NO_LIMIT, maxPerUser: undefined }, { ...NO_LIMIT, maxPerUser: Infinity },
      { ...NO_LIMIT, onLimit: 'drop' }, { ...NO_LIMIT, onLimit: undefined }
    ]
    for (const bad of limits) {
      await assert.rejects(c.store.create(good, bad as SessionLimit), c.badInput, label(bad))
    }
    assert.deepStrictEqual(await c.store.list('u1'), [])
  }
}]
