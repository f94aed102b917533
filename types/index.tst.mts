// Type tests for the public types, with the application's user type named by module augmentation
// (the README's `user: User`). Run: npm run test:types. Each .tst.mts file outside types/consumers
// is checked as its own program, so the augmentation here does not reach the other files.
import Fastify from 'fastify'
import type { FastifyReply, FastifyRequest, FastifyTypeProvider } from 'fastify'
import { describe, expect, test } from 'tstyche'
import fastifyLogin, {
  AnonymousUserMixin,
  UserMixin,
  fastifyLogin as namedFastifyLogin,
  type CurrentUser,
  type FastifyLoginOptions,
  type LoginManager,
  type LoginUser,
  type ResolvedLoginOptions
} from 'fastify-login'

class User extends UserMixin {
  constructor (public id: number, public name: string, public active = true) { super() }
  override get isActive (): boolean { return this.active }
}

declare module 'fastify-login' {
  interface FastifyLoginTypes {
    user: User
  }
}

const secret = 'a-secret-of-at-least-thirty-two-bytes-long!'
const users = new Map<number, User>([[1, new User(1, 'ada')]])

describe('registering', () => {
  test('the default export, the named export and the namespace property are one plugin', () => {
    expect(namedFastifyLogin).type.toBe(fastifyLogin.fastifyLogin)
    expect(fastifyLogin.default).type.toBe(namedFastifyLogin)
  })

  test('registers with valid options', () => {
    const app = Fastify()
    expect(app.register(fastifyLogin, {
      secret,
      userLoader: async (id) => users.get(Number(id)) ?? null,
      loginView: '/login'
    })).type.not.toRaiseError()
    expect(app.register(namedFastifyLogin, {
      secret: [secret, Buffer.alloc(32)],
      session: { key: Buffer.alloc(32) },
      userLoader: (id, request) => {
        expect(id).type.toBe<string>()
        expect(request).type.toBe<FastifyRequest>()
        return users.get(Number(id))
      },
      requestLoader: (request) => (request.headers['x-api-key'] === 'k' ? users.get(1) : null),
      headerLoader: async (value) => (value === 'Bearer t' ? users.get(1) : undefined),
      tokenLoader: (token) => users.get(Number(token)) ?? null,
      authHeaderName: 'x-auth',
      loginViews: { '/api': null, '/shop': '/shop/login' },
      loginMessage: null,
      sessionProtection: 'strong',
      rememberCookie: { duration: 3600, sameSite: 'strict', secure: 'auto' },
      idleTimeout: 600,
      absoluteTimeout: null,
      unauthorizedHandler: async (request, reply) => reply.code(401).send({ error: 'no' })
    })).type.not.toRaiseError()
  })

  test('sessionProtection accepts basic, strong, false and null only', () => {
    expect<FastifyLoginOptions['sessionProtection']>().type.toBe<'basic' | 'strong' | false | null | undefined>()
    const app = Fastify()
    expect(app.register).type.toBeCallableWith(fastifyLogin, { secret, userLoader: () => null, sessionProtection: false })
    expect(app.register).type.not.toBeCallableWith(fastifyLogin, { secret, userLoader: () => null, sessionProtection: 'medium' })
  })

  test('the secret is required and is a string, a Buffer or an array of them', () => {
    const app = Fastify()
    expect(app.register).type.not.toBeCallableWith(fastifyLogin, { userLoader: () => null })
    expect(app.register).type.not.toBeCallableWith(fastifyLogin, { secret: 42, userLoader: () => null })
    expect<FastifyLoginOptions>().type.not.toBeAssignableFrom({ userLoader: () => null })
  })

  test('options of the wrong type are refused', () => {
    const app = Fastify()
    expect(app.register).type.not.toBeCallableWith(fastifyLogin, { secret, loginView: 42 })
    expect(app.register).type.not.toBeCallableWith(fastifyLogin, { secret, rememberCookie: { duration: '1d' } })
    expect(app.register).type.not.toBeCallableWith(fastifyLogin, { secret, rememberCookie: { sameSite: 'sometimes' } })
    expect(app.register).type.not.toBeCallableWith(fastifyLogin, { secret, allowedHosts: 'example.com' })
  })
})

describe('userLoader and the other loaders', () => {
  test('return the application user, null or undefined, or a promise of one', () => {
    expect<FastifyLoginOptions['userLoader']>().type.toBeAssignableFrom((id: string) => users.get(Number(id)))
    expect<FastifyLoginOptions['userLoader']>().type.toBeAssignableFrom(async (id: string) => users.get(Number(id)) ?? null)
    expect<FastifyLoginOptions['requestLoader']>().type.toBeAssignableFrom(() => undefined)
    expect<FastifyLoginOptions['tokenLoader']>().type.toBeAssignableFrom(async () => new User(2, 'bob'))
  })

  test('may not return anything else', () => {
    expect<FastifyLoginOptions['userLoader']>().type.not.toBeAssignableFrom(() => 'ada')
    expect<FastifyLoginOptions['userLoader']>().type.not.toBeAssignableFrom(async () => ({ id: 1 }))
    expect<FastifyLoginOptions['userLoader']>().type.not.toBeAssignableFrom(() => new AnonymousUserMixin())
    expect<FastifyLoginOptions['headerLoader']>().type.not.toBeAssignableFrom((value: number) => users.get(value))
  })
})

