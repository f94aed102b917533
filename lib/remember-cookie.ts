import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ResolvedLoginOptions } from '../types/index.js'
import { URLSafeTimedSerializer } from './serializer.js'

/** What a verified remember cookie holds. */
export interface RememberPayload {
  /** The user id (for userLoader), or null when the cookie carries a token. */
  readonly id: string | null
  /** The user's getAuthToken() value (for tokenLoader), or null. */
  readonly token: string | null
  /** With `sessions`: the tracked session the cookie belongs to, and its random token. */
  readonly session: { readonly id: string, readonly token: string } | null
  /** The user's getSessionAuthHash() when the cookie was issued, or null. */
  readonly hash: string | null
  /** Seconds the cookie is valid for, counted from issuedAt. */
  readonly duration: number
  readonly issuedAt: number
  /** Signed with a secret that is no longer the first: re-issue it. */
  readonly renew: boolean
}

interface WirePayload { u?: unknown, k?: unknown, s?: unknown, t?: unknown, h?: unknown, d?: unknown }

/** What a remember cookie is issued for: a user id, an auth token, or a tracked session and its token. */
export type RememberClaims = Pick<RememberPayload, 'id' | 'token' | 'hash'> & { readonly session?: RememberPayload['session'] }

function nonEmpty (value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

/** Browsers keep at most 4096 bytes of name=value per cookie. */
const MAX_COOKIE_BYTES = 4096

/**
 * The remember cookie: `URLSafeTimedSerializer` with its own salt over `{ u | k, d, h }`.
 * The issue time is inside the signed value, so the duration is enforced here, on the server,
 * whatever the browser does with Expires.
 */
export class RememberCookie {
  readonly #serializer: URLSafeTimedSerializer
  readonly #options: ResolvedLoginOptions['rememberCookie']
  /** With `sessions`, every cookie names a tracked session; without, none may. */
  readonly #tracked: boolean

  constructor (options: ResolvedLoginOptions) {
    this.#serializer = new URLSafeTimedSerializer([...options.secrets], { salt: 'fastify-login.remember' })
    this.#options = options.rememberCookie
    this.#tracked = options.sessions !== null
  }

  get name (): string {
    return this.#options.name
  }

  /** The signed cookie value for a login (check it with `fits` before setting it). */
  encode (login: RememberClaims, duration: number): string {
    const wire: WirePayload = login.session != null
      ? { s: login.session.id, t: login.session.token, d: duration }
      : login.token !== null ? { k: login.token, d: duration } : { u: login.id, d: duration }
    if (login.hash !== null) {
      wire.h = login.hash
    }
    return this.#serializer.dumps(wire)
  }

  fits (value: string): boolean {
    return Buffer.byteLength(this.#options.name) + 1 + value.length <= MAX_COOKIE_BYTES
  }

  /** The verified payload, or the reason the cookie is refused. Never throws. */
  decode (value: string): RememberPayload | string {
    let meta: ReturnType<URLSafeTimedSerializer['loadsWithMeta']>
    try {
      meta = this.#serializer.loadsWithMeta(value)
    } catch (error) {
      return (error as Error).message.replace(/^fastify-login: /, '')
    }
    const wire = meta.value as WirePayload
    if (typeof wire !== 'object' || wire === null || typeof wire.d !== 'number' || !(wire.d > 0)) {
      return 'malformed payload'
    }
    const id = nonEmpty(wire.u)
    const token = nonEmpty(wire.k)
    const sessionId = nonEmpty(wire.s)
    const secret = nonEmpty(wire.t)
    const kinds = Number(id !== null) + Number(token !== null) + Number(sessionId !== null)
    if (kinds !== 1 || (sessionId === null) !== (secret === null) || (sessionId !== null) !== this.#tracked ||
        (wire.h !== undefined && typeof wire.h !== 'string')) {
      return 'malformed payload'
    }
    const session = sessionId === null ? null : { id: sessionId, token: secret as string }
    const age = Date.now() / 1000 - meta.issuedAt
    if (age > wire.d) {
      return `expired ${Math.floor(age - wire.d)}s ago`
    }
    return { id, token, session, hash: (wire.h as string | undefined) ?? null, duration: wire.d, issuedAt: meta.issuedAt, renew: meta.renew }
  }

  set (request: FastifyRequest, reply: FastifyReply, value: string, maxAge: number): void {
    const o = this.#options
    reply.setCookie(o.name, value, {
      path: o.path,
      domain: o.domain,
      httpOnly: o.httpOnly,
      sameSite: o.sameSite,
      secure: o.secure === 'auto' ? request.protocol === 'https' : o.secure,
      maxAge: Math.max(1, Math.floor(maxAge)),
      expires: new Date(Date.now() + maxAge * 1000)
    })
  }

  /** Deletes the cookie with the attributes it was set with (a Secure cookie needs a Secure deletion). */
  clear (request: FastifyRequest, reply: FastifyReply): void {
    const o = this.#options
    reply.clearCookie(o.name, {
      path: o.path,
      domain: o.domain,
      httpOnly: o.httpOnly,
      sameSite: o.sameSite,
      secure: o.secure === 'auto' ? request.protocol === 'https' : o.secure
    })
  }
}
