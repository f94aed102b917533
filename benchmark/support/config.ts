// Keys, cookie names and engine options shared by every benchmark server, so that the servers
// differ only in the code that checks the login.
import { createHash } from 'node:crypto'
import type { FastifySessionOptions } from '@fastify/session'
import type { SecureSessionPluginOptions } from '@fastify/secure-session'

/** Signs fastify-login's remember cookie and bearer tokens, and @fastify/session's cookie (≥ 32 bytes). */
export const SECRET = 'fastify-login benchmark secret, not for production use'

/** The 32-byte @fastify/secure-session key, the same for (b), (c) and (d). */
export const SESSION_KEY = createHash('sha256').update(SECRET).digest()

/** @fastify/secure-session options for (b), (c) and (d). */
export const SECURE_SESSION_OPTIONS: SecureSessionPluginOptions = {
  key: SESSION_KEY,
  cookie: { path: '/', httpOnly: true }
}

/** Cookie names as the engines and fastify-login name them by default. */
export const SECURE_SESSION_COOKIE = 'session'
export const SESSION_COOKIE = 'sessionId'
export const REMEMBER_COOKIE = 'remember_token'

/** The connect-redis key prefix of a Redis server's sessions (its own, so servers never share one). */
export const redisPrefix = (serverId: string): string => `bench-${serverId}:`

/** Salt of the bearer tokens that fastify-login servers make with URLSafeTimedSerializer. */
export const TOKEN_SALT = 'benchmark-api-token'
/** Tokens older than this (seconds) are refused. */
export const TOKEN_MAX_AGE = 3600

/**
 * @fastify/session options for (e) and (f). Plain HTTP on loopback, so `secure: false`; no store
 * write for anonymous requests (`saveUninitialized: false`) or unchanged sessions (`rolling: false`).
 */
export function redisSessionOptions (store: FastifySessionOptions['store']): FastifySessionOptions {
  return {
    secret: SECRET,
    store,
    cookieName: SESSION_COOKIE,
    cookie: { secure: false, httpOnly: true, path: '/' },
    saveUninitialized: false,
    rolling: false
  }
}