describe('request decorations', () => {
  const app = Fastify()

  test('currentUser is the application user or the anonymous user, narrowed by isAnonymous', () => {
    app.get('/', async (request) => {
      expect(request.currentUser).type.toBe<User | AnonymousUserMixin>()
      expect<CurrentUser>().type.toBe<User | AnonymousUserMixin>()
      if (!request.currentUser.isAnonymous) {
        expect(request.currentUser).type.toBe<User>()
        expect(request.currentUser.name).type.toBe<string>()
      } else {
        expect(request.currentUser).type.toBe<AnonymousUserMixin>()
        expect(request.currentUser.getId()).type.toBe<null>()
      }
      expect(request.currentUser).type.not.toHaveProperty('name')
      return 'ok'
    })
  })

  test('loggedInUser() behind a guard is the application user, with no narrowing or cast', () => {
    app.get('/settings', { preHandler: app.loginRequired }, async (request) => {
      expect(request.loggedInUser()).type.toBe<User>()
      expect(request.loggedInUser().name).type.toBe<string>()
      expect(request.loggedInUser).type.not.toBeCallableWith('x')
      return request.loggedInUser().name
    })
  })

  test('loginUser accepts only the application user', () => {
    app.post('/login', async (request) => {
      const user = new User(1, 'ada')
      expect(request.loginUser(user)).type.toBe<Promise<boolean>>()
      expect(request.loginUser).type.toBeCallableWith(user, { remember: true, duration: 60, force: false, fresh: true })
      expect(request.loginUser).type.not.toBeCallableWith(new AnonymousUserMixin())
      expect(request.loginUser).type.not.toBeCallableWith({ id: 1, name: 'ada' })
      expect(request.loginUser).type.not.toBeCallableWith(request.currentUser)
      expect(request.loginUser).type.not.toBeCallableWith(user, { remember: 'yes' })
      return 'ok'
    })
  })

  test('logoutUser, confirmLogin, loginFresh, loginRemembered and safeNextUrl', () => {
    app.post('/logout', async (request) => {
      expect(request.logoutUser()).type.toBe<Promise<true>>()
      expect(request.confirmLogin()).type.toBe<Promise<void>>()
      expect(request.loginFresh()).type.toBe<boolean>()
      expect(request.loginRemembered()).type.toBe<boolean>()
      expect(request.safeNextUrl()).type.toBe<string>()
      expect(request.safeNextUrl).type.toBeCallableWith('/home')
      expect(request.safeNextUrl).type.not.toBeCallableWith(42)
      return 'ok'
    })
  })
})

describe('guards', () => {
  interface SchemaTypeProvider extends FastifyTypeProvider {
    validator: this['schema'] extends { type: string } ? { id: string } : unknown
  }

  test('are assignable to a route preHandler, alone or in an array', () => {
    const app = Fastify()
    app.get('/direct', async (request, reply) => {
      expect(app.loginRequired(request, reply)).type.toBe<Promise<void>>()
    })
    expect(app.get('/a', { preHandler: app.loginRequired }, async () => 'a')).type.not.toRaiseError()
    expect(app.get('/b', { preHandler: [app.loginRequired, app.freshLoginRequired] }, async () => 'b')).type.not.toRaiseError()
    expect(app.route({ method: 'GET', url: '/c', preHandler: app.freshLoginRequired, handler: async () => 'c' })).type.not.toRaiseError()
    expect(app.addHook('preHandler', app.loginRequired)).type.not.toRaiseError()
  })

  test('with typed route generics', () => {
    const app = Fastify()
    expect(app.get<{ Params: { id: string }, Querystring: { page?: number }, Reply: { id: string } }>(
      '/items/:id',
      { preHandler: app.loginRequired, config: { loginView: '/items/login' } },
      async (request) => {
        expect(request.params).type.toBe<{ id: string }>()
        return { id: request.params.id }
      }
    )).type.not.toRaiseError()
    expect(app.post<{ Body: { name: string } }>('/items', { preHandler: [app.freshLoginRequired] }, async (request) => request.body.name)).type.not.toRaiseError()
  })

  test('with a type provider', () => {
    const app = Fastify().withTypeProvider<SchemaTypeProvider>()
    expect(app.get(
      '/typed/:id',
      { schema: { params: { type: 'object' } }, preHandler: app.loginRequired },
      async (request) => {
        expect(request.params).type.toBe<{ id: string }>()
        return request.params.id
      }
    )).type.not.toRaiseError()
    expect(app.route({
      method: 'POST',
      url: '/typed',
      schema: { body: { type: 'object' } },
      preHandler: [app.loginRequired, app.freshLoginRequired],
      handler: async (request) => request.body.id
    })).type.not.toRaiseError()
  })

  test('a route may name its own login view, or null', () => {
    const app = Fastify()
    expect(app.get('/api', { config: { loginView: null }, preHandler: app.loginRequired }, async () => 'x')).type.not.toRaiseError()
    expect(app.get).type.not.toBeCallableWith('/api', { config: { loginView: 42 } }, async () => 'x')
  })
})

