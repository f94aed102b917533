// The contract's cases on `create`: the ids it makes, and the per-user limit (refuse,
// revoke-oldest, replaces), atomic under parallel logins.
import assert from 'node:assert/strict'
import { ids, limit, otherId, MINUTE, HOUR, NO_LIMIT, type ContractCase } from './case.js'

export const CREATE_CASES: readonly ContractCase[] = [{
  name: 'create makes a URL-safe id of at most 128 characters, a new one each time, and ends nothing',
  async run (c) {
    const made = new Set<string>()
    for (let i = 0; i < 40; i++) {
      const created = await c.store.create(c.session(), NO_LIMIT)
      assert.ok(created !== null)
      assert.match(created.id, /^[A-Za-z0-9._~-]{22,128}$/)
      assert.deepStrictEqual(created.ended, [])
      made.add(created.id)
    }
    assert.strictEqual(made.size, 40)
  }
}, {
  name: 'extra properties of a new session are not stored',
  async run (c) {
    const created = await c.store.create({ ...c.session(), id: 'chosen-by-caller', extra: 1 } as never, NO_LIMIT)
    assert.notStrictEqual(created!.id, 'chosen-by-caller')
    assert.deepStrictEqual(await c.store.get(created!.id), { id: created!.id, ...c.session() })
  }
}, {
  name: 'expired entries do not count against the limit and are not reported as ended',
  async run (c) {
    await c.add({ expiresAt: Date.now() + MINUTE })
    await c.add({ expiresAt: Date.now() + MINUTE })
    const live = await c.add({ expiresAt: Date.now() + HOUR })
    c.tick(MINUTE)
    const created = await c.store.create(c.session(), limit(2, 'refuse'))
    assert.ok(created !== null)
    assert.deepStrictEqual(created.ended, [])
    assert.deepStrictEqual(ids(await c.store.list('u1')), [created.id, live].sort())
  }
}, {
  name: 'revoke-oldest ends the least recently seen entry and returns it',
  async run (c) {
    const a = await c.add({ lastSeenAt: Date.now() - 3000 })
    const b = await c.add({ lastSeenAt: Date.now() - 1000 })
    const d = await c.add({ lastSeenAt: Date.now() - 2000 })
    const bEntry = await c.store.get(b)
    // seeing a again makes b the least recently seen
    assert.strictEqual(await c.store.update(a, { lastSeenAt: Date.now() }), true)
    assert.strictEqual(await c.store.update(d, { lastSeenAt: Date.now() - 500 }), true)
    const created = await c.store.create(c.session(), limit(3))
    assert.ok(created !== null)
    assert.deepStrictEqual(created.ended, [bEntry])
    assert.deepStrictEqual(ids(await c.store.list('u1')), [a, d, created.id].sort())
    assert.strictEqual(await c.store.get(b), null)
  }
}, {
  name: 'revoke-oldest breaks a tie of lastSeenAt by the oldest createdAt',
  async run (c) {
    const seen = Date.now()
    const young = await c.add({ lastSeenAt: seen, createdAt: seen - 10 })
    const old = await c.add({ lastSeenAt: seen, createdAt: seen - 20 })
    const created = await c.store.create(c.session({ lastSeenAt: seen }), limit(2))
    assert.deepStrictEqual(ids(created!.ended), [old])
    assert.deepStrictEqual(ids(await c.store.list('u1')), [young, created!.id].sort())
  }
}, {
  name: 'revoke-oldest ends as many as needed to leave maxPerUser entries',
  async run (c) {
    const made = []
    for (let i = 0; i < 5; i++) made.push(await c.add({ lastSeenAt: Date.now() - 5000 + i }))
    const created = await c.store.create(c.session(), limit(2))
    assert.deepStrictEqual(ids(created!.ended), made.slice(0, 4).sort())
    assert.deepStrictEqual(ids(await c.store.list('u1')), [made[4], created!.id].sort())
  }
}, {
  name: 'refuse returns null and changes nothing, not even the entry it would replace',
  async run (c) {
    const a = await c.add()
    const b = await c.add()
    const before = ids(await c.store.list('u1'))
    assert.strictEqual(await c.store.create(c.session(), limit(2, 'refuse')), null)
    // replacing a leaves b, one entry: refused under maxPerUser 1, and a is not ended
    assert.strictEqual(await c.store.create(c.session(), limit(1, 'refuse', a)), null)
    assert.deepStrictEqual(ids(await c.store.list('u1')), before)
    assert.strictEqual((await c.store.get(a))!.id, a)
    assert.strictEqual((await c.store.get(b))!.id, b)
  }
}, {
  name: 'below the limit, refuse and revoke-oldest both create',
  async run (c) {
    await c.add()
    assert.ok(await c.store.create(c.session(), limit(3, 'refuse')))
    assert.deepStrictEqual((await c.store.create(c.session(), limit(3)))!.ended, [])
    assert.strictEqual((await c.store.list('u1')).length, 3)
  }
}, {
  name: 'replaces: the replaced entry is ended, returned, and not counted',
  async run (c) {
    const a = await c.add()
    const b = await c.add()
    const aEntry = await c.store.get(a)
    const created = await c.store.create(c.session(), limit(2, 'refuse', a))
    assert.ok(created !== null)
    assert.deepStrictEqual(created.ended, [aEntry])
    assert.deepStrictEqual(ids(await c.store.list('u1')), [b, created.id].sort())
    assert.strictEqual(await c.store.get(a), null)
  }
}, {
  name: 'replaces with revoke-oldest at the limit: the replaced one and the oldest others end',
  async run (c) {
    const old = await c.add({ lastSeenAt: Date.now() - 9000 })
    const replaced = await c.add({ lastSeenAt: Date.now() })
    const keep = await c.add({ lastSeenAt: Date.now() - 1000 })
    const created = await c.store.create(c.session(), limit(2, 'revoke-oldest', replaced))
    assert.deepStrictEqual(ids(created!.ended), [old, replaced].sort())
    assert.deepStrictEqual(ids(await c.store.list('u1')), [keep, created!.id].sort())
  }
}, {
  name: 'replaces ignores an entry of another user, an expired one, an unknown or malformed id',
  async run (c) {
    const theirs = await c.add({ userId: 'u2' })
    const expired = await c.add({ expiresAt: Date.now() + MINUTE })
    const mine = await c.add()
    c.tick(MINUTE)
    for (const replaces of [theirs, expired, otherId(mine), '__proto__', 'x'.repeat(300)]) {
      const created = await c.store.create(c.session(), limit(null, 'revoke-oldest', replaces))
      assert.deepStrictEqual(created!.ended, [], replaces)
    }
    assert.strictEqual((await c.store.get(theirs))!.userId, 'u2')
    assert.strictEqual((await c.store.get(mine))!.id, mine)
  }
}, {
  name: 'limits are per user: entries of other users are neither counted nor ended',
  async run (c) {
    const theirs = [await c.add({ userId: 'u2' }), await c.add({ userId: 'u2' })]
    const created = await c.store.create(c.session(), limit(1, 'refuse'))
    assert.ok(created !== null)
    const second = await c.store.create(c.session(), limit(1))
    assert.deepStrictEqual(ids(second!.ended), [created.id])
    assert.deepStrictEqual(ids(await c.store.list('u2')), theirs.sort())
  }
}, {
  name: 'parallel creates of one user never leave more than maxPerUser live entries',
  async run (c) {
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) =>
      c.store.create(c.session({ lastSeenAt: Date.now() + i }), limit(3))))
    const live = await c.store.list('u1')
    assert.strictEqual(live.length, 3)
    const ended = results.flatMap((result) => result!.ended.map((entry) => entry.id))
    assert.strictEqual(ended.length, 57)
    assert.strictEqual(new Set([...ended, ...ids(live)]).size, 60)
    const refused = await Promise.all(Array.from({ length: 20 }, () => c.store.create(c.session(), limit(3, 'refuse'))))
    assert.deepStrictEqual(refused, Array(20).fill(null))
    assert.deepStrictEqual(ids(await c.store.list('u1')), ids(live))
  }
}]
