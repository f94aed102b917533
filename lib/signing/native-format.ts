// fastify-login's own token format. Built on @fastify/cookie's Signer, which signs with the first
// key, verifies with all of them in constant time and says when a fallback key matched.
//
// Token: base64url(JSON) "." base64url(issued-at seconds, big-endian, no leading zero bytes) "."
// base64url(HMAC-SHA256(derivedKey, first two parts)); derivedKey = HMAC-SHA256(secret,
// "fastify-login:" + salt) for each secret, so a salt separates purposes.
import { createHmac } from 'node:crypto'
import { Signer } from '@fastify/cookie'
import type { Secret } from '../../types/index.js'
import { decodeCanonical, deriveItsdangerousKey, signItsdangerous, TokenFailure, verifyItsdangerous } from './itsdangerous.js'

const KEY_DERIVATION_PREFIX = 'fastify-login:'
// HMAC-SHA256 is 32 bytes: 43 base64url characters without padding.
const TOKEN_RE = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/
// Issue times are kept in at most 6 bytes (seconds up to 2^48, far beyond any real date).
const TIMESTAMP_BYTES = 6

/** What a token format does with a JSON text; `verify` throws TokenFailure. */
export interface TokenFormat {
  sign (json: string, seconds: number): string
  verify (token: string): { json: string, issuedAt: number, renew: boolean }
}

function encodeTimestamp (seconds: number): string {
  const bytes = Buffer.alloc(TIMESTAMP_BYTES)
  bytes.writeUIntBE(seconds, 0, TIMESTAMP_BYTES)
  let start = 0
  while (start < TIMESTAMP_BYTES - 1 && bytes[start] === 0) start++
  return bytes.subarray(start).toString('base64url')
}

function decodeTimestamp (text: string): number | null {
  const bytes = decodeCanonical(text)
  if (bytes === null || bytes.length > TIMESTAMP_BYTES || (bytes.length > 1 && bytes[0] === 0)) {
    return null
  }
  return bytes.readUIntBE(0, bytes.length)
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** fastify-login's format. */
export function nativeFormat (secrets: readonly Secret[], salt: string): TokenFormat {
  const signer = new Signer(secrets.map((secret) => createHmac('sha256', secret).update(KEY_DERIVATION_PREFIX + salt, 'utf8').digest()), 'sha256')
  return {
    sign: (json, seconds) => {
      const unsigned = Buffer.from(json, 'utf8').toString('base64url') + '.' + encodeTimestamp(seconds)
      return signer.sign(unsigned).replaceAll('+', '-').replaceAll('/', '_')
    },
    verify: (token) => {
      const parts = TOKEN_RE.exec(token)
      if (parts === null) throw new TokenFailure('malformed')
      const [, payload, timestamp, signature] = parts as unknown as [string, string, string, string]
      const result = signer.unsign(`${payload}.${timestamp}.${signature.replaceAll('-', '+').replaceAll('_', '/')}`)
      if (!result.valid) throw new TokenFailure('signature')
      const issuedAt = decodeTimestamp(timestamp)
      if (issuedAt === null) throw new TokenFailure('timestamp')
      const bytes = decodeCanonical(payload)
      if (bytes === null) throw new TokenFailure('base64')
      let json: string
      try {
        json = utf8.decode(bytes)
      } catch {
        throw new TokenFailure('payload')
      }
      return { json, issuedAt, renew: result.renew }
    }
  }
}

/** Python itsdangerous' URLSafeTimedSerializer (its default `django-concat` key derivation). */
export function itsdangerousFormat (secrets: readonly Secret[], salt: string): TokenFormat {
  const keys = secrets.map((secret) => deriveItsdangerousKey(secret, salt, 'django-concat'))
  return {
    sign: (json, seconds) => signItsdangerous(json, seconds, keys[0] as Buffer),
    verify: (token) => {
      const { json, issuedAt, keyIndex } = verifyItsdangerous(token, keys)
      return { json, issuedAt, renew: keyIndex > 0 }
    }
  }
}
