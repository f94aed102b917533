import { test, type TestContext } from 'node:test'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance, FastifyReply } from 'fastify'
import fastifyView from '@fastify/view'
import ejs from 'ejs'
import { AnonymousUserMixin } from 'fastify-login'
import { buildApp } from '../helpers/app.js'
import { logIn } from '../helpers/flows.js'

const GREETING = '<% if (currentUser.isAnonymous) { %>Hello, guest<% } else { %>Hello, <%= currentUser.name %><% } %>'
const PROBE = '<%= typeof currentUser === "undefined" ? "no currentUser" : "currentUser" %>'

async function templates (t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fastify-login-views-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'greeting.ejs'), GREETING)
  await writeFile(join(dir, 'probe.ejs'), PROBE)
  return dir
}

function localsOf (reply: FastifyReply): Record<string, unknown> | null {
  return (reply as unknown as { locals: Record<string, unknown> | null }).locals
}

function viewRoutes (app: FastifyInstance): void {
  app.get('/greeting', async (_request, reply) => reply.view('greeting.ejs'))
  app.get('/probe', async (_request, reply) => reply.view('probe.ejs'))
}

// Flask-Login: test_user_context_processor
test('reply.locals.currentUser is the request\'s current user (anonymous: an AnonymousUserMixin)', async (t: TestContext) => {
  const { request } = await buildApp(t, {}, {
    routes: (app) => {
      app.get('/locals', async (req, reply) => {
        const user = localsOf(reply)?.currentUser
        return { anonymousMixin: user instanceof AnonymousUserMixin, same: user === req.currentUser }
      })
    }
  })
  t.assert.deepStrictEqual((await request('/locals')).json(), { anonymousMixin: true, same: true })
  await logIn(request, '1')
  t.assert.deepStrictEqual((await request('/locals')).json(), { anonymousMixin: false, same: true })
})

test('@fastify/view registered before fastify-login renders the current user', async (t: TestContext) => {
  const root = await templates(t)
  const { request } = await buildApp(t, {}, {
    before: async (app) => { await app.register(fastifyView, { engine: { ejs }, templates: root }) },
    routes: viewRoutes
  })
  t.assert.strictEqual((await request('/greeting')).body, 'Hello, guest')
  await logIn(request, '2')
  const response = await request('/greeting')
  t.assert.strictEqual(response.statusCode, 200)
  t.assert.strictEqual(response.body, 'Hello, Steve')
})

test('@fastify/view registered before fastify-login renders a user that an async userLoader resolved', async (t: TestContext) => {
  const root = await templates(t)
  const { request, users } = await buildApp(t, {
    userLoader: async (id) => { await new Promise((resolve) => setImmediate(resolve)); return users.get(id) ?? null }
  }, {
    before: async (app) => { await app.register(fastifyView, { engine: { ejs }, templates: root }) },
    routes: viewRoutes
  })
  await logIn(request, '2')
  t.assert.strictEqual((await request('/greeting')).body, 'Hello, Steve')
})

test('@fastify/view registered after fastify-login renders the current user', async (t: TestContext) => {
  const root = await templates(t)
  const { request } = await buildApp(t, {}, {
    routes: (app) => {
      app.register(fastifyView, { engine: { ejs }, templates: root })
      viewRoutes(app)
    }
  })
  t.assert.strictEqual((await request('/greeting')).body, 'Hello, guest')
  await logIn(request, '佐藤')
  t.assert.strictEqual((await request('/greeting')).body, 'Hello, Müller')
})

test('with @fastify/view registered after fastify-login, locals the application assigns replace the default', async (t: TestContext) => {
  const root = await templates(t)
  const { request } = await buildApp(t, {}, {
    routes: (app) => {
      app.register(fastifyView, { engine: { ejs }, templates: root })
      app.addHook('preHandler', async (request, reply) => {
        (reply as unknown as { locals: Record<string, unknown> }).locals = { currentUser: request.currentUser, title: 'Assigned' }
      })
      app.get('/assigned', async (_request, reply) => ({ title: localsOf(reply)?.title, anonymous: (localsOf(reply)?.currentUser as { isAnonymous: boolean }).isAnonymous }))
    }
  })
  t.assert.deepStrictEqual((await request('/assigned')).json(), { title: 'Assigned', anonymous: true })
})

test('locals the application sets in its own hooks are kept beside currentUser', async (t: TestContext) => {
  const root = await templates(t)
  const { request } = await buildApp(t, {}, {
    before: async (app) => { await app.register(fastifyView, { engine: { ejs }, templates: root }) },
    routes: (app) => {
      app.addHook('preHandler', async (_req, reply) => {
        const locals = localsOf(reply) as Record<string, unknown>
        locals.title = 'Home'
      })
      app.get('/both', async (_req, reply) => {
        const locals = localsOf(reply) as Record<string, unknown>
        return { title: locals.title, hasUser: 'currentUser' in locals }
      })
    }
  })
  t.assert.deepStrictEqual((await request('/both')).json(), { title: 'Home', hasUser: true })
})

test('addContextProcessor: false leaves reply.locals alone', async (t: TestContext) => {
  const root = await templates(t)
  const { request } = await buildApp(t, { addContextProcessor: false }, {
    before: async (app) => { await app.register(fastifyView, { engine: { ejs }, templates: root }) },
    routes: viewRoutes
  })
  await logIn(request, '1')
  t.assert.strictEqual((await request('/probe')).body, 'no currentUser')
})
