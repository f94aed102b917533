// Type tests of fastify-login/testing: sessionStoreContract takes a store factory (a store, or one
// with check/teardown, sync or async) and the test runner's functions: node:test's, and functions
// shaped as Jest's and Vitest's `it` and `describe`.
import { describe as nodeDescribe, it as nodeIt, test as nodeTest, type TestContext } from 'node:test'
import { describe, expect, test } from 'tstyche'
import { memorySessionStore, type SessionStore } from 'fastify-login'
import {
  sessionStoreContract,
  type ContractCapability,
  type MakeStore,
  type SessionStoreContractOptions,
  type StoreUnderTest
} from 'fastify-login/testing'

// Jest's and Vitest's `it` and `describe`, as their declarations shape them
type JestProvidesCallback = ((done: (...args: unknown[]) => unknown) => void | undefined) | (() => PromiseLike<unknown>)
declare const jestIt: (name: string, fn?: JestProvidesCallback, timeout?: number) => void
declare const jestDescribe: (name: number | string | ((...args: unknown[]) => unknown), fn: () => void) => void
declare const vitestIt: (name: string | ((...args: unknown[]) => unknown), fn?: (context: { task: { name: string } }) => unknown, options?: number) => void

describe('sessionStoreContract', () => {
  test('takes node:test\'s test, it and describe, and a subtest of a TestContext; returns a promise', () => {
    expect(sessionStoreContract(() => memorySessionStore(), { test: nodeTest })).type.toBe<Promise<void>>()
    expect(sessionStoreContract(() => memorySessionStore(), { test: nodeIt, describe: nodeDescribe })).type.not.toRaiseError()
    const t = {} as TestContext
    expect(sessionStoreContract(() => memorySessionStore(), { test: (name, run) => t.test(name, run) })).type.not.toRaiseError()
  })

  test('takes Jest\'s and Vitest\'s it and describe', () => {
    expect(sessionStoreContract(() => memorySessionStore(), { test: jestIt, describe: jestDescribe })).type.not.toRaiseError()
    expect(sessionStoreContract(() => memorySessionStore(), { test: vitestIt })).type.not.toRaiseError()
  })

  test('a case takes no argument and returns a promise', () => {
    expect<Parameters<SessionStoreContractOptions['test']>[1]>().type.toBe<() => Promise<void>>()
  })

  test('makeStore gives a store or a StoreUnderTest, at once or in a promise', () => {
    const store: SessionStore = memorySessionStore()
    expect<MakeStore>().type.toBeAssignableFrom(() => store)
    expect<MakeStore>().type.toBeAssignableFrom(async () => store)
    expect<MakeStore>().type.toBeAssignableFrom(async () => ({ store, check: async () => {}, teardown: () => undefined }))
    expect<StoreUnderTest>().type.toBeAssignableFrom({ store })
    expect<MakeStore>().type.not.toBeAssignableFrom(() => ({}))
    expect<MakeStore>().type.not.toBeAssignableFrom(() => ({ get: async () => null }))
    expect<MakeStore>().type.not.toBeAssignableFrom(store)
  })

  test('the options: test is required; badInputError is what assert.rejects takes', () => {
    expect(sessionStoreContract).type.not.toBeCallableWith(() => memorySessionStore(), {})
    expect(sessionStoreContract).type.not.toBeCallableWith(() => memorySessionStore())
    expect(sessionStoreContract).type.not.toBeCallableWith(() => memorySessionStore(), { test: nodeTest, describe: 'contract' })
    for (const badInputError of [Error, TypeError, /invalid/, { code: 'FST_LOGIN_INVALID_VALUE' }, (error: unknown) => error instanceof Error]) {
      expect(sessionStoreContract(() => memorySessionStore(), { test: nodeTest, badInputError })).type.not.toRaiseError()
    }
    expect(sessionStoreContract).type.not.toBeCallableWith(() => memorySessionStore(), { test: nodeTest, badInputError: 'invalid' })
  })

  test('capabilities names the store\'s: origin, authDigest (declared) and rotate (the method)', () => {
    expect<SessionStoreContractOptions['capabilities']>().type.toBe<readonly ContractCapability[] | undefined>()
    expect<ContractCapability>().type.toBe<'origin' | 'authDigest' | 'rotate'>()
    expect(sessionStoreContract(() => memorySessionStore(), { test: nodeTest, capabilities: ['origin', 'authDigest', 'rotate'] })).type.not.toRaiseError()
    expect(sessionStoreContract).type.not.toBeCallableWith(() => memorySessionStore(), { test: nodeTest, capabilities: ['join'] })
    expect(sessionStoreContract).type.not.toBeCallableWith(() => memorySessionStore(), { test: nodeTest, capabilities: 'rotate' })
  })
})
