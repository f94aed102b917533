// fastify-login's session interface on Flask's own session cookie (`flask` option, mode 'shared'):
// the session is the signed cookie Flask's default session interface reads and writes
// (itsdangerous with salt "cookie-session", HMAC-SHA1, the `hmac` key derivation, Flask's tagged
// JSON), so a Flask application on the same domain shares it. Hostile cookies (SEC-28): at most
// 4 KiB, the signature checked before anything is parsed, zlib output bounded, no `__proto__`
// key; a cookie that fails any of it is an empty session, never an error.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import type { ResolvedLoginOptions } from '../../types/index.js'
import { dumpFlaskJson, parseFlaskJson } from '../signing/flask-json.js'
import { deriveItsdangerousKey, signItsdangerous, verifyItsdangerous } from '../signing/itsdangerous.js'
import type { SessionEngine } from './engine.js'

type FlaskOptions = NonNullable<ResolvedLoginOptions['flask']>

const SALT = 'cookie-session'
/** Browsers keep at most 4096 bytes per cookie: a longer one was not set by Flask or by us. */
const MAX_COOKIE_BYTES = 4096
/** Flask's flag of a permanent session (an engine internal: not one of the application's keys). */
const PERMANENT = '_permanent'
/** Issue times this far in the future (clock skew between the two applications) are accepted. */
const MAX_CLOCK_SKEW_SECONDS = 60

/**
 * `request.session` with `flask`: Flask's session dict, read and written as @fastify/secure-session's
 * sessions are (`get`, `set`, `delete`, `data`), so plugins such as @fastify/flash work on it.
 */
export class FlaskSessionData {
  readonly #data: Record<string, unknown>
  /** Whether the dict changed (the cookie is written when it did). */
  modified = false
  readonly hadCookie: boolean

  constructor (data: Record<string, unknown> | null, hadCookie: boolean) {
    this.#data = data ?? {}
    this.hadCookie = hadCookie
  }

  get (key: string): unknown {
    return Object.hasOwn(this.#data, key) ? this.#data[key] : undefined
  }

  set (key: string, value: unknown): void {
    if (key === '__proto__') return
    if (value === undefined) {
      this.delete(key)
      return
    }
    this.#data[key] = value
    this.modified = true
  }

  delete (key: string): void {
    if (Object.hasOwn(this.#data, key)) {
      delete this.#data[key]
      this.modified = true
    }
  }

  /** Flask's `session.permanent`: the cookie outlives the browser, for PERMANENT_SESSION_LIFETIME. */
  get permanent (): boolean {
    return this.#data[PERMANENT] === true
  }

  set permanent (value: boolean) {
    this.set(PERMANENT, value)
  }

  /** A copy of the whole dict. */
  data (): Record<string, unknown> {
    return { ...this.#data }
  }
}

function nowSeconds (): number {
  return Math.floor(Date.now() / 1000)
}

/** Reads and writes Flask's session cookie with the Flask application's keys. */
export class FlaskCookieCodec {
  readonly #keys: Buffer[]
  readonly #lifetime: number

  constructor (flask: FlaskOptions) {
    this.#keys = flask.secretKeys.map((key) => deriveItsdangerousKey(key, SALT, 'hmac'))
    this.#lifetime = flask.permanentLifetime
  }

  /** The session dict of a cookie value, or null (forged, expired, malformed, too large). */
  read (value: unknown): Record<string, unknown> | null {
    if (typeof value !== 'string' || value.length > MAX_COOKIE_BYTES) return null
    try {
      const { json, issuedAt } = verifyItsdangerous(value, this.#keys)
      const age = nowSeconds() - issuedAt
      // Flask loads every session with max_age = PERMANENT_SESSION_LIFETIME
      if (age > this.#lifetime || age < -MAX_CLOCK_SKEW_SECONDS) return null
      return parseFlaskJson(json)
    } catch {
      return null
    }
  }

  write (data: Record<string, unknown>): string {
    return signItsdangerous(dumpFlaskJson(data), nowSeconds(), this.#keys[0] as Buffer)
  }
}

function sessionOf (request: FastifyRequest): FlaskSessionData {
  return (request as unknown as { session: FlaskSessionData }).session
}

/** Registers the hooks that read and write Flask's session cookie, and returns the engine. */
export async function flaskSession (fastify: FastifyInstance, flask: FlaskOptions): Promise<SessionEngine> {
  if (!fastify.hasPlugin('@fastify/cookie')) {
    await fastify.register(fastifyCookie)
  }
  const codec = new FlaskCookieCodec(flask)
  const name = flask.cookieName
  fastify.decorateRequest('session', null as never)
  fastify.addHook('onRequest', async (request) => {
    const cookie = request.cookies[name]
    ;(request as unknown as { session: FlaskSessionData }).session = new FlaskSessionData(codec.read(cookie), cookie !== undefined)
  })
  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply) => {
    const session = sessionOf(request)
    // Flask re-signs a permanent session on every response (SESSION_REFRESH_EACH_REQUEST)
    if (session === null || (!session.modified && !session.permanent)) return
    const attributes = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: request.protocol === 'https' }
    const data = session.data()
    if (Object.keys(data).length === 0) {
      if (session.hadCookie) reply.clearCookie(name, attributes)
      return
    }
    const expires = session.permanent ? new Date(Date.now() + flask.permanentLifetime * 1000) : undefined
    reply.setCookie(name, codec.write(data), { ...attributes, ...(expires === undefined ? {} : { expires }) })
  })
  return flaskEngine(codec, flask)
}

function flaskEngine (codec: FlaskCookieCodec, flask: FlaskOptions): SessionEngine {
  return {
    name: 'flask',
    cookieName: flask.cookieName,
    get: (request, key) => sessionOf(request)?.get(key),
    set: (request, key, value) => sessionOf(request).set(key, value),
    remove: (request, key) => sessionOf(request).delete(key),
    keys: (request) => Object.keys(sessionOf(request).data()).filter((key) => key !== PERMANENT),
    // Flask's cookie session has no id to change: a login or logout changes only the keys
    // Flask-Login changes (login/write.ts), so the Flask application's keys are all kept
    rotate: async (request) => {
      sessionOf(request).modified = true
    },
    cookieFor: async (data) => `${flask.cookieName}=${codec.write({ ...data })}`,
    // read only by tracked sessions, which this mode refuses (options/flask.ts)
    /* c8 ignore next */
    lifetime: () => flask.permanentLifetime
  }
}
