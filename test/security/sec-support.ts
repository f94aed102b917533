// Shared pieces of the SEC-nn suites (test/security/sec-*.test.ts): small, engine-neutral helpers
// on top of test/helpers (which other suites own and which this file only imports).
import assert from 'node:assert/strict'
import type { LightMyRequestResponse } from 'fastify'
import { ENGINE, SESSION_COOKIE } from '../helpers/app.js'
import { REMEMBER, setCookie } from '../helpers/remember.js'

export { ENGINE, SESSION_COOKIE, REMEMBER }

/** A promise with its resolve function outside, to hold a request in flight. */
export function gate (): { promise: Promise<void>, open: () => void } {
  let open: () => void = () => {}
  const promise = new Promise<void>((resolve) => { open = resolve })
  return { promise, open }
}

/** Fails the test on any 5xx, naming the request that got it. */
export function assertNo5xx (response: LightMyRequestResponse, what: string): void {
  assert.ok(response.statusCode < 500, `${what}: got ${response.statusCode} ${response.body.slice(0, 200)}`)
}

/** The value of a Set-Cookie for `name` (undefined when the response did not set it). */
export function cookieValue (response: LightMyRequestResponse, name: string): string | undefined {
  return setCookie(response, name)?.value
}

/** The session cookie the response set, if any. */
export function sessionCookieOf (response: LightMyRequestResponse): string | undefined {
  return cookieValue(response, SESSION_COOKIE)
}

/** A Cookie header for the given cookies (values URL-encoded as @fastify/cookie expects). */
export function cookieHeader (cookies: Record<string, string | undefined>): string {
  return Object.entries(cookies)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('; ')
}

/** Every raw Set-Cookie header line of a response. */
export function setCookieLines (response: LightMyRequestResponse): string[] {
  const raw = response.headers['set-cookie']
  return raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
}

/** True when the Cache-Control header holds `no-store`. */
export function noStore (response: LightMyRequestResponse): boolean {
  return /(^|,)\s*no-store\s*(,|$)/i.test(String(response.headers['cache-control'] ?? ''))
}

/** True when the Vary header names Cookie (or is `*`). */
export function variesOnCookie (response: LightMyRequestResponse): boolean {
  return /(^|,)\s*(cookie|\*)\s*(,|$)/i.test(String(response.headers.vary ?? ''))
}

export const isSessionStore = ENGINE === 'session'
