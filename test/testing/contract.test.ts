// fastify-login/testing: the SessionStore contract a user runs on their own store. A store that
// breaks one promise fails the cases about it (and only those); the options are checked; each
// case gets a fresh store, a frozen Date.now() that is restored, `check` and `teardown`.
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { memorySessionStore, type SessionStore } from 'fastify-login'
import { sessionStoreContract } from 'fastify-login/testing'
import {
  announcingOnly, cachingGet, ignoringCompareAndSet, ignoringLimit, ignoringOrigin, losingAuthDigests, notifyingLater, notStoppingListeners,
  rotatingWithoutGrace, runContract, storeWith, throwingOnMalformedIds
} from '../helpers/contract-stores.js'

const CAS = 'update with expectRememberHash is a compare-and-set on rememberHash'
const PARALLEL_CAS = 'parallel compare-and-sets with the same expected hash: exactly one applies'
const BAD_UPDATE = 'update rejects changes that are not allowed or of the wrong type, and changes nothing'
const MALFORMED = 'malformed and unknown ids are nothing: null or false, never a throw'
const NOTIFY_HEARS = 'announce and subscribe: both or neither; every listener hears each notice announced, this process\'s own included'
const NOTIFY_STOPS = 'announce and subscribe: a listener whose stop function resolved hears nothing more; the others still do'

const DECLARED = 'the store has exactly the capabilities the contract was given (capabilities option: origin, authDigest, rotate)'
/** What the memory store has: it declares origin and authDigest, and has rotate. */
const ALL = { capabilities: ['origin', 'authDigest', 'rotate'] } as const

const failedNames = (outcome: { failed: Map<string, unknown> }): string[] => [...outcome.failed.keys()].sort()

test('the memory store passes every case; each case is a function of no argument (Jest, Vitest and node:test alike)', async (t: TestContext) => {
  const outcome = await runContract(() => memorySessionStore(), ALL)
  t.assert.deepStrictEqual(failedNames(outcome), [])
  t.assert.ok(outcome.names.length >= 30, `${outcome.names.length} cases`)
  for (const capability of ALL.capabilities) {
    t.assert.strictEqual(outcome.names.filter((name) => name.endsWith(`(capability: ${capability})`)).length, 2, capability)
  }
  t.assert.strictEqual(new Set(outcome.names).size, outcome.names.length, 'no two cases share a name')
  t.assert.deepStrictEqual(new Set(outcome.arities), new Set([0]))
  for (const name of [CAS, PARALLEL_CAS, MALFORMED, NOTIFY_HEARS, NOTIFY_STOPS]) t.assert.ok(outcome.names.includes(name), name)
})

test('a store whose update ignores expectRememberHash fails the compare-and-set cases', async (t: TestContext) => {
  const outcome = await runContract(ignoringCompareAndSet)
  // it does not check the expected hash's type either
  t.assert.deepStrictEqual(failedNames(outcome), [CAS, PARALLEL_CAS, BAD_UPDATE].sort())
})

test('a store whose create ignores maxPerUser fails the limit cases', async (t: TestContext) => {
  const failed = failedNames(await runContract(ignoringLimit))
  for (const name of [
    'refuse returns null and changes nothing, not even the entry it would replace',
    'revoke-oldest ends the least recently seen entry and returns it',
    'revoke-oldest ends as many as needed to leave maxPerUser entries',
    'parallel creates of one user never leave more than maxPerUser live entries',
    'limits are per user: entries of other users are neither counted nor ended'
  ]) t.assert.ok(failed.includes(name), name)
  t.assert.deepStrictEqual(failed.filter((name) => !/limit|maxPerUser|revoke-oldest|refuse|replaces/.test(name)), [])
})

