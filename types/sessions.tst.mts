// Type tests of tracked sessions and the fresh window: the `sessions` option, the SessionStore an
// application implements, the request and manager methods, `freshFor` and `loginFresh(within)`.
import Fastify from 'fastify'
import type { FastifyRequest } from 'fastify'
import { describe, expect, test } from 'tstyche'
import fastifyLogin, {
  memorySessionStore,
  redisSessionStore,
  UserMixin,
  type RotationVerdict,
  type SessionInfo,
  type SessionLimit,
  type SessionStore,
  type SessionStoreCapability,
  type StoredSession,
  type StoredSessionChanges
} from 'fastify-login'

class User extends UserMixin {
  constructor (public id: number) { super() }
}

declare module 'fastify-login' {
  interface FastifyLoginTypes {
    user: User
  }
}

const secret = 'a-secret-of-at-least-thirty-two-bytes-long!'

describe('the sessions option', () => {
  test('takes true, null, or a store with a limit', () => {
    const app = Fastify()
    expect(app.register(fastifyLogin, { secret, userLoader: () => null, sessions: true })).type.not.toRaiseError()
    expect(app.register(fastifyLogin, { secret, userLoader: () => null, sessions: null })).type.not.toRaiseError()
    expect(app.register(fastifyLogin, {
      secret,
      userLoader: () => null,
      freshFor: 300,
      rememberCookie: { rotationGrace: 10 },
      sessions: { store: memorySessionStore(), maxPerUser: 3, onLimit: 'refuse' }
    })).type.not.toRaiseError()
    expect(app.register(fastifyLogin, { secret, userLoader: () => null, sessions: { onLimit: 'oldest' } })).type.toRaiseError()
    expect(app.register(fastifyLogin, { secret, userLoader: () => null, sessions: { timeout: 0.5 } })).type.not.toRaiseError()
    expect(app.register(fastifyLogin, { secret, userLoader: () => null, sessions: { timeout: '2' } })).type.toRaiseError()
  })

  test('the stores are SessionStores; redisSessionStore takes a client and a prefix', () => {
    expect(memorySessionStore()).type.toBe<SessionStore>()
    expect(redisSessionStore({}, { prefix: 'app:' })).type.toBe<SessionStore>()
  })

  test('an application implements SessionStore with its own database', () => {
    const rows = new Map<string, StoredSession>()
    const store: SessionStore = {
      async create (session, limit) {
        expect(limit.onLimit).type.toBe<'revoke-oldest' | 'refuse'>()
        const id = String(rows.size + 1)
        rows.set(id, { ...session, id })
        return { id, ended: [] }
      },
      async get (id) { return rows.get(id) ?? null },
      async update (id, changes, expect) { return rows.has(id) && changes !== null && expect !== 'x' },
      async list (userId) { return [...rows.values()].filter((row) => row.userId === userId) },
      async destroy (id) { const row = rows.get(id) ?? null; rows.delete(id); return row },
      async destroyAll () { return [] }
    }
    expect(store).type.toBe<SessionStore>()
    expect<SessionStore>().type.not.toBeAssignableFrom({ get: async () => null })
  })

  test('a store may judge and rotate remember tokens on its own clock (optional rotate), and join a double login (origin)', () => {
    const rotate: NonNullable<SessionStore['rotate']> = async (id, rotation) => {
      expect(rotation.next).type.toBe<string | null>()
      expect(rotation.changes).type.toBe<Pick<StoredSessionChanges, 'lastSeenAt' | 'ip' | 'expiresAt'>>()
      return id === '' ? 'gone' : 'rotated'
    }
    expect(rotate('id', { presented: 'h', next: null, graceMs: 0, changes: {} })).type.toBe<Promise<RotationVerdict>>()
    expect(rotate).type.not.toBeCallableWith('id', { presented: 'h', next: null, graceMs: 0, changes: { rememberHash: 'x' } })
    expect<SessionLimit['origin']>().type.toBe<string | null | undefined>()
    expect<StoredSession['authDigest']>().type.toBe<string | null | undefined>()
    expect<StoredSessionChanges>().type.not.toBeAssignableFrom({ authDigest: 'x' })
  })

  test('a store declares origin and authDigest in capabilities (optional); the two stores of the package do', () => {
    expect<SessionStore['capabilities']>().type.toBe<readonly SessionStoreCapability[] | undefined>()
    expect<SessionStoreCapability>().type.toBe<'origin' | 'authDigest'>()
    const sixMethods: Omit<SessionStore, 'capabilities'> = memorySessionStore()
    expect<SessionStore>().type.toBeAssignableFrom({ ...sixMethods, capabilities: ['origin', 'authDigest'] as const })
    expect<SessionStore>().type.toBeAssignableFrom({ ...sixMethods, capabilities: [] })
    expect<SessionStore>().type.not.toBeAssignableFrom({ ...sixMethods, capabilities: ['rotate'] as const })
    expect<SessionStore>().type.not.toBeAssignableFrom({ ...sixMethods, capabilities: 'origin' })
  })
})

describe('the request and the manager', () => {
  test('listSessions, revokeSession, logoutOtherSessions', () => {
    const request = {} as FastifyRequest
    expect(request.listSessions()).type.toBe<Promise<SessionInfo[]>>()
    expect(request.revokeSession('id')).type.toBe<Promise<boolean>>()
    expect(request.logoutOtherSessions()).type.toBe<Promise<number>>()
    expect(request.revokeSession).type.not.toBeCallableWith()
  })

  test('SessionInfo has Dates and the current flag', () => {
    const info = {} as SessionInfo
    expect(info.createdAt).type.toBe<Date>()
    expect(info.lastSeenAt).type.toBe<Date>()
    expect(info.current).type.toBe<boolean>()
    expect(info.remembered).type.toBe<boolean>()
  })

  test('the manager lists and revokes for administrators; rememberTheft gives the user type', () => {
    const app = Fastify()
    expect(app.loginManager.listSessions('1')).type.toBe<Promise<SessionInfo[]>>()
    expect(app.loginManager.revokeSession('s')).type.toBe<Promise<boolean>>()
    expect(app.loginManager.revokeAllSessions('1')).type.toBe<Promise<number>>()
    expect(app.loginManager.listSessions(new User(1))).type.toBe<Promise<SessionInfo[]>>()
    expect(app.loginManager.listSessions).type.not.toBeCallableWith({ id: 1 })
    app.loginManager.on('rememberTheft', (request, user) => {
      expect(request).type.toBe<FastifyRequest>()
      expect(user).type.toBe<User>()
    })
  })
})

describe('the fresh window', () => {
  test('loginFresh takes an optional window; routes take config.freshFor', () => {
    const app = Fastify()
    const request = {} as FastifyRequest
    expect(request.loginFresh()).type.toBe<boolean>()
    expect(request.loginFresh(60)).type.toBe<boolean>()
    expect(request.loginFresh).type.not.toBeCallableWith('60')
    expect(app.get('/sudo', { preHandler: app.freshLoginRequired, config: { freshFor: 300 } }, async () => 'ok')).type.not.toRaiseError()
    expect(app.get('/sudo', { config: { freshFor: '300' } }, async () => 'ok')).type.toRaiseError()
  })
})
