import { test, type TestContext } from 'node:test'
import Fastify, { type FastifyRequest } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession, { MemoryStore } from '@fastify/session'
import fastifyLogin from 'fastify-login'
import { SECRET, SESSION_SECRET } from '../helpers/app.js'
import { CookieJar } from '../helpers/cookie-jar.js'
import { makeUsers } from '../helpers/users.js'

// @fastify/session only: an application that saves the session itself (await session.save())
// goes through the same in-flight guard as @fastify/session's own save.
async function build (t: TestContext) {
  const users = makeUsers()
  const app = Fastify()
  t.after(() => app.close())
  // the default store, which keeps the Session objects themselves
  const stored = new Map<string, unknown>()
  await app.register(fastifyCookie)
  await app.register(fastifySession, {
    secret: SESSION_SECRET,
    cookie: { secure: false },
    saveUninitialized: false,
    store: new MemoryStore(stored as Map<string, never>)
  })
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => users.get(id) as never ?? null })
  app.post('/login', async (request) => request.loginUser(users.get('1') as never))
  app.post('/logout', async (request) => request.logoutUser())
  app.get('/me', async (request) => ({ anonymous: request.currentUser.isAnonymous }))
  let release: () => void = () => {}
  const held = new Promise<void>((resolve) => { release = resolve })
  app.post('/note-and-save', async (request) => {
    await held
    storeSession(request).set('note', 'written by a slow request')
    await storeSession(request).save()
    return { saved: true }
  })
  app.post('/save', async (request) => {
    storeSession(request).set('note', 'x')
    await storeSession(request).save()
    return { saved: true }
  })
  return { app, release, stored }
}

interface StoreSession { set (key: string, value: unknown): void, save (): Promise<void> }
function storeSession (request: FastifyRequest): StoreSession {
  return request.session as unknown as StoreSession
}

test('an explicit session.save() of a live logged-in session writes it', async (t: TestContext) => {
  const { app } = await build(t)
  const jar = new CookieJar()
  jar.take(await app.inject({ method: 'POST', url: '/login' }))
  const saved = await app.inject({ method: 'POST', url: '/save', headers: { cookie: jar.header() } })
  t.assert.deepStrictEqual(saved.json(), { saved: true })
  t.assert.deepStrictEqual((await app.inject({ url: '/me', headers: { cookie: jar.header() } })).json(), { anonymous: false })
})

test('SEC-21: an explicit session.save() in a request in flight during logout does not bring the login back', async (t: TestContext) => {
  const { app, release } = await build(t)
  const jar = new CookieJar()
  jar.take(await app.inject({ method: 'POST', url: '/login' }))
  const oldCookie = jar.header()
  const slow = app.inject({ method: 'POST', url: '/note-and-save', headers: { cookie: oldCookie } })
  await app.inject({ method: 'POST', url: '/logout', headers: { cookie: oldCookie } })
  release()
  t.assert.deepStrictEqual((await slow).json(), { saved: true })
  t.assert.deepStrictEqual((await app.inject({ url: '/me', headers: { cookie: oldCookie } })).json(), { anonymous: true })
})

test('the in-flight guard leaves no trace in the session: stored sessions hold data only, request after request', async (t: TestContext) => {
  const { app, stored } = await build(t)
  const jar = new CookieJar()
  jar.take(await app.inject({ method: 'POST', url: '/login' }))
  for (let i = 0; i < 5; i++) {
    const saved = await app.inject({ method: 'POST', url: '/save', headers: { cookie: jar.header() } })
    t.assert.deepStrictEqual(saved.json(), { saved: true })
  }
  t.assert.deepStrictEqual((await app.inject({ url: '/me', headers: { cookie: jar.header() } })).json(), { anonymous: false })
  const sessions = [...stored.values()] as Array<Record<string, unknown>>
  t.assert.strictEqual(sessions.length, 1)
  t.assert.deepStrictEqual(Object.keys(sessions[0] as object).filter((key) => typeof (sessions[0] as Record<string, unknown>)[key] === 'function'), [])
  t.assert.deepStrictEqual(JSON.parse(JSON.stringify(sessions[0])).note, 'x')
})
