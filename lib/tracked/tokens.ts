// The random token of a tracked session's remember cookie, and the hash the store keeps of it.
import { createHash, createHmac, randomBytes } from 'node:crypto'
import type { Secret, UserType as User } from '../../types/index.js'
import { authHashOf } from '../core/user.js'

/** A new remember token: 256 random bits. Only its hash is stored. */
export function newRememberToken (): string {
  return randomBytes(32).toString('base64url')
}

/** What the store keeps of a remember token: its SHA-256, base64url. */
export function rememberHashOf (token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

/**
 * A login's origin: 128 bits of the SHA-256 of the session cookie it arrived with (null without
 * one). Two logins posted at once by one browser carry the same cookie, so the same origin.
 */
export function originOf (cookie: unknown): string | null {
  return typeof cookie === 'string' && cookie !== '' ? createHash('sha256').update(cookie).digest('base64url').slice(0, 22) : null
}

/**
 * The remember token of a login with an origin: the same for two logins of one user from one
 * cookie (so either answer's remember cookie matches the one entry they share), and unknowable
 * without the secret. A rotation replaces it with a random one at the first restore.
 */
export function originToken (secret: Secret, origin: string, userId: string): string {
  return createHmac('sha256', secret).update(`fastify-login remember token\u0000${origin}\u0000${userId}`).digest('base64url')
}

/**
 * What an entry keeps of its user's auth hash: 128 bits of its SHA-256, base64url. A plain digest,
 * not a keyed one: it is compared inside the store's atomic create and must not change when the
 * secret rotates, and the auth hash it hides is already held by the session itself (`_auth_hash`)
 * and the remember cookie's claims. Null when the user has none. (`sessions` is refused with
 * `flask` mode 'shared', where logins carry no auth hash.)
 */
export function authDigestOf (user: User): string | null {
  const hash = authHashOf(user)
  return hash === null ? null : createHash('sha256').update(hash).digest('base64url').slice(0, 22)
}
