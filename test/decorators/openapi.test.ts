// The `openapi` option: routes behind the guards carry a security requirement and a 401 response
// in the document @fastify/swagger generates (issue 20, item 10; docs/plugins.md, @fastify/swagger).
import { test, type TestContext } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifySwagger from '@fastify/swagger'
import fastifyLogin, { UserMixin, type FastifyLoginOptions } from 'fastify-login'
import { registerEngine, SECRET, SESSION_COOKIE } from '../helpers/app.js'

class User extends UserMixin {
  constructor (public id: string, public name: string) { super() }
}
const ada = new User('1', 'ada')
const userLoader = (id: string): User | null => id === '1' ? ada : null

interface Operation { security?: unknown, responses: Record<string, { description: string, content?: Record<string, { schema: Record<string, unknown> }> }> }
type Paths = Record<string, Record<string, Operation>>

async function registerSwagger (app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'test', version: '1.0.0' },
      components: { securitySchemes: { cookieAuth: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } }
    }
  })
}

const shared = { response: { 200: { type: 'object', properties: { total: { type: 'integer' } } } } }

/** An application with @fastify/swagger, fastify-login and guarded and open routes; its document. */
async function documented (t: TestContext, options: Partial<FastifyLoginOptions>, swagger: 'before' | 'after' = 'before') {
  const app = Fastify()
  t.after(() => app.close())
  await registerEngine(app)
  if (swagger === 'before') await registerSwagger(app)
  await app.register(fastifyLogin, { secret: SECRET, userLoader, ...options } as FastifyLoginOptions)
  if (swagger === 'after') await registerSwagger(app)
  app.get('/public', async () => 'open')
  app.get('/settings', { preHandler: app.loginRequired }, async (request) => ({ name: (request.loggedInUser() as User).name }))
  app.post('/settings/password', { preHandler: [app.loginRequired, app.freshLoginRequired] }, async () => 'changed')
  app.get('/reports', { onRequest: [app.loginRequired], schema: shared }, async () => ({ total: 3, hidden: true }))
  app.get('/totals', { schema: shared }, async () => ({ total: 4 }))
  app.get('/own', {
    preHandler: app.loginRequired,
    schema: { security: [{ cookieAuth: ['admin'] }], response: { '4xx': { description: 'Refused', type: 'object' } } } as never
  }, async () => 'own')
  app.get('/own-401', { preHandler: app.loginRequired, schema: { response: { 200: { type: 'string' }, 401: { description: 'Please log in', type: 'string' } } } }, async () => 'own')
  app.options('/settings', { preHandler: app.loginRequired }, async () => '')
  // a guarded prefix whose routes the document sees: the guard is added to each route by onRoute
  await app.register(async (admin) => {
    admin.addHook('onRoute', (route) => {
      route.preHandler = [admin.loginRequired, ...[route.preHandler ?? []].flat()]
    })
    admin.get('/users', async () => [])
  }, { prefix: '/admin' })
  await app.ready()
  return { app, paths: (app.swagger() as unknown as { paths: Paths }).paths }
}

const UNAUTHORIZED_BODY = {
  statusCode: 401,
  code: 'FST_LOGIN_UNAUTHORIZED',
  error: 'Unauthorized',
  message: 'Please log in to access this page.'
}

for (const swagger of ['before', 'after'] as const) {
  test(`openapi on, @fastify/swagger registered ${swagger} fastify-login: a guarded route has the security requirement and the 401; an open one neither`, async (t: TestContext) => {
    const { paths } = await documented(t, { openapi: { securityScheme: 'cookieAuth' } }, swagger)
    const settings = paths['/settings']?.get as Operation
    t.assert.deepStrictEqual(settings.security, [{ cookieAuth: [] }])
    t.assert.deepStrictEqual(Object.keys(settings.responses), ['200', '401'])
    t.assert.strictEqual(settings.responses['200']?.description, 'Default Response')
    t.assert.strictEqual(settings.responses['401']?.description, 'Not logged in (FST_LOGIN_UNAUTHORIZED)')
    const body = settings.responses['401']?.content?.['application/json']?.schema as { properties: Record<string, unknown> }
    t.assert.deepStrictEqual(Object.keys(body.properties), ['statusCode', 'code', 'error', 'message'])

    const open = paths['/public']?.get as Operation
    t.assert.strictEqual(open.security, undefined)
    t.assert.deepStrictEqual(Object.keys(open.responses), ['200'])
  })
}

