// A CommonJS consumer (module nodenext, `import = require`), without module augmentation: the
// plugin is `require('fastify-login')` itself, and also its `.default` and `.fastifyLogin`.
import Fastify = require('fastify')
import fastifyLogin = require('fastify-login')
import testing = require('fastify-login/testing')
import { describe, expect, test } from 'tstyche'

class User extends fastifyLogin.UserMixin {
  constructor (public id: number) { super() }
}

const options: fastifyLogin.FastifyLoginOptions = {
  secret: 'a-secret-of-at-least-thirty-two-bytes-long!',
  userLoader: (id) => (id === '1' ? new User(1) : undefined)
}

describe('CommonJS consumer', () => {
  test('require() gives the plugin, with .default and .fastifyLogin', () => {
    expect(fastifyLogin.default).type.toBe(fastifyLogin.fastifyLogin)
    const app = Fastify()
    expect(app.register(fastifyLogin, options)).type.not.toRaiseError()
    expect(app.register(fastifyLogin.default, options)).type.not.toRaiseError()
    expect(app.register(fastifyLogin.fastifyLogin, options)).type.not.toRaiseError()
    expect(app.register).type.not.toBeCallableWith(fastifyLogin, { userLoader: options.userLoader })
  })

  test('the classes and helpers hang off the export', () => {
    expect(new User(1).getId()).type.toBe<string>()
    expect(new fastifyLogin.AnonymousUserMixin().isAnonymous).type.toBe<true>()
    expect(fastifyLogin.isSafeUrl('/x')).type.toBe<boolean>()
    expect(new fastifyLogin.URLSafeTimedSerializer(options.secret).loads('t')).type.toBe<unknown>()
    expect(fastifyLogin.decodeCookie('c', options.secret)).type.toBe<string | null>()
  })

  test('without augmentation currentUser is LoginUser or AnonymousUserMixin', () => {
    const app = Fastify()
    app.get('/', { preHandler: [app.loginRequired, app.freshLoginRequired] }, async (request) => {
      expect(request.currentUser).type.toBe<fastifyLogin.LoginUser | fastifyLogin.AnonymousUserMixin>()
      return request.currentUser.isAuthenticated
    })
  })

  test('require(\'fastify-login/testing\') has sessionStoreContract', () => {
    expect(testing.sessionStoreContract(() => fastifyLogin.memorySessionStore(), { test: () => {} })).type.toBe<Promise<void>>()
    expect(testing.sessionStoreContract).type.not.toBeCallableWith(fastifyLogin.memorySessionStore())
  })
})
