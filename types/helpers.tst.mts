// Type tests for the helpers exported next to the plugin: the serializer and its errors, URL helpers
// and the remember-cookie codec. No module augmentation here.
import { describe, expect, test } from 'tstyche'
import {
  BadSignature,
  MAX_TOKEN_LENGTH,
  SignatureExpired,
  URLSafeTimedSerializer,
  decodeCookie,
  encodeCookie,
  isSafeUrl,
  loginUrl,
  makeNextParam,
  toSafeLocation
} from 'fastify-login'

const secret = 'a-secret-of-at-least-thirty-two-bytes-long!'

describe('URLSafeTimedSerializer', () => {
  test('is constructed with a secret or a list of secrets and an optional salt', () => {
    expect(URLSafeTimedSerializer).type.toBeConstructableWith(secret)
    expect(URLSafeTimedSerializer).type.toBeConstructableWith([secret, Buffer.from(secret)], { salt: 'api-token' })
    expect(URLSafeTimedSerializer).type.not.toBeConstructableWith()
    expect(URLSafeTimedSerializer).type.not.toBeConstructableWith(42)
    expect(URLSafeTimedSerializer).type.not.toBeConstructableWith(secret, { salt: 1 })
  })

  test('dumps any value to a string and loads it back as unknown', () => {
    const serializer = new URLSafeTimedSerializer(secret, { salt: 'api-token' })
    expect(serializer.dumps({ id: 1 })).type.toBe<string>()
    expect(serializer.loads('token')).type.toBe<unknown>()
    expect(serializer.loads('token', { maxAge: 60 })).type.toBe<unknown>()
    expect(serializer.loads).type.not.toBeCallableWith('token', { maxAge: '1h' })
    expect(serializer.loads).type.not.toBeCallableWith(42)
    expect(serializer.loadsWithMeta('token')).type.toBe<{ value: unknown, issuedAt: number, renew: boolean }>()
    expect(MAX_TOKEN_LENGTH).type.toBe<number>()
  })
})

describe('BadSignature and SignatureExpired', () => {
  test('are Error classes, SignatureExpired a BadSignature, narrowed by instanceof', () => {
    expect<SignatureExpired>().type.toBeAssignableTo<BadSignature>()
    expect<BadSignature>().type.toBeAssignableTo<Error>()
    expect<BadSignature>().type.not.toBeAssignableTo<SignatureExpired>()
    const error: unknown = new Error('x')
    if (error instanceof SignatureExpired) {
      expect(error.issuedAt).type.toBe<number>()
      expect(error.code).type.toBe<'FST_LOGIN_SIGNATURE_EXPIRED'>()
    } else if (error instanceof BadSignature) {
      expect(error.code).type.toBe<'FST_LOGIN_BAD_SIGNATURE' | 'FST_LOGIN_SIGNATURE_EXPIRED'>()
      expect(error.message).type.toBe<string>()
    }
  })
})

describe('URL helpers', () => {
  test('isSafeUrl takes any value and allowed hosts as a string, an array or a Set', () => {
    expect(isSafeUrl('/next')).type.toBe<boolean>()
    expect(isSafeUrl).type.toBeCallableWith(undefined)
    expect(isSafeUrl).type.toBeCallableWith('https://example.com/', { allowedHosts: 'example.com', requireHttps: true })
    expect(isSafeUrl).type.toBeCallableWith('/', { allowedHosts: ['example.com', 'api.example.com:8443'] })
    expect(isSafeUrl).type.toBeCallableWith('/', { allowedHosts: new Set(['example.com']) })
    expect(isSafeUrl).type.not.toBeCallableWith('/', { allowedHosts: 42 })
    expect(isSafeUrl).type.not.toBeCallableWith('/', { requireHttps: 'yes' })
  })

  test('toSafeLocation takes and returns a string', () => {
    expect(toSafeLocation('/caf\u00e9')).type.toBe<string>()
    expect(toSafeLocation).type.not.toBeCallableWith(undefined)
  })

  test('loginUrl and makeNextParam return strings', () => {
    expect(loginUrl('/login')).type.toBe<string>()
    expect(loginUrl('/login', '/private?tab=1', 'continue')).type.toBe<string>()
    expect(loginUrl).type.toBeCallableWith('/login', null)
    expect(loginUrl).type.not.toBeCallableWith()
    expect(makeNextParam('/login', 'http://localhost/private')).type.toBe<string>()
    expect(makeNextParam).type.not.toBeCallableWith('/login')
  })
})

describe('remember-cookie codec', () => {
  test('encodeCookie signs a string; decodeCookie takes anything and may give null', () => {
    expect(encodeCookie('42', secret)).type.toBe<string>()
    expect(encodeCookie).type.toBeCallableWith('42', [secret, Buffer.from(secret)])
    expect(encodeCookie).type.not.toBeCallableWith(42, secret)
    expect(encodeCookie).type.not.toBeCallableWith('42')
    expect(decodeCookie(undefined, secret)).type.toBe<string | null>()
    expect(decodeCookie).type.not.toBeCallableWith('cookie')
  })
})