describe('loginManager', () => {
  const app = Fastify()

  test('disabled is a boolean switch the application may set; options stay read-only', () => {
    expect(app.loginManager.disabled).type.toBe<boolean>()
    app.loginManager.disabled = true
    expect(app.loginManager).type.not.toBeAssignableTo<{ disabled: string }>()
    expect(app.loginManager.options).type.toBeAssignableTo<{ readonly disabled: boolean }>()
  })

  test('event listeners receive the request and the application user', () => {
    app.loginManager.on('loggedIn', (request, user) => {
      expect(request).type.toBe<FastifyRequest>()
      expect(user).type.toBe<User>()
    })
    app.loginManager.on('loadedFromCookie', (_request, user) => { expect(user).type.toBe<User>() })
    app.loginManager.on('loadedFromRequest', (_request, user) => { expect(user).type.toBe<User>() })
    app.loginManager.on('loadedFromHeader', (_request, user) => { expect(user).type.toBe<User>() })
    app.loginManager.on('loginConfirmed', (_request, user) => { expect(user).type.toBe<User>() })
    app.loginManager.on('loggedOut', (_request, user) => { expect(user).type.toBe<User | AnonymousUserMixin>() })
    app.loginManager.once('unauthorized', (request) => { expect(request).type.toBe<FastifyRequest>() })
  })

  test('listeners for unknown events or with a wrong user type are refused', () => {
    expect(app.loginManager.on).type.not.toBeCallableWith('loggedInn', () => {})
    expect(app.loginManager.on).type.not.toBeCallableWith('loggedIn', (_request: FastifyRequest, user: string) => user)
  })

  test('options, flows, loginUrl and sessionCookieFor', () => {
    expect(app.loginManager).type.toBe<LoginManager>()
    expect(app.loginManager.options).type.toBe<ResolvedLoginOptions>()
    expect(app.loginManager.options.sessionProtection).type.toBe<'basic' | 'strong' | false>()
    expect(app.loginManager.options.rememberCookie.duration).type.toBe<number>()
    // @ts-expect-error Cannot assign to 'disabled' because it is a read-only property
    app.loginManager.options.disabled = true
    expect(app.loginManager.loginUrl('/login', '/private')).type.toBe<string>()
    expect(app.loginManager.sessionCookieFor(new User(1, 'ada'), { fresh: false, remember: true })).type.toBe<Promise<string>>()
    expect(app.loginManager.sessionCookieFor).type.not.toBeCallableWith(new AnonymousUserMixin())
    expect(app.loginManager.sessionCookieFor(new User(1, 'ada'), { ip: '203.0.113.5', userAgent: 'Firefox' })).type.toBe<Promise<string>>()
    expect(app.loginManager.sessionCookieFor).type.not.toBeCallableWith(new User(1, 'ada'), { ip: 203 })
    app.get('/x', async (request, reply) => {
      expect(app.loginManager.unauthorized(request, reply)).type.toBe<Promise<FastifyReply>>()
      expect(app.loginManager.needsRefresh(request, reply)).type.toBe<Promise<FastifyReply>>()
    })
  })
})

describe('UserMixin and AnonymousUserMixin', () => {
  test('a subclass may override isActive with a getter', () => {
    expect(new User(1, 'ada').isActive).type.toBe<boolean>()
    expect(new User(1, 'ada')).type.toBeAssignableTo<LoginUser>()
  })

  test('a subclass may override isActive with a field', () => {
    class Disabled extends UserMixin {
      id = 7
      override isActive = false
    }
    expect(new Disabled().isActive).type.toBe<boolean>()
    expect(new Disabled()).type.toBeAssignableTo<LoginUser>()
  })

  test('UserMixin members', () => {
    const user = new User(1, 'ada')
    expect(user.isAnonymous).type.toBe<false>()
    expect(user.isAuthenticated).type.toBe<boolean>()
    expect(user.getId()).type.toBe<string>()
    expect(user.equals(new User(2, 'bob'))).type.toBe<boolean>()
    expect(UserMixin).type.toBeConstructableWith()
    expect(UserMixin).type.not.toBeConstructableWith(1)
  })

  test('AnonymousUserMixin members', () => {
    const anonymous = new AnonymousUserMixin()
    expect(anonymous.isAnonymous).type.toBe<true>()
    expect(anonymous.isAuthenticated).type.toBe<false>()
    expect(anonymous.isActive).type.toBe<false>()
    expect(anonymous.getId()).type.toBe<null>()
    expect(anonymous).type.toBeAssignableTo<LoginUser>()
  })
})
