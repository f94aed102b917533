// docs/plugins.md's snippets for @fastify/formbody, @fastify/rate-limit, @fastify/view,
// @fastify/helmet and @fastify/swagger, read from the file and run as written (with `secret`,
// `userLoader`, the plugins and the handlers they name given), then driven with inject.
import { test, type TestContext } from 'node:test'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import fastifyFormbody from '@fastify/formbody'
import fastifyHelmet from '@fastify/helmet'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifySwagger from '@fastify/swagger'
import fastifyView from '@fastify/view'
import ejs from 'ejs'
import fastifyLogin, { UserMixin } from 'fastify-login'
import { registerEngine, SECRET } from '../helpers/app.js'
import { client, type Client } from '../helpers/cookie-jar.js'
import { docSnippets, runSnippet } from '../helpers/doc-snippets.js'
import { BROWSER_ACCEPT } from '../helpers/flows.js'

class User extends UserMixin {
  constructor (public id: string, public name: string, public password: string) { super() }
}
const users = new Map([['1', new User('1', 'ada', 'lovelace')], ['2', new User('2', 'bob', 'builder')]])
const userLoader = (id: string): User | null => users.get(id) ?? null
const SNIPPETS = docSnippets('docs/plugins.md')

/** A Fastify app on the suite's engine, with the snippet `name` of docs/plugins.md run on it. */
async function snippetApp (t: TestContext, name: string, scope: Record<string, unknown>): Promise<{ app: FastifyInstance } & Client> {
  const snippet = SNIPPETS.get(name)
  if (snippet === undefined) throw new Error(`docs/plugins.md has no snippet "${name}"`)
  const app = Fastify()
  t.after(() => app.close())
  await registerEngine(app)
  await runSnippet(snippet.code, { app, fastifyLogin, secret: SECRET, userLoader, ...scope })
  return { app, ...client(app) }
}

async function cookieOf (app: FastifyInstance, id: string): Promise<string> {
  await app.ready()
  return app.loginManager.sessionCookieFor(users.get(id) as User)
}

test('docs/plugins.md marks the formbody, rate-limit, view, helmet and swagger snippets', (t: TestContext) => {
  t.assert.deepStrictEqual([...SNIPPETS.keys()].sort(), ['formbody', 'helmet', 'rate-limit', 'swagger', 'view'])
  t.assert.deepStrictEqual([...(SNIPPETS.get('view')?.files.keys() ?? [])], ['home.ejs'])
})

const checkPassword = async (username: string, password: string): Promise<User | null> =>
  [...users.values()].find((user) => user.name === username && user.password === password) ?? null

function postForm (request: Client['request'], body: string, url = '/login') {
  return request({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body })
}

test('@fastify/formbody, as written: the login form logs in; next from the query string or the form; an unsafe next is refused', async (t: TestContext) => {
  const { app, request } = await snippetApp(t, 'formbody', { fastifyFormbody, checkPassword })
  app.get('/reports', { preHandler: app.loginRequired }, async (req) => `reports of ${(req.currentUser as User).name}`)

  t.assert.strictEqual((await postForm(request, 'username=ada&password=babbage')).statusCode, 401)
  const fromForm = await postForm(request, 'username=ada&password=lovelace&next=%2Freports')
  t.assert.strictEqual(fromForm.statusCode, 302)
  t.assert.strictEqual(fromForm.headers.location, '/reports')
  t.assert.strictEqual((await request('/reports')).body, 'reports of ada')

  const fromQuery = await postForm(request, 'username=bob&password=builder', '/login?next=%2Freports')
  t.assert.strictEqual(fromQuery.headers.location, '/reports')
  t.assert.strictEqual((await request('/reports')).body, 'reports of bob')
  const unsafe = await postForm(request, 'username=ada&password=lovelace&next=https%3A%2F%2Fevil.example%2Freports')
  t.assert.strictEqual(unsafe.headers.location, '/')
})

test('@fastify/formbody: without it, the login form answers 415', async (t: TestContext) => {
  const app = Fastify()
  t.after(() => app.close())
  await registerEngine(app)
  await app.register(fastifyLogin, { secret: SECRET, userLoader, loginView: '/login' })
  app.post('/login', async () => 'never')
  t.assert.strictEqual((await postForm(client(app).request, 'username=ada&password=lovelace')).statusCode, 415)
})

const loginHandler = async (_request: FastifyRequest, reply: FastifyReply) => reply.code(401).send('Wrong username or password')
const reportsHandler = async () => ({ reports: [] })

test('@fastify/rate-limit, as written: 5 login attempts a minute per address, the sixth is a 429', async (t: TestContext) => {
  const { app } = await snippetApp(t, 'rate-limit', { fastifyRateLimit, loginHandler, reportsHandler })
  for (let attempt = 1; attempt <= 5; attempt++) {
    t.assert.strictEqual((await app.inject({ method: 'POST', url: '/login' })).statusCode, 401, `attempt ${attempt}`)
  }
  t.assert.strictEqual((await app.inject({ method: 'POST', url: '/login' })).statusCode, 429)
  t.assert.strictEqual((await app.inject({ method: 'POST', url: '/login', remoteAddress: '192.0.2.7' })).statusCode, 401, 'another address')
})

