// An ES module consumer (module nodenext), without module augmentation: every import form of the
// README type-checks and the user type is the LoginUser protocol.
import Fastify from 'fastify'
import { describe, expect, test } from 'tstyche'
import fastifyLogin, {
  UserMixin,
  URLSafeTimedSerializer,
  isSafeUrl,
  fastifyLogin as named,
  type FastifyLoginOptions,
  type LoginUser
} from 'fastify-login'
import * as namespace from 'fastify-login'
import { sessionStoreContract } from 'fastify-login/testing'
import * as testing from 'fastify-login/testing'

class User extends UserMixin {
  constructor (public id: number) { super() }
}

const options: FastifyLoginOptions = {
  secret: 'a-secret-of-at-least-thirty-two-bytes-long!',
  userLoader: async (id) => (id === '1' ? new User(1) : null),
  loginView: '/login'
}

describe('ESM consumer', () => {
  test('the default import, the named import and the namespace import are the plugin', () => {
    expect(namespace.default).type.toBe(fastifyLogin)
    expect(namespace.fastifyLogin).type.toBe(named)
    expect(fastifyLogin.fastifyLogin).type.toBe(named)
    expect(namespace.UserMixin).type.toBe(UserMixin)
  })

  test('registers with await and each import form', async () => {
    const app = Fastify()
    expect(await app.register(fastifyLogin, options)).type.not.toRaiseError()
    expect(app.register(named, options)).type.not.toRaiseError()
    expect(app.register).type.not.toBeCallableWith(fastifyLogin, { ...options, sessionProtection: 'medium' })
  })

  test('without augmentation currentUser is LoginUser or AnonymousUserMixin', () => {
    const app = Fastify()
    app.get('/', { preHandler: app.loginRequired }, async (request) => {
      expect(request.currentUser).type.toBe<LoginUser | namespace.AnonymousUserMixin>()
      expect(request.currentUser.getId()).type.toBe<string | null>()
      expect(request.loginUser).type.toBeCallableWith(new User(1))
      expect(request.loginUser).type.not.toBeCallableWith({ id: 1 })
      return request.currentUser.isAuthenticated
    })
  })

  test('the helpers are there', () => {
    expect(new URLSafeTimedSerializer(options.secret).dumps(1)).type.toBe<string>()
    expect(isSafeUrl('/x', { allowedHosts: [] })).type.toBe<boolean>()
  })

  test('fastify-login/testing: the named import and the namespace', () => {
    expect(testing.sessionStoreContract).type.toBe(sessionStoreContract)
    expect(sessionStoreContract(() => namespace.memorySessionStore(), { test: () => {} })).type.toBe<Promise<void>>()
  })
})
