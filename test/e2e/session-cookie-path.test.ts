// A login form that posts under a prefix (POST /auth/login) keeps the browser logged in on /profile:
// the session cookie has Path=/ even when the application passes `session: { key }` (issue 11, item 1).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { after, test } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyFormbody from '@fastify/formbody'
import fastifyLogin, { UserMixin } from 'fastify-login'
import { launchChromium } from '../helpers/e2e/browser.js'
import { clickAndWait, cookieNamed, pathOf } from '../helpers/e2e/flows.js'

class Member extends UserMixin {
  constructor (public id: string, public name: string) { super() }
}

const users = new Map([['ada', new Member('ada', 'Ada Lovelace')]])

const LOGIN_PAGE = `<!doctype html><title>Log in</title>
<form method="post" action="/auth/login"><input id="username" name="username"><button type="submit">Log in</button></form>`

async function startApp (): Promise<{ app: FastifyInstance, baseURL: string }> {
  const app = Fastify()
  await app.register(fastifyFormbody)
  await app.register(fastifyLogin, {
    secret: randomBytes(32),
    session: { key: randomBytes(32) },
    userLoader: (id) => users.get(id) ?? null,
    loginView: '/auth/login'
  })
  app.get('/auth/login', async (_request, reply) => reply.type('text/html').send(LOGIN_PAGE))
  app.post<{ Body: { username: string } }>('/auth/login', async (request, reply) => {
    const user = users.get(request.body.username)
    if (user === undefined || !(await request.loginUser(user))) return reply.redirect('/auth/login', 303)
    return reply.redirect('/profile', 303)
  })
  app.get('/profile', { preHandler: app.loginRequired }, async (request, reply) =>
    reply.type('text/html').send(`<!doctype html><title>Profile</title><p id="name">${(request.currentUser as Member).name}</p>`))
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, baseURL: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` }
}

test('logging in through POST /auth/login keeps the browser logged in on /profile', { timeout: 120_000 }, async () => {
  const { app, baseURL } = await startApp()
  after(() => app.close())
  const browser = await launchChromium()
  after(() => browser.close())
  const context = await browser.newContext({ baseURL })
  context.setDefaultTimeout(20_000)
  const page = await context.newPage()

  await page.goto('/profile')
  assert.equal(pathOf(page), '/auth/login?next=%2Fprofile')
  await page.fill('#username', 'ada')
  await clickAndWait(page, 'button[type=submit]')

  assert.equal(pathOf(page), '/profile', 'the login response sent the browser on to /profile, logged in')
  assert.equal(await page.textContent('#name'), 'Ada Lovelace')
  const session = await cookieNamed(context, 'session')
  assert.equal(session?.path, '/')
  assert.equal(session?.httpOnly, true)
  assert.equal(session?.sameSite, 'Lax')

  await page.goto('/profile')
  assert.equal(pathOf(page), '/profile', 'a later visit is still logged in')
})
