// Type tests of the `openapi` option (@fastify/swagger: guarded routes documented with a security
// requirement and a 401) and its resolved value.
import Fastify from 'fastify'
import { expect, test } from 'tstyche'
import fastifyLogin, { type OpenapiOptions, type ResolvedLoginOptions } from 'fastify-login'

const secret = 'a-secret-of-at-least-thirty-two-bytes-long!'

test('openapi takes true, false, null or { securityScheme }', () => {
  const app = Fastify()
  expect(app.register(fastifyLogin, { secret, userLoader: () => null, openapi: true })).type.not.toRaiseError()
  expect(app.register(fastifyLogin, { secret, userLoader: () => null, openapi: null })).type.not.toRaiseError()
  expect(app.register(fastifyLogin, { secret, userLoader: () => null, openapi: { securityScheme: 'cookieAuth' } })).type.not.toRaiseError()
  expect(app.register(fastifyLogin, { secret, userLoader: () => null, openapi: 'cookieAuth' })).type.toRaiseError()
  expect(app.register(fastifyLogin, { secret, userLoader: () => null, openapi: { securityScheme: 1 } })).type.toRaiseError()
  expect<OpenapiOptions>().type.toBe<{ securityScheme?: string }>()
})

test('the resolved openapi option is the scheme\'s name or null', () => {
  expect<ResolvedLoginOptions['openapi']>().type.toBe<Readonly<{ securityScheme: string }> | null>()
})
