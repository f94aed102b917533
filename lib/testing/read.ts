// The contract's cases on reading and ending entries: get, list, destroy, destroyAll, and an
// entry that is gone for every method once its expiresAt has passed.
import assert from 'node:assert/strict'
import type { StoredSession } from '../../types/index.js'
import { ids, MINUTE, HOUR, NO_LIMIT, type ContractCase } from './case.js'

const byId = (entries: ReadonlyArray<StoredSession | null>): Array<StoredSession | null> =>
  [...entries].sort((x, y) => x!.id.localeCompare(y!.id))

export const READ_CASES: readonly ContractCase[] = [{
  name: 'get returns every field as it was given, for null and non-null values alike',
  async run (c) {
    const plain = c.session()
    const full = c.session({
      userId: 'user {with} "odd" chars: ü, 佐藤, \r\n;,',
      createdAt: Date.now() - 1234.5,
      lastSeenAt: Date.now() - 0.25,
      ip: '2001:db8::1',
      userAgent: '',
      rememberHash: 'h'.repeat(43),
      previousRememberHash: '',
      rotatedAt: Date.now() - 5000,
      engineId: 'engine-id.with.dots',
      expiresAt: Date.now() + HOUR + 0.5
    })
    for (const session of [plain, full]) {
      const id = (await c.store.create(session, NO_LIMIT))!.id
      assert.deepStrictEqual(await c.store.get(id), { id, ...session })
    }
  }
}, {
  name: 'a caller changing what it passed or got back does not change the entry',
  async run (c) {
    const session = { ...c.session() }
    const id = (await c.store.create(session, NO_LIMIT))!.id
    session.ip = 'changed by the caller'
    const got = await c.store.get(id) as { ip: string }
    try {
      got.ip = 'changed by the caller'
    } catch {} // a store may hand out frozen entries
    assert.strictEqual((await c.store.get(id))!.ip, '203.0.113.7')
  }
}, {
  name: 'an entry is gone for every method once Date.now() reaches expiresAt',
  async run (c) {
    const id = await c.add({ expiresAt: Date.now() + MINUTE })
    const other = await c.add()
    c.tick(MINUTE - 1)
    assert.strictEqual((await c.store.get(id))!.id, id)
    c.tick(1)
    assert.strictEqual(await c.store.get(id), null)
    assert.strictEqual(await c.store.update(id, { lastSeenAt: Date.now() }), false)
    assert.deepStrictEqual(ids(await c.store.list('u1')), [other])
    assert.strictEqual(await c.store.destroy(id), null)
    assert.deepStrictEqual(ids(await c.store.destroyAll('u1')), [other])
  }
}, {
  name: 'an expired entry is gone for destroy and destroyAll too, and still gone later',
  async run (c) {
    const a = await c.add({ expiresAt: Date.now() + MINUTE })
    const b = await c.add({ expiresAt: Date.now() + MINUTE })
    c.tick(MINUTE)
    assert.strictEqual(await c.store.destroy(a), null)
    assert.deepStrictEqual(await c.store.destroyAll('u1'), [])
    assert.strictEqual(await c.store.get(b), null)
    assert.deepStrictEqual(await c.store.list('u1'), [])
  }
}, {
  name: 'an entry created already expired is gone at once',
  async run (c) {
    const id = await c.add({ expiresAt: Date.now() })
    assert.strictEqual(await c.store.get(id), null)
    assert.deepStrictEqual(await c.store.list('u1'), [])
  }
}, {
  name: 'list returns the live entries of one user only; an unknown user has none',
  async run (c) {
    const a = await c.add()
    const b = await c.add()
    const theirs = await c.add({ userId: 'u2' })
    assert.deepStrictEqual(ids(await c.store.list('u1')), [a, b].sort())
    assert.deepStrictEqual(ids(await c.store.list('u2')), [theirs])
    assert.deepStrictEqual((await c.store.list('u1')).find((entry) => entry.id === a), await c.store.get(a))
    for (const userId of ['u3', '', 'U1', 'u1 ', '__proto__', 'constructor', 1, null, undefined, {}]) {
      assert.deepStrictEqual(await c.store.list(userId as string), [], String(userId))
    }
  }
}, {
  name: 'user ids such as __proto__ and constructor are ordinary ids',
  async run (c) {
    const proto = await c.add({ userId: '__proto__' })
    const ctor = await c.add({ userId: 'constructor' })
    assert.deepStrictEqual(ids(await c.store.list('__proto__')), [proto])
    assert.deepStrictEqual(ids(await c.store.destroyAll('constructor')), [ctor])
    assert.strictEqual((await c.store.get(proto))!.userId, '__proto__')
  }
}, {
  name: 'list prunes expired entries and keeps the rest across many users',
  async run (c) {
    const short = await c.add({ expiresAt: Date.now() + MINUTE })
    const long = await c.add({ expiresAt: Date.now() + 2 * MINUTE })
    c.tick(MINUTE)
    assert.deepStrictEqual(ids(await c.store.list('u1')), [long])
    assert.strictEqual(await c.store.get(short), null)
    c.tick(MINUTE)
    assert.deepStrictEqual(await c.store.list('u1'), [])
    const again = await c.add()
    assert.deepStrictEqual(ids(await c.store.list('u1')), [again])
  }
}, {
  name: 'destroy removes the entry and returns it once; other entries stay',
  async run (c) {
    const id = await c.add()
    const other = await c.add()
    const entry = await c.store.get(id)
    assert.deepStrictEqual(await c.store.destroy(id), entry)
    assert.strictEqual(await c.store.destroy(id), null)
    assert.strictEqual(await c.store.get(id), null)
    assert.strictEqual(await c.store.update(id, { ip: 'x' }), false)
    assert.deepStrictEqual(ids(await c.store.list('u1')), [other])
  }
}, {
  name: 'destroyAll ends every entry of the user except exceptId, and returns them',
  async run (c) {
    const keep = await c.add()
    const a = await c.add()
    const b = await c.add()
    const theirs = await c.add({ userId: 'u2' })
    const entries = [await c.store.get(a), await c.store.get(b)]
    const ended = await c.store.destroyAll('u1', keep)
    assert.deepStrictEqual(byId(ended), byId(entries))
    assert.deepStrictEqual(ids(await c.store.list('u1')), [keep])
    assert.deepStrictEqual(ids(await c.store.list('u2')), [theirs])
    // exceptId of another user keeps nothing of this one
    assert.deepStrictEqual(ids(await c.store.destroyAll('u1', theirs)), [keep])
    assert.deepStrictEqual(ids(await c.store.list('u2')), [theirs])
  }
}, {
  name: 'destroyAll without exceptId (or with null, or a malformed one) ends all; an unknown user ends none',
  async run (c) {
    for (const exceptId of [undefined, null, '__proto__', 1]) {
      const made = [await c.add(), await c.add()]
      assert.deepStrictEqual(ids(await c.store.destroyAll('u1', exceptId as string)), made.sort(), String(exceptId))
      assert.deepStrictEqual(await c.store.list('u1'), [])
    }
    for (const userId of ['nobody', '__proto__', 7, null]) {
      assert.deepStrictEqual(await c.store.destroyAll(userId as string), [])
    }
  }
}]
