// Bearer tokens for the JSON API: `{ id, h }` signed with URLSafeTimedSerializer.
// `h` is the user's session auth hash, so changing the password revokes old tokens too.
import { timingSafeEqual } from 'node:crypto'
import { URLSafeTimedSerializer, BadSignature } from 'fastify-login'
import type { User } from './user.js'
import type { UsersStore } from './users-store.js'

export const API_TOKEN_MAX_AGE = 60 * 60 // seconds

interface TokenPayload { id: number, h: string }

function isPayload (value: unknown): value is TokenPayload {
  if (typeof value !== 'object' || value === null) return false
  const { id, h } = value as Record<string, unknown>
  return typeof id === 'number' && typeof h === 'string'
}

function sameString (a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export class ApiTokens {
  readonly #serializer: URLSafeTimedSerializer
  readonly #users: UsersStore

  constructor (secret: string, users: UsersStore) {
    this.#serializer = new URLSafeTimedSerializer(secret, { salt: 'api-token' })
    this.#users = users
  }

  issue (user: User): string {
    return this.#serializer.dumps({ id: user.id, h: user.getSessionAuthHash() } satisfies TokenPayload)
  }

  /** The user a token belongs to, or `null` when it is malformed, forged, expired or revoked. */
  verify (token: string): User | null {
    let payload: unknown
    try {
      payload = this.#serializer.loads(token, { maxAge: API_TOKEN_MAX_AGE })
    } catch (err) {
      if (err instanceof BadSignature) return null // SignatureExpired is a BadSignature too
      throw err
    }
    if (!isPayload(payload)) return null
    const user = this.#users.findById(payload.id)
    if (user === null || !sameString(user.getSessionAuthHash(), payload.h)) return null
    return user
  }

  /** The token of an `Authorization: Bearer <token>` header, else `null`. */
  static fromHeader (header: string | undefined): string | null {
    const match = /^Bearer[ ]+([A-Za-z0-9_.-]{1,2048})[ ]*$/i.exec(header ?? '')
    return match === null ? null : match[1]!
  }
}
