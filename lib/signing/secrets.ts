// The secret option (SEC-12): a string or Buffer, or an array of them (the first signs, all verify).
import { FST_LOGIN_INVALID_SECRET } from '../core/errors.js'
import type { Secret } from '../../types/index.js'

/** Secrets shorter than this many bytes are refused (SEC-12). */
export const MIN_SECRET_BYTES = 32

/**
 * Validates the secret option and returns it as a non-empty array. `minBytes` is lowered to 1 for
 * another application's key (a Flask SECRET_KEY read by the Python formats), never otherwise.
 */
export function normalizeSecrets (secret: unknown, minBytes = MIN_SECRET_BYTES): Secret[] {
  if (secret === undefined || secret === null) {
    throw new FST_LOGIN_INVALID_SECRET(`a secret is required (a string or Buffer of at least ${minBytes} bytes, or an array of them)`)
  }
  const secrets: unknown[] = Array.isArray(secret) ? secret : [secret]
  if (secrets.length === 0) {
    throw new FST_LOGIN_INVALID_SECRET('the secret array is empty')
  }
  secrets.forEach((entry, index) => {
    if (typeof entry !== 'string' && !Buffer.isBuffer(entry)) {
      throw new FST_LOGIN_INVALID_SECRET(`secret at index ${index} must be a string or Buffer, got ${entry === null ? 'null' : typeof entry}`)
    }
    const bytes = Buffer.byteLength(entry)
    if (bytes < minBytes) {
      throw new FST_LOGIN_INVALID_SECRET(`secret at index ${index} is ${bytes} bytes; at least ${minBytes} are required`)
    }
  })
  return secrets as Secret[]
}
