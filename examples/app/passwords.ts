// Password hashing with node:crypto scrypt. The stored string carries its own
// parameters, so they can be raised later without breaking existing hashes:
//   scrypt$<N>$<r>$<p>$<salt, base64url>$<key, base64url>
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

const KEY_LENGTH = 64
const SALT_LENGTH = 16
const DEFAULT_COST = { N: 2 ** 14, r: 8, p: 1 } // Node's default cost; raise N on a dedicated server
const MAX_PASSWORD_LENGTH = 1024

function deriveKey (password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem must cover 128 * N * r bytes; leave headroom above that.
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem: 256 * options.N! * options.r! }, (err, key) => {
      if (err) reject(err)
      else resolve(key)
    })
  })
}

export async function hashPassword (password: string): Promise<string> {
  if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) {
    throw new RangeError(`password must be 1 to ${MAX_PASSWORD_LENGTH} characters`)
  }
  const salt = randomBytes(SALT_LENGTH)
  const { N, r, p } = DEFAULT_COST
  const key = await deriveKey(password, salt, { N, r, p })
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

function parseHash (stored: string) {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null
  const [N, r, p] = parts.slice(1, 4).map(Number)
  if (![N, r, p].every(Number.isSafeInteger)) return null
  return { N, r, p, salt: Buffer.from(parts[4]!, 'base64url'), key: Buffer.from(parts[5]!, 'base64url') }
}

/** `true` when `password` matches `stored`; compares the derived keys in constant time. */
export async function verifyPassword (password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored)
  if (parsed === null || password.length > MAX_PASSWORD_LENGTH) return false
  const key = await deriveKey(password, parsed.salt, { N: parsed.N, r: parsed.r, p: parsed.p })
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key)
}

// A hash of a password nobody knows: checked when the username does not exist,
// so that a wrong username costs as much time as a wrong password.
let decoyHash: Promise<string> | undefined
export function decoyPasswordHash (): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString('hex'))
  return decoyHash
}
