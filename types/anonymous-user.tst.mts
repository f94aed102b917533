// Type tests with both user types named by module augmentation: `user` and `anonymousUser`.
import Fastify from 'fastify'
import { describe, expect, test } from 'tstyche'
import fastifyLogin, { AnonymousUserMixin, UserMixin, type CurrentUser, type FastifyLoginOptions } from 'fastify-login'

class Member extends UserMixin {
  constructor (public id: string, public email: string) { super() }
}

class Guest extends AnonymousUserMixin {
  readonly name = 'Guest'
  readonly cartId: string | null = null
}

declare module 'fastify-login' {
  interface FastifyLoginTypes {
    user: Member
    anonymousUser: Guest
  }
}

const secret = 'a-secret-of-at-least-thirty-two-bytes-long!'

describe('a custom anonymous user', () => {
  test('currentUser is the member or the guest, narrowed by isAnonymous and isAuthenticated', () => {
    const app = Fastify()
    app.get('/', async (request) => {
      expect(request.currentUser).type.toBe<Member | Guest>()
      expect<CurrentUser>().type.toBe<Member | Guest>()
      if (request.currentUser.isAnonymous) {
        expect(request.currentUser).type.toBe<Guest>()
        return request.currentUser.name
      }
      expect(request.currentUser).type.toBe<Member>()
      return request.currentUser.email
    })
  })

  test('the anonymousUser option takes the Guest class or a factory of Guests', () => {
    const app = Fastify()
    expect(app.register(fastifyLogin, { secret, userLoader: () => null, anonymousUser: Guest })).type.not.toRaiseError()
    expect(app.register(fastifyLogin, { secret, userLoader: () => null, anonymousUser: () => new Guest() })).type.not.toRaiseError()
    expect<FastifyLoginOptions['anonymousUser']>().type.not.toBeAssignableFrom(AnonymousUserMixin)
    expect<FastifyLoginOptions['anonymousUser']>().type.not.toBeAssignableFrom(() => new AnonymousUserMixin())
  })

  test('loginUser takes a member, not a guest', () => {
    const app = Fastify()
    app.post('/login', async (request) => {
      expect(request.loginUser).type.toBeCallableWith(new Member('m1', 'm@example.com'))
      expect(request.loginUser).type.not.toBeCallableWith(new Guest())
    })
  })

  test('userLoader returns members', () => {
    expect<FastifyLoginOptions['userLoader']>().type.toBeAssignableFrom(async (id: string) => new Member(id, 'm@example.com'))
    expect<FastifyLoginOptions['userLoader']>().type.not.toBeAssignableFrom(() => new Guest())
  })

  test('loggedOut listeners receive whoever was logged in', () => {
    const app = Fastify()
    app.loginManager.on('loggedOut', (_request, user) => { expect(user).type.toBe<Member | Guest>() })
    app.loginManager.on('loggedIn', (_request, user) => { expect(user).type.toBe<Member>() })
  })
})
