import { test, type TestContext } from 'node:test'
import { buildApp } from '../helpers/app.js'

test('a plugin that answers in onRequest before fastify-login runs gets its answer out unchanged', async (t: TestContext) => {
  const { app } = await buildApp(t, {}, {
    before: (app) => {
      app.addHook('onRequest', async (request, reply) => {
        if (request.url === '/limited') {
          return reply.code(429).send({ limited: true })
        }
      })
    }
  })
  const response = await app.inject('/limited')
  t.assert.strictEqual(response.statusCode, 429)
  t.assert.deepStrictEqual(response.json(), { limited: true })
  t.assert.strictEqual(response.headers['set-cookie'], undefined)
})
