// The `openapi` option's values (what it does to the document: test/decorators/openapi.test.ts).
import { test, type TestContext } from 'node:test'
import Fastify from 'fastify'
import fastifyLogin, { type FastifyLoginOptions } from 'fastify-login'
import { SECRET } from '../helpers/app.js'

const userLoader = (): null => null

async function resolved (t: TestContext, openapi: unknown) {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(fastifyLogin, { secret: SECRET, userLoader, openapi } as FastifyLoginOptions)
  return app.loginManager.options.openapi
}

async function refusal (t: TestContext, openapi: unknown): Promise<Error & { code?: string }> {
  const app = Fastify()
  t.after(() => app.close())
  try {
    await app.register(fastifyLogin, { secret: SECRET, userLoader, openapi } as FastifyLoginOptions)
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new Error(`openapi: ${JSON.stringify(openapi)} was accepted`)
}

test('openapi: off by default (undefined, null, false); true and {} name the scheme cookieAuth; securityScheme names another', async (t: TestContext) => {
  for (const off of [undefined, null, false]) {
    t.assert.strictEqual(await resolved(t, off), null, String(off))
  }
  t.assert.deepStrictEqual(await resolved(t, true), { securityScheme: 'cookieAuth' })
  t.assert.deepStrictEqual(await resolved(t, {}), { securityScheme: 'cookieAuth' })
  t.assert.deepStrictEqual(await resolved(t, { securityScheme: 'session.cookie-1' }), { securityScheme: 'session.cookie-1' })
  t.assert.ok(Object.isFrozen(await resolved(t, true)))
})

test('openapi: a value that is not true, an object or null, or a scheme name OpenAPI refuses, is FST_LOGIN_INVALID_OPTION', async (t: TestContext) => {
  for (const bad of ['cookieAuth', 1, [], { securityScheme: '' }, { securityScheme: 'cookie auth' }, { securityScheme: 42 }]) {
    const error = await refusal(t, bad)
    t.assert.strictEqual(error.code, 'FST_LOGIN_INVALID_OPTION', JSON.stringify(bad))
    t.assert.match(error.message, /"openapi(\.securityScheme)?"/, JSON.stringify(bad))
  }
})

test('openapi: a misspelt name is refused with the name meant', async (t: TestContext) => {
  const error = await refusal(t, { securityschema: 'cookieAuth' })
  t.assert.strictEqual(error.code, 'FST_LOGIN_INVALID_OPTION')
  t.assert.ok(error.message.includes('"openapi.securityschema"'), error.message)
  t.assert.ok(error.message.includes('did you mean "openapi.securityScheme"?'), error.message)
})