test('openapi: freshLoginRequired documents the needs-refresh 401 too; a guard in an onRequest array is found', async (t: TestContext) => {
  const { paths } = await documented(t, { openapi: true })
  const password = paths['/settings/password']?.post as Operation
  t.assert.deepStrictEqual(password.security, [{ cookieAuth: [] }])
  t.assert.match(password.responses['401']?.description ?? '', /FST_LOGIN_NEEDS_REFRESH/)
  const codes = password.responses['401']?.content?.['application/json']?.schema as { properties: { code: { enum: string[] } } }
  t.assert.deepStrictEqual(codes.properties.code.enum, ['FST_LOGIN_UNAUTHORIZED', 'FST_LOGIN_NEEDS_REFRESH'])

  const reports = paths['/reports']?.get as Operation
  t.assert.deepStrictEqual(reports.security, [{ cookieAuth: [] }])
  t.assert.deepStrictEqual(Object.keys(reports.responses), ['200', '401'])
})

test('openapi: the route\'s own security and 4xx are kept, a schema shared with an open route is not touched, exempt methods are open', async (t: TestContext) => {
  const { paths } = await documented(t, { openapi: true })
  const own = paths['/own']?.get as Operation
  t.assert.deepStrictEqual(own.security, [{ cookieAuth: ['admin'] }])
  t.assert.deepStrictEqual(Object.keys(own.responses), ['4XX'])
  const own401 = paths['/own-401']?.get as Operation
  t.assert.deepStrictEqual(own401.security, [{ cookieAuth: [] }])
  t.assert.deepStrictEqual(Object.keys(own401.responses), ['200', '401'])
  t.assert.strictEqual(own401.responses['401']?.description, 'Please log in')
  const totals = paths['/totals']?.get as Operation
  t.assert.strictEqual(totals.security, undefined)
  t.assert.deepStrictEqual(Object.keys(totals.responses), ['200'])
  t.assert.deepStrictEqual(Object.keys(shared.response), ['200'])
  const options = paths['/settings']?.options as Operation
  t.assert.strictEqual(options.security, undefined)
})

test('openapi: a guard added to each route of a prefix by an onRoute hook is documented', async (t: TestContext) => {
  const { paths } = await documented(t, { openapi: { securityScheme: 'cookieAuth' } })
  const users = paths['/admin/users']?.get as Operation
  t.assert.deepStrictEqual(users.security, [{ cookieAuth: [] }])
  t.assert.ok(users.responses['401'])
})

test('without openapi, guarded routes show up as open (the document is not touched)', async (t: TestContext) => {
  const { paths } = await documented(t, {})
  const settings = paths['/settings']?.get as Operation
  t.assert.strictEqual(settings.security, undefined)
  t.assert.deepStrictEqual(Object.keys(settings.responses), ['200'])
})

test('openapi changes only the document: the 401, an error handler\'s own 401 body and the routes\' answers are as without it', async (t: TestContext) => {
  const { app } = await documented(t, { openapi: true })
  const refused = await app.inject({ url: '/settings', headers: { accept: 'application/json' } })
  t.assert.strictEqual(refused.statusCode, 401)
  t.assert.deepStrictEqual(refused.json(), UNAUTHORIZED_BODY)
  const cookie = await app.loginManager.sessionCookieFor(ada)
  t.assert.deepStrictEqual((await app.inject({ url: '/settings', headers: { cookie } })).json(), { name: 'ada' })
  // the route's own 200 schema still serializes (hidden is not in it)
  t.assert.deepStrictEqual((await app.inject({ url: '/reports', headers: { cookie } })).json(), { total: 3 })
  t.assert.strictEqual((await app.inject({ url: '/admin/users', headers: { accept: 'application/json' } })).statusCode, 401)
})

test('openapi: an error handler\'s own 401 body keeps its fields (the documented 401 is not a serializer)', async (t: TestContext) => {
  const app = Fastify()
  t.after(() => app.close())
  await registerSwagger(app)
  await app.register(fastifyLogin, { secret: SECRET, userLoader, openapi: true })
  app.setErrorHandler((error: Error & { code?: string }, _request, reply) => {
    reply.code(401).send({ statusCode: 401, code: error.code, error: 'Unauthorized', message: error.message, signIn: '/login' })
  })
  app.get('/settings', { preHandler: app.loginRequired }, async () => 'secret')
  const refused = await app.inject({ url: '/settings', headers: { accept: 'application/json' } })
  t.assert.deepStrictEqual(refused.json(), { ...UNAUTHORIZED_BODY, signIn: '/login' })
})
