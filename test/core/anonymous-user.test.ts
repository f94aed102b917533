import { test, type TestContext } from 'node:test'
import { AnonymousUserMixin } from 'fastify-login'
import { buildApp } from '../helpers/app.js'

class Guest extends AnonymousUserMixin {
  readonly name = 'Guest'
}

// Flask-Login: LoginManager.anonymous_user (a class or a zero-argument factory)
test('anonymousUser given as a class: each anonymous request gets a new instance of it', async (t: TestContext) => {
  const seen: unknown[] = []
  const { app } = await buildApp(t, { anonymousUser: Guest as never }, {
    routes: (app) => {
      app.get('/guest', async (request) => {
        seen.push(request.currentUser)
        return { isGuest: request.currentUser instanceof Guest, name: (request.currentUser as unknown as Guest).name }
      })
    }
  })
  t.assert.deepStrictEqual((await app.inject('/guest')).json(), { isGuest: true, name: 'Guest' })
  await app.inject('/guest')
  t.assert.notStrictEqual(seen[0], seen[1])
})

test('anonymousUser given as a factory: its result is the anonymous user', async (t: TestContext) => {
  const { app } = await buildApp(t, { anonymousUser: () => ({ isAuthenticated: false, isActive: false, isAnonymous: true, getId: () => null, name: 'made' }) as never }, {
    routes: (app) => {
      app.get('/guest', async (request) => ({ name: (request.currentUser as unknown as { name: string }).name }))
    }
  })
  t.assert.deepStrictEqual((await app.inject('/guest')).json(), { name: 'made' })
})

test('the default anonymous user is a frozen AnonymousUserMixin: one request cannot change it for the next', async (t: TestContext) => {
  const { app } = await buildApp(t, {}, {
    routes: (app) => {
      app.get('/mutate', async (request) => {
        const before = (request.currentUser as unknown as { name?: string }).name ?? null
        try {
          (request.currentUser as unknown as { name: string }).name = 'changed'
        } catch {}
        return { before, frozen: Object.isFrozen(request.currentUser), mixin: request.currentUser instanceof AnonymousUserMixin }
      })
    }
  })
  t.assert.deepStrictEqual((await app.inject('/mutate')).json(), { before: null, frozen: true, mixin: true })
  t.assert.deepStrictEqual((await app.inject('/mutate')).json(), { before: null, frozen: true, mixin: true })
})