test('a store whose get answers from a cache that nothing clears fails the cases that end or change entries', async (t: TestContext) => {
  const failed = failedNames(await runContract(cachingGet))
  for (const name of [
    'an entry is gone for every method once Date.now() reaches expiresAt',
    'destroy removes the entry and returns it once; other entries stay',
    'revoke-oldest ends the least recently seen entry and returns it',
    'update with expectRememberHash is a compare-and-set on rememberHash'
  ]) t.assert.ok(failed.includes(name), name)
  t.assert.ok(!failed.includes(MALFORMED) && !failed.includes(PARALLEL_CAS))
})

test('a store that throws on a malformed id fails the malformed-ids case only', async (t: TestContext) => {
  const outcome = await runContract(throwingOnMalformedIds)
  t.assert.deepStrictEqual(failedNames(outcome), [MALFORMED])
  t.assert.match(String(outcome.failed.get(MALFORMED)), /id must be a string/)
})

test('a store of the six methods only: no capability case is registered, and it passes (the capabilities case included)', async (t: TestContext) => {
  const outcome = await runContract(() => storeWith(memorySessionStore()))
  t.assert.deepStrictEqual(failedNames(outcome), [])
  t.assert.ok(outcome.passed.includes(DECLARED))
  t.assert.deepStrictEqual(outcome.names.filter((name) => name.includes('(capability:')), [])
})

test('a store with capabilities the contract was not given fails the capabilities case only, which names the option to give', async (t: TestContext) => {
  for (const [options, missing] of [[{}, 'origin'], [{ capabilities: ['rotate', 'origin'] as const }, 'authDigest']] as const) {
    const outcome = await runContract(() => memorySessionStore(), options)
    t.assert.deepStrictEqual(failedNames(outcome), [DECLARED])
    t.assert.match(String(outcome.failed.get(DECLARED)), new RegExp(`has ${missing}: give the contract capabilities: \\['origin', 'authDigest', 'rotate'\\]`))
  }
})

test('capabilities given that the store does not have fail the capabilities case (and a missing rotate fails its cases)', async (t: TestContext) => {
  const outcome = await runContract(() => storeWith(memorySessionStore(), { capabilities: ['origin'] }), ALL)
  t.assert.match(String(outcome.failed.get(DECLARED)), /given authDigest, which the store does not have/)
  const rotateCases = outcome.names.filter((name) => name.endsWith('(capability: rotate)'))
  t.assert.deepStrictEqual(failedNames(outcome), [DECLARED, ...rotateCases].sort())
})

test('a capabilities property that is not an array of origin and authDigest fails the capabilities case', async (t: TestContext) => {
  for (const [capabilities, message] of [['origin', /an array/], [['rotate'], /unknown capability "rotate" \(rotate is declared by having the method\)/], [['join'], /unknown capability "join"/]] as const) {
    const outcome = await runContract(() => storeWith(memorySessionStore(), { capabilities: capabilities as never }))
    t.assert.deepStrictEqual(failedNames(outcome), [DECLARED])
    t.assert.match(String(outcome.failed.get(DECLARED)), message)
  }
})

test('a store that declares a capability and does not keep its promise fails that capability\'s cases only', async (t: TestContext) => {
  const digests = await runContract(losingAuthDigests, { capabilities: ['authDigest'] })
  t.assert.deepStrictEqual(failedNames(digests), digests.names.filter((name) => name.endsWith('(capability: authDigest)')).sort())
  t.assert.strictEqual(digests.failed.size, 2)
  const origin = await runContract(ignoringOrigin, { capabilities: ['origin'] })
  t.assert.deepStrictEqual(failedNames(origin), [origin.names.find((name) => name.startsWith('create with the origin of a live entry'))])
  const rotate = await runContract(rotatingWithoutGrace, { capabilities: ['rotate'] })
  t.assert.deepStrictEqual(failedNames(rotate), [rotate.names.find((name) => name.startsWith('rotate: the current token rotates once'))])
})

