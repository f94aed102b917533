// The example with REDIS_URL: a Redis that cannot be reached stops the start with a clear
// message, and one that goes away later makes pages answer 503 at once (no hang, no login
// that should have been refused).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { buildApp } from '../../examples/app/app.js'
import { freeLoopbackPort, startRedisServer, type RedisServer } from '../helpers/redis-server.js'
import { e2eTest } from '../helpers/e2e/e2e-test.js'
import { alice, logIn, pathOf } from '../helpers/e2e/flows.js'

const secret = randomBytes(32).toString('hex')

test('an unreachable REDIS_URL stops buildApp with a message that names it and hides the password', async () => {
  const port = await freeLoopbackPort()
  await assert.rejects(buildApp({ dbPath: ':memory:', secret, redisUrl: `redis://user:s3cr3t-pass@127.0.0.1:${port}` }), (err: Error) => {
    assert.match(err.message, new RegExp(`^cannot connect to Redis at REDIS_URL \\(redis://user:\\*\\*\\*@127\\.0\\.0\\.1:${port}\\): `))
    assert.doesNotMatch(err.message, /s3cr3t-pass/)
    return true
  })
})

let redis: RedisServer | undefined
before(async () => { redis = await startRedisServer() })
after(async () => { await redis?.stop() })

e2eTest('when Redis goes away, a logged-in page answers 503 at once, and works again when it is back', async ({ newPage }) => {
  const server = redis as RedisServer
  const page = await newPage()
  await logIn(page, alice.username, alice.password)
  await page.goto('/profile')
  assert.equal(pathOf(page), '/profile')

  await server.stop()
  const response = await page.goto('/profile')
  assert.equal(response?.status(), 503)
  assert.equal(await page.textContent('main h1'), '503 Service Unavailable')

  await server.restart() // empty: the session it knew is gone, so the browser is logged out
  let status = 503
  for (let attempt = 0; attempt < 100 && status === 503; attempt++) { // until the client has reconnected
    await new Promise((resolve) => setTimeout(resolve, 100))
    status = (await page.goto('/profile'))?.status() ?? 0
  }
  assert.equal(pathOf(page), '/login?next=%2Fprofile')
}, {
  app: () => {
    assert.ok(redis, 'redis-server started')
    return { redisUrl: redis.url }
  }
})
