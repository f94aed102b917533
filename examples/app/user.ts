// The application's user: fastify-login's UserMixin plus what this app stores.
import { UserMixin } from 'fastify-login'

export interface UserRecord {
  id: number
  username: string
  displayName: string
  active: boolean
  passwordChangedAt: string | null
}

export class User extends UserMixin {
  readonly id: number
  readonly username: string
  readonly displayName: string
  readonly active: boolean
  readonly passwordChangedAt: string | null
  readonly #sessionAuthHash: string

  constructor (record: UserRecord, sessionAuthHash: string) {
    super()
    this.id = record.id
    this.username = record.username
    this.displayName = record.displayName
    this.active = record.active
    this.passwordChangedAt = record.passwordChangedAt
    this.#sessionAuthHash = sessionAuthHash
  }

  // Flask-Login's is_active: an inactive user cannot log in (loginUser returns false).
  override get isActive (): boolean {
    return this.active
  }

  // Bound to every login by fastify-login. It is derived from the stored password
  // hash, so changing the password ends every other session and remember cookie.
  getSessionAuthHash (): string {
    return this.#sessionAuthHash
  }
}

/** Narrows `request.currentUser` to this app's `User` (the anonymous user is not one). */
export function isUser (value: unknown): value is User {
  return value instanceof User
}