test('announce and subscribe: checked when the store has them, whether it delivers at once or later', async (t: TestContext) => {
  t.assert.deepStrictEqual(failedNames(await runContract(notifyingLater)), [])
  t.assert.deepStrictEqual(failedNames(await runContract(() => memorySessionStore(), ALL)), [])
  // a store without either passes them (the plugin then relies on its recheck)
  const without = await runContract(() => storeWith(memorySessionStore()))
  t.assert.deepStrictEqual(failedNames(without), [])
})

test('announce without subscribe, or a stop function that does not stop, fails the notification cases', async (t: TestContext) => {
  const lonely = await runContract(announcingOnly)
  t.assert.deepStrictEqual(failedNames(lonely), [NOTIFY_HEARS, NOTIFY_STOPS].sort())
  t.assert.match(String(lonely.failed.get(NOTIFY_HEARS)), /both announce and subscribe, or neither/)
  t.assert.deepStrictEqual(failedNames(await runContract(notStoppingListeners)), [NOTIFY_STOPS])
})

test('badInputError: any Error by default; when given, bad input must reject with that', async (t: TestContext) => {
  const plainErrors = (): SessionStore => {
    const base = memorySessionStore()
    const plain = (error: unknown) => { throw new Error(String(error)) }
    return storeWith(base, {
      create: (session, limit) => base.create(session, limit).catch(plain),
      update: (id, changes, expected) => base.update(id, changes, expected).catch(plain)
    })
  }
  t.assert.deepStrictEqual(failedNames(await runContract(plainErrors)), [])
  const coded = await runContract(plainErrors, { badInputError: { code: 'FST_LOGIN_INVALID_VALUE' } })
  t.assert.deepStrictEqual(failedNames(coded), [
    BAD_UPDATE, 'create rejects a malformed session or limit, and creates nothing'
  ].sort())
  t.assert.deepStrictEqual(failedNames(await runContract(() => memorySessionStore(), { ...ALL, badInputError: { code: 'FST_LOGIN_INVALID_VALUE' } })), [])
})

test('each case: a fresh store, Date.now() frozen while it runs and restored after, check after every call, teardown after, pass or fail', async (t: TestContext) => {
  const realNow = Date.now
  const seen = { stores: new Set<SessionStore>(), checks: 0, teardowns: 0, frozen: 0, restoredAtTeardown: 0 }
  const outcome = await runContract(async () => {
    const before = Date.now()
    await sleep(2) // the real clock moves on; the case's does not
    if (Date.now !== realNow && Date.now() === before) seen.frozen++
    const store = ignoringCompareAndSet()
    seen.stores.add(store)
    return {
      store,
      check: async () => { seen.checks++ },
      teardown: async () => { seen.teardowns++; if (Date.now === realNow) seen.restoredAtTeardown++ }
    }
  })
  const cases = outcome.names.length
  t.assert.strictEqual(outcome.failed.size, 3)
  t.assert.deepStrictEqual([seen.stores.size, seen.frozen, seen.teardowns, seen.restoredAtTeardown], [cases, cases, cases, cases])
  t.assert.ok(seen.checks > 100, `${seen.checks} checks`)
  t.assert.strictEqual(Date.now, realNow)
})

test('check runs after every call of the store, announce and subscribe included', async (t: TestContext) => {
  const log: string[] = []
  const base = memorySessionStore()
  const logged = (name: keyof SessionStore) => async (...args: unknown[]) => {
    log.push(name)
    return (base[name] as (...args: unknown[]) => Promise<unknown>).apply(base, args)
  }
  const store = { ...storeWith(base), create: logged('create'), announce: logged('announce'), subscribe: logged('subscribe') } as SessionStore
  await sessionStoreContract(() => ({ store, check: () => { log.push('check') } }), {
    test: (name, run) => name === NOTIFY_STOPS ? run() : undefined
  })
  t.assert.deepStrictEqual(log, ['subscribe', 'check', 'subscribe', 'check', 'create', 'check', 'announce', 'check'])
})

