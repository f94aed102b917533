// Two applications on one Redis with the default prefix share their tracked sessions (issue 19,
// item 12): registering a redisSessionStore without a prefix of its own says so in the log.
import { test, type TestContext } from 'node:test'
import { Writable } from 'node:stream'
import { createClient } from 'redis'
import { redisSessionStore } from 'fastify-login'
import { buildApp } from '../helpers/app.js'

async function warningsOf (t: TestContext, prefix: string | undefined): Promise<string[]> {
  const lines: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done() } })
  // never connected: registering does not talk to Redis
  const store = redisSessionStore(createClient(), prefix === undefined ? undefined : { prefix })
  await buildApp(t, { sessions: { store } }, { server: { logger: { level: 'warn', stream } } })
  return lines.filter((line) => line.includes('without a prefix'))
}

test('a redisSessionStore on the default prefix is named in a warning at registration; one with its own prefix is not', async (t: TestContext) => {
  t.assert.strictEqual((await warningsOf(t, undefined)).length, 1)
  t.assert.deepStrictEqual(await warningsOf(t, 'shop:'), [])
})
