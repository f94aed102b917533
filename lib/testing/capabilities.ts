// The contract's cases on what a store may declare beyond the six methods
// (`SessionStore.capabilities`, and `rotate` by having it). One case always runs: the store has
// exactly the capabilities the contract was told of. The cases of each capability run only when
// it is one of them, named "… (capability: name)"; a store without it gets none of them, and
// fastify-login gives it neither `origin` nor `authDigest`.
import assert from 'node:assert/strict'
import type { NewStoredSession, SessionLimit, SessionStore } from '../../types/index.js'
import type { ContractCapability } from '../../types/testing.js'
import { ids, limit, type ContractCase } from './case.js'
import { ROTATE_CASES } from './rotate.js'

/** What the contract can be given: what a store may declare, and `rotate`. */
export const KNOWN: readonly ContractCapability[] = ['origin', 'authDigest', 'rotate']

/** The capabilities the store has: those it declares (known ones only), and `rotate` when it has the method. */
function capabilitiesOf (store: SessionStore): string[] {
  const declared: unknown = store.capabilities ?? []
  assert.ok(Array.isArray(declared), 'capabilities is an array of names, or absent')
  for (const name of declared) {
    assert.ok(name === 'origin' || name === 'authDigest', `unknown capability ${JSON.stringify(name)} (rotate is declared by having the method)`)
  }
  return [...declared, ...(typeof store.rotate === 'function' ? ['rotate'] : [])]
}

/** The case that ties the store to what the contract was told: no capability untested, none tested in vain. */
export function declarationCase (told: readonly ContractCapability[]): ContractCase {
  return {
    name: 'the store has exactly the capabilities the contract was given (capabilities option: origin, authDigest, rotate)',
    async run (c) {
      const has = capabilitiesOf(c.store)
      const option = `capabilities: [${has.map((name) => `'${name}'`).join(', ')}]`
      for (const name of has) assert.ok(told.includes(name as ContractCapability), `the store has ${name}: give the contract ${option} so that its cases run`)
      for (const name of told) assert.ok(has.includes(name), `the contract was given ${name}, which the store does not have`)
    }
  }
}

/** A limit carrying a login's origin. */
const from = (origin: unknown, base: SessionLimit = limit(null)): SessionLimit => ({ ...base, origin } as SessionLimit)

const ORIGIN_CASES: readonly ContractCase[] = [{
  name: 'create with the origin of a live entry of the same user and remember hash joins it, even at the limit, and ends nothing (capability: origin)',
  async run (c) {
    const first = await c.store.create(c.session({ rememberHash: 'r1' }), from('cookie-digest_1', limit(1, 'refuse')))
    assert.ok(first !== null)
    const second = await c.store.create(c.session({ rememberHash: 'r1' }), from('cookie-digest_1', limit(1, 'refuse')))
    assert.deepStrictEqual(second, { id: first.id, ended: [] })
    const plain = await c.store.create(c.session(), from('cookie-digest_2'))
    assert.deepStrictEqual(await c.store.create(c.session(), from('cookie-digest_2')), { id: plain!.id, ended: [] })
    assert.deepStrictEqual(ids(await c.store.list('u1')), [first.id, plain!.id].sort())
  }
}, {
  name: 'create joins no entry of another user, origin or remember hash, nor an ended one, nor without an origin (capability: origin)',
  async run (c) {
    const origin = 'cookie-digest'
    const made = [(await c.store.create(c.session({ rememberHash: 'r1' }), from(origin)))!.id]
    const again = async (session: NewStoredSession, given: unknown): Promise<void> => {
      const created = await c.store.create(session, from(given))
      assert.ok(created !== null && !made.includes(created.id), JSON.stringify([session.userId, session.rememberHash, given]))
      made.push(created.id)
    }
    await again(c.session({ userId: 'u2', rememberHash: 'r1' }), origin)
    await again(c.session({ rememberHash: 'r1' }), 'another-digest')
    await again(c.session({ rememberHash: 'r2' }), origin)
    await again(c.session({ rememberHash: null }), origin)
    for (const given of [null, undefined]) await again(c.session({ rememberHash: 'r1' }), given)
    // the last create from `origin` (rememberHash null) holds it now; once that entry ends, a new one is made
    await c.store.destroyAll('u1')
    await again(c.session({ rememberHash: null }), origin)
  }
}]

const AUTH_DIGEST_CASES: readonly ContractCase[] = [{
  name: 'the auth digest is kept as given, an entry given none reads back with none (null or absent), and update cannot change it (capability: authDigest)',
  async run (c) {
    const id = await c.add({ authDigest: 'digest-of-the-auth-hash' })
    assert.strictEqual((await c.store.get(id))?.authDigest, 'digest-of-the-auth-hash')
    assert.strictEqual((await c.store.list('u1'))[0]?.authDigest, 'digest-of-the-auth-hash')
    const { authDigest: _left, ...without } = c.session()
    const created = await c.store.create(without, limit(null))
    assert.strictEqual((await c.store.get(created!.id))?.authDigest ?? null, null)
    await assert.rejects(c.store.update(id, { authDigest: 'other' } as never), c.badInput)
    await assert.rejects(c.store.create(c.session({ authDigest: 1 as never }), limit(null)), c.badInput)
    assert.strictEqual((await c.store.get(id))?.authDigest, 'digest-of-the-auth-hash')
    assert.strictEqual((await c.store.list('u1')).length, 2)
  }
}, {
  name: 'create counts no entry of another auth digest against the limit and ends them, unless it is refused (capability: authDigest)',
  async run (c) {
    const stale = [await c.add({ authDigest: 'old', lastSeenAt: Date.now() - 10 }), await c.add({ authDigest: 'old' })]
    const legacy = await c.add({ authDigest: null, lastSeenAt: Date.now() - 5 }) // made without a digest: never stale
    const created = await c.store.create(c.session({ authDigest: 'new' }), limit(2, 'refuse'))
    assert.ok(created !== null)
    assert.deepStrictEqual(ids(created.ended), stale.sort())
    assert.deepStrictEqual(ids(await c.store.list('u1')), [legacy, created.id].sort())
    assert.strictEqual(await c.store.create(c.session({ authDigest: 'new' }), limit(2, 'refuse')), null, 'current ones count')
    const other = await c.add({ authDigest: 'older' })
    assert.strictEqual(await c.store.create(c.session({ authDigest: null }), limit(3, 'refuse')), null, 'a login without a digest judges none stale')
    assert.strictEqual(await c.store.create(c.session({ authDigest: 'new' }), limit(1, 'refuse')), null)
    assert.strictEqual((await c.store.get(other))?.id, other, 'a refused create ends nothing')
    const evicting = await c.store.create(c.session({ authDigest: 'new', lastSeenAt: Date.now() + 1 }), limit(2))
    assert.deepStrictEqual(ids(evicting!.ended), [other, legacy].sort(), 'the stale one ends as well as the oldest current one')
  }
}]

/** Each capability's cases. */
export const CAPABILITY_CASES: Readonly<Record<ContractCapability, readonly ContractCase[]>> = {
  origin: ORIGIN_CASES,
  authDigest: AUTH_DIGEST_CASES,
  rotate: ROTATE_CASES
}