/** 60 requests of one user pass, the 61st is limited; another user of the same address is not. */
async function perUserLimit (t: TestContext, app: FastifyInstance): Promise<void> {
  const ada = await cookieOf(app, '1')
  const bob = await cookieOf(app, '2')
  for (let i = 1; i <= 60; i++) {
    const response = await app.inject({ url: '/api/reports', headers: { cookie: ada, accept: 'application/json' } })
    if (response.statusCode !== 200) t.assert.fail(`request ${i} of ada: ${response.statusCode}`)
  }
  t.assert.strictEqual((await app.inject({ url: '/api/reports', headers: { cookie: ada } })).statusCode, 429)
  t.assert.strictEqual((await app.inject({ url: '/api/reports', headers: { cookie: bob } })).statusCode, 200, 'bob has his own limit')
  t.assert.strictEqual((await app.inject({ url: '/api/reports', headers: { accept: 'application/json' } })).statusCode, 401, 'anonymous: its address\'s limit, then the guard')
}

test('@fastify/rate-limit, as written: the keyGenerator sees currentUser: a limit per user once logged in', async (t: TestContext) => {
  const { app } = await snippetApp(t, 'rate-limit', { fastifyRateLimit, loginHandler, reportsHandler })
  await perUserLimit(t, app)
})

test('@fastify/rate-limit registered before fastify-login: the keyGenerator sees currentUser too', async (t: TestContext) => {
  const app = Fastify()
  t.after(() => app.close())
  await registerEngine(app)
  await app.register(fastifyRateLimit, { global: false })
  await app.register(fastifyLogin, { secret: SECRET, userLoader })
  app.get('/api/reports', {
    preHandler: app.loginRequired,
    config: { rateLimit: { max: 60, timeWindow: '1 minute', keyGenerator: (request) => request.currentUser.isAuthenticated ? `user:${request.currentUser.getId()}` : request.ip } }
  }, reportsHandler)
  await perUserLimit(t, app)
})

test('@fastify/view, as written: the template reads currentUser, anonymous and logged in', async (t: TestContext) => {
  const viewsDir = await mkdtemp(join(tmpdir(), 'fastify-login-snippet-views-'))
  t.after(() => rm(viewsDir, { recursive: true, force: true }))
  for (const [path, text] of SNIPPETS.get('view')?.files ?? []) await writeFile(join(viewsDir, path), text)
  const { app } = await snippetApp(t, 'view', { fastifyView, ejs, viewsDir })
  t.assert.strictEqual((await app.inject('/')).body, '<a href="/login">Log in</a>')
  t.assert.strictEqual((await app.inject({ url: '/', headers: { cookie: await cookieOf(app, '1') } })).body, 'Hello ada')
})

const HELMET_HEADERS = ['content-security-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options']

function assertHelmet (t: TestContext, headers: Record<string, unknown>, label: string): void {
  for (const name of HELMET_HEADERS) t.assert.ok(headers[name] !== undefined, `${label}: ${name}`)
  t.assert.match(String(headers['content-security-policy']), /form-action 'self'/, label)
}

async function helmetAnswers (t: TestContext, app: FastifyInstance): Promise<void> {
  app.get('/settings', { preHandler: app.loginRequired }, async () => 'settings')
  const redirect = await app.inject({ url: '/settings', headers: { accept: BROWSER_ACCEPT } })
  t.assert.strictEqual(redirect.statusCode, 302)
  assertHelmet(t, redirect.headers, 'the redirect to the login view')
  const refused = await app.inject({ url: '/settings', headers: { accept: 'application/json' } })
  t.assert.strictEqual(refused.statusCode, 401)
  t.assert.strictEqual(refused.json().code, 'FST_LOGIN_UNAUTHORIZED')
  assertHelmet(t, refused.headers, 'the 401')
  const page = await app.inject({ url: '/settings', headers: { cookie: await cookieOf(app, '1') } })
  t.assert.strictEqual(page.statusCode, 200)
  assertHelmet(t, page.headers, 'the page')
}

test('@fastify/helmet, as written: the guards\' redirect and 401 carry its headers, as the page does', async (t: TestContext) => {
  const { app } = await snippetApp(t, 'helmet', { fastifyHelmet })
  await helmetAnswers(t, app)
})

test('@fastify/helmet registered after fastify-login: the same headers', async (t: TestContext) => {
  const app = Fastify()
  t.after(() => app.close())
  await registerEngine(app)
  await app.register(fastifyLogin, { secret: SECRET, userLoader, loginView: '/login' })
  await app.register(fastifyHelmet)
  await helmetAnswers(t, app)
})

test('@fastify/swagger, as written: /settings has the security requirement and the 401, /health neither', async (t: TestContext) => {
  const { app } = await snippetApp(t, 'swagger', { fastifySwagger, settingsHandler: async () => 'settings', healthHandler: async () => 'ok' })
  await app.ready()
  const paths = (app.swagger() as unknown as { paths: Record<string, { get: { security?: unknown, responses: Record<string, unknown> } }> }).paths
  t.assert.deepStrictEqual(paths['/settings']?.get.security, [{ cookieAuth: [] }])
  t.assert.deepStrictEqual(Object.keys(paths['/settings']?.get.responses ?? {}), ['200', '401'])
  t.assert.strictEqual(paths['/health']?.get.security, undefined)
  t.assert.deepStrictEqual(Object.keys(paths['/health']?.get.responses ?? {}), ['200'])
})
