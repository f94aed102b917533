// The random token of a tracked session's remember cookie, and the hash the store keeps of it.
import { createHash, randomBytes } from 'node:crypto'

/** A new remember token: 256 random bits. Only its hash is stored. */
export function newRememberToken (): string {
  return randomBytes(32).toString('base64url')
}

/** What the store keeps of a remember token: its SHA-256, base64url. */
export function rememberHashOf (token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}
