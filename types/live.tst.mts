// Type tests of live connections: `sessions.recheckEvery`, `request.onSessionEnd`, the
// `sessionEnded` event and a SessionStore's optional notifications.
import Fastify from 'fastify'
import type { FastifyRequest } from 'fastify'
import { describe, expect, test } from 'tstyche'
import fastifyLogin, { memorySessionStore, type SessionEndNotice, type SessionEndReason, type SessionStore } from 'fastify-login'

const secret = 'a-secret-of-at-least-thirty-two-bytes-long!'

describe('live connections', () => {
  test('sessions.recheckEvery is a number of seconds', () => {
    const app = Fastify()
    expect(app.register(fastifyLogin, { secret, userLoader: () => null, sessions: { recheckEvery: 30 } })).type.not.toRaiseError()
    expect(app.register(fastifyLogin, { secret, userLoader: () => null, sessions: { recheckEvery: '30' } })).type.toRaiseError()
  })

  test('request.onSessionEnd takes a listener of the reason and returns a remover', () => {
    const request = {} as FastifyRequest
    expect(request.onSessionEnd((reason) => { expect(reason).type.toBe<SessionEndReason>() })).type.toBe<() => void>()
    expect(request.onSessionEnd).type.not.toBeCallableWith('listener')
  })

  test('the reasons are six words', () => {
    expect<SessionEndReason>().type.toBe<'logout' | 'revoked' | 'theft' | 'limit' | 'expired' | 'stale'>()
  })

  test('sessionEnded gives the session id, the user id and the reason', () => {
    const app = Fastify()
    app.loginManager.on('sessionEnded', (sessionId, userId, reason) => {
      expect(sessionId).type.toBe<string>()
      expect(userId).type.toBe<string>()
      expect(reason).type.toBe<SessionEndReason>()
    })
  })

  test('a SessionStore may announce and subscribe; the memory store does', () => {
    const store: SessionStore = memorySessionStore()
    expect(store.announce).type.toBe<((ended: readonly SessionEndNotice[]) => Promise<void>) | undefined>()
    expect(store.subscribe).type.toBe<((listener: (ended: SessionEndNotice) => void) => Promise<() => Promise<void>>) | undefined>()
  })
})
