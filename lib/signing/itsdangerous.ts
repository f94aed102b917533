// Python itsdangerous' URLSafeTimedSerializer, written from its documented behaviour: a JSON
// payload (zlib-compressed when that makes it shorter, marked with a leading "."), the issue time,
// and an HMAC-SHA1 signature, each base64url without padding and joined by ".". The key is derived
// from each secret and the salt, as itsdangerous does with `django-concat` (its default:
// SHA1(salt + "signer" + secret)) or `hmac` (Flask's session: HMAC-SHA1(secret, salt)).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { deflateSync, inflateSync } from 'node:zlib'

export type KeyDerivation = 'django-concat' | 'hmac'

/** Longest inflated payload read from a compressed token (SEC-28: no decompression bomb). */
export const MAX_INFLATED_BYTES = 64 * 1024

// payload (optionally "."-prefixed), timestamp, 27-character SHA-1 signature
const TOKEN_RE = /^(\.?[A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{1,11})\.([A-Za-z0-9_-]{27})$/

/** Why a token does not load (the caller turns it into its own error). */
export type Failure = 'malformed' | 'signature' | 'timestamp' | 'base64' | 'payload'

export class TokenFailure extends Error {
  readonly reason: Failure
  constructor (reason: Failure) {
    super(reason)
    this.reason = reason
  }
}

/** Python's want_bytes: a string secret is its UTF-8 bytes. */
function bytesOf (secret: string | Buffer): Buffer {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret
}

/** The signing key of `secret` for `salt`. */
export function deriveItsdangerousKey (secret: string | Buffer, salt: string, derivation: KeyDerivation): Buffer {
  if (derivation === 'hmac') {
    return createHmac('sha1', bytesOf(secret)).update(salt, 'utf8').digest()
  }
  return createHash('sha1').update(salt, 'utf8').update('signer').update(bytesOf(secret)).digest()
}

/** itsdangerous' int_to_bytes: 8 bytes big-endian without its leading zero bytes, base64url. */
function encodeTimestamp (seconds: number): string {
  const bytes = Buffer.alloc(8)
  bytes.writeBigUInt64BE(BigInt(seconds))
  let start = 0
  while (start < 8 && bytes[start] === 0) start++
  return bytes.subarray(start).toString('base64url')
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Decodes base64url only when `text` is the canonical encoding of its bytes. */
export function decodeCanonical (text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64url')
  return bytes.toString('base64url') === text ? bytes : null
}

function decodeTimestamp (text: string): number | null {
  const bytes = decodeCanonical(text)
  if (bytes === null || bytes.length === 0 || bytes.length > 6 || bytes[0] === 0) return null
  return bytes.readUIntBE(0, bytes.length)
}

/** The payload part of a token: the JSON text's bytes, compressed when zlib saves more than a byte. */
export function encodePayload (json: string): string {
  const bytes = Buffer.from(json, 'utf8')
  const compressed = deflateSync(bytes)
  return compressed.length < bytes.length - 1 ? '.' + compressed.toString('base64url') : bytes.toString('base64url')
}

/** The text of a payload part; TokenFailure when not base64url, a bad zlib stream, over MAX_INFLATED_BYTES or not UTF-8. */
export function decodePayload (payload: string): string {
  const compressed = payload.startsWith('.')
  let bytes = decodeCanonical(compressed ? payload.slice(1) : payload)
  if (bytes === null) throw new TokenFailure('base64')
  try {
    if (compressed) bytes = inflateSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES })
    return utf8.decode(bytes)
  } catch {
    throw new TokenFailure('payload')
  }
}

function signatureOf (key: Buffer, signed: string): Buffer {
  return createHmac('sha1', key).update(signed, 'ascii').digest()
}

/** Signs `json` issued at `seconds` with `key` (the first secret's). */
export function signItsdangerous (json: string, seconds: number, key: Buffer): string {
  const signed = encodePayload(json) + '.' + encodeTimestamp(seconds)
  return signed + '.' + signatureOf(key, signed).toString('base64url')
}

export interface Verified {
  readonly json: string
  readonly issuedAt: number
  /** The index of the key that matched (0: the signing key). */
  readonly keyIndex: number
}

/**
 * Checks a token's signature against every key (constant time, before anything in it is parsed),
 * then decodes its timestamp and payload. Throws TokenFailure.
 */
export function verifyItsdangerous (token: string, keys: readonly Buffer[]): Verified {
  const parts = TOKEN_RE.exec(token)
  if (parts === null) throw new TokenFailure('malformed')
  const [, payload, timestamp, signature] = parts as unknown as [string, string, string, string]
  const given = decodeCanonical(signature)
  if (given === null) throw new TokenFailure('malformed')
  const signed = `${payload}.${timestamp}`
  let keyIndex = -1
  keys.forEach((key, index) => {
    if (timingSafeEqual(signatureOf(key, signed), given) && keyIndex === -1) keyIndex = index
  })
  if (keyIndex === -1) throw new TokenFailure('signature')
  const issuedAt = decodeTimestamp(timestamp)
  if (issuedAt === null) throw new TokenFailure('timestamp')
  return { json: decodePayload(payload), issuedAt, keyIndex }
}