test('a check that throws fails every case that calls the store', async (t: TestContext) => {
  const failing = await runContract(() => ({ store: storeWith(memorySessionStore()), check: () => { throw new Error('backend invariant broken') } }))
  // (the capabilities case reads a property and calls nothing)
  t.assert.deepStrictEqual(failedNames(failing), failing.names.filter((name) => !name.startsWith('announce and subscribe') && name !== DECLARED).sort())
  t.assert.match(String([...failing.failed.values()][0]), /backend invariant broken/)
})

test('makeStore giving something that is not a store, or throwing, fails every case with what went wrong; the clock is restored', async (t: TestContext) => {
  const realNow = Date.now
  for (const made of [undefined, null, {}, { store: {} }, { store: { ...memorySessionStore(), get: 1 } }, storeWith(memorySessionStore(), { destroyAll: undefined as never })]) {
    const outcome = await runContract(() => made as never)
    t.assert.strictEqual(outcome.passed.length, 0)
    for (const error of outcome.failed.values()) {
      t.assert.strictEqual((error as { code?: string }).code, 'FST_LOGIN_INVALID_VALUE')
      t.assert.match((error as Error).message, /makeStore must give a SessionStore/)
    }
  }
  const throwing = await runContract(async () => { throw new Error('no database') })
  t.assert.deepStrictEqual([...new Set([...throwing.failed.values()].map(String))], ['Error: no database'])
  t.assert.strictEqual(Date.now, realNow)
})

test('sessionStoreContract refuses a makeStore, test or describe that is not a function, with a coded error', (t: TestContext) => {
  const makeStore = () => memorySessionStore()
  const calls: Array<[unknown, unknown, RegExp]> = [
    [undefined, { test }, /"makeStore"/], [memorySessionStore(), { test }, /"makeStore"/],
    [makeStore, undefined, /"test"/], [makeStore, null, /"test"/], [makeStore, test, /"test"/], [makeStore, { it: test }, /"test"/],
    [makeStore, { test, describe: 'x' }, /"describe"/],
    [makeStore, { test, capabilities: 'origin' }, /"capabilities"/], [makeStore, { test, capabilities: ['join'] }, /"capabilities"/],
    [makeStore, { test, capabilities: ['origin', 'origin'] }, /"capabilities"/], [makeStore, { test, capabilities: null }, /"capabilities"/]
  ]
  for (const [store, options, message] of calls) {
    t.assert.throws(() => sessionStoreContract(store as never, options as never), { code: 'FST_LOGIN_INVALID_OPTION', message })
  }
})

test('with describe, the cases are registered inside one group; the promise settles once the started cases have', async (t: TestContext) => {
  const groups: Array<{ name: string, cases: string[] }> = []
  let finished = 0
  let queue = Promise.resolve()
  const settled = sessionStoreContract(() => memorySessionStore(), {
    ...ALL,
    describe: (name, body) => { groups.push({ name, cases: [] }); body() },
    test: (name, run) => {
      groups.at(-1)!.cases.push(name)
      // one at a time, as a runner does
      queue = queue.then(run).then(() => { finished++ })
      return queue
    }
  })
  t.assert.deepStrictEqual(groups.map((group) => group.name), ['SessionStore contract'])
  t.assert.strictEqual(await settled, undefined)
  t.assert.strictEqual(finished, groups[0]!.cases.length)
})

test('cases run one at a time: a case started while another runs fails with a coded error, and the clock is restored', async (t: TestContext) => {
  const realNow = Date.now
  const runs: Array<() => Promise<void>> = []
  await sessionStoreContract(() => memorySessionStore(), { test: (name, run) => { runs.push(run) } })
  const [first, second] = await Promise.allSettled([runs[0]!(), runs[1]!()])
  t.assert.strictEqual(first.status, 'fulfilled')
  t.assert.strictEqual(second.status, 'rejected')
  t.assert.strictEqual((second as PromiseRejectedResult).reason.code, 'FST_LOGIN_INVALID_VALUE')
  t.assert.match((second as PromiseRejectedResult).reason.message, /one at a time/)
  t.assert.strictEqual(Date.now, realNow)
})
