// fastify-login/testing under node:test itself: registered with node:test's describe and it, the
// contract's cases are node:test tests, and a broken store's failing cases are reported as failed
// by node:test's own runner (`node --test`, in a child process: node:test does not nest run()).
import { test, type TestContext } from 'node:test'
import { join } from 'node:path'
import { runNodeTest } from '../helpers/node-test-run.js'

test('run by node --test, a store whose update ignores the compare-and-set fails those cases and passes the others', (t: TestContext) => {
  const file = join(__dirname, 'fixtures', 'broken-store.mjs')
  const { status, passed, failed, output } = runNodeTest([file])
  t.assert.strictEqual(status, 1, output)
  const cases = (names: string[]) => names.filter((name) => name !== 'SessionStore contract' && !name.includes('broken-store')).sort()
  t.assert.deepStrictEqual(cases(failed), [
    'parallel compare-and-sets with the same expected hash: exactly one applies',
    'update rejects changes that are not allowed or of the wrong type, and changes nothing',
    'update with expectRememberHash is a compare-and-set on rememberHash'
  ], output)
  t.assert.ok(failed.includes('SessionStore contract'), 'the group fails with its cases')
  t.assert.ok(cases(passed).length >= 27, `${cases(passed).length} cases passed`)
  t.assert.ok(cases(passed).includes('malformed and unknown ids are nothing: null or false, never a throw'))
})
