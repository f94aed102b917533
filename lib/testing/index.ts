// The `fastify-login/testing` entry: the SessionStore contract as cases registered on the test
// runner the caller passes (node:test, Vitest, Jest), so that a store written for fastify-login
// can be held to what the plugin relies on. It imports no test framework (node:assert asserts).
// CommonJS like the main entry: the name is assigned on module.exports for Node's ESM import, and
// `api` is compiled against types/testing.d.ts.
import type Declared = require('../../types/testing.js')
import type { ContractCapability, MakeStore, SessionStoreContractOptions } from '../../types/testing.js'
import { FST_LOGIN_INVALID_OPTION } from '../core/errors.js'
import { BAD_INPUT_CASES } from './bad-input.js'
import { CAPABILITY_CASES, declarationCase, KNOWN } from './capabilities.js'
import { runCase, type ContractCase } from './case.js'
import { CREATE_CASES } from './create.js'
import { NOTIFY_CASES } from './notify.js'
import { READ_CASES } from './read.js'
import { UPDATE_CASES } from './update.js'

const CASES: readonly ContractCase[] = [...CREATE_CASES, ...READ_CASES, ...UPDATE_CASES, ...BAD_INPUT_CASES, ...NOTIFY_CASES]

function checkOptions (makeStore: unknown, options: unknown): asserts options is SessionStoreContractOptions {
  if (typeof makeStore !== 'function') {
    throw new FST_LOGIN_INVALID_OPTION('makeStore', 'must be a function that gives a fresh, empty store for each case')
  }
  const { test, describe } = (typeof options === 'object' && options !== null ? options : {}) as Partial<Record<string, unknown>>
  if (typeof test !== 'function') {
    throw new FST_LOGIN_INVALID_OPTION('test', 'must be the test runner\'s function that registers a test (node:test\'s test, Vitest\'s or Jest\'s it)')
  }
  if (describe !== undefined && typeof describe !== 'function') {
    throw new FST_LOGIN_INVALID_OPTION('describe', 'must be the test runner\'s describe, or absent')
  }
  const { capabilities = [] } = options as Partial<Record<string, unknown>>
  if (!Array.isArray(capabilities) || capabilities.some((name, i) => !KNOWN.includes(name) || capabilities.indexOf(name) !== i)) {
    throw new FST_LOGIN_INVALID_OPTION('capabilities', `must list the store's capabilities, each once, of ${KNOWN.map((name) => `'${name}'`).join(', ')} (or be absent)`)
  }
}

/** Every case, for a store with `capabilities`: the declaration's case, then each capability's. */
function casesFor (capabilities: readonly ContractCapability[]): ContractCase[] {
  return [...CASES, declarationCase(capabilities), ...KNOWN.filter((name) => capabilities.includes(name)).flatMap((name) => CAPABILITY_CASES[name])]
}

function sessionStoreContract (makeStore: MakeStore, options: SessionStoreContractOptions): Promise<void> {
  checkOptions(makeStore, options)
  const { test, describe, badInputError = Error, capabilities = [] } = options
  const setup = { badInput: badInputError, capabilities }
  const started: unknown[] = []
  const register = (): void => {
    for (const { name, run } of casesFor(capabilities)) started.push(test(name, () => runCase(makeStore, setup, run)))
  }
  if (describe === undefined) register()
  else describe('SessionStore contract', register)
  return Promise.allSettled(started).then(() => undefined)
}

const api: typeof Declared = { sessionStoreContract }

module.exports = api
module.exports.sessionStoreContract = api.sessionStoreContract
export = api
