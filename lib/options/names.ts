// The option names fastify-login knows, at every level: an unknown name is refused (a misspelt
// option must never fall back to its default), with the name meant when one is close.
import { FST_LOGIN_INVALID_OPTION } from '../core/errors.js'

/** The top-level options; a new option is added here, or registering with it fails. */
export const TOP_LEVEL_OPTIONS = [
  'secret', 'session', 'sessionCookieName', 'sessionCookiePrefix',
  'userLoader', 'requestLoader', 'headerLoader', 'authHeaderName', 'tokenLoader', 'anonymousUser',
  'loginView', 'loginViews', 'loginMessage', 'loginMessageCategory',
  'refreshView', 'needsRefreshMessage', 'needsRefreshMessageCategory',
  'unauthorizedHandler', 'needsRefreshHandler', 'localize',
  'useSessionForNext', 'nextField', 'forceHostForRedirects', 'allowedHosts',
  'sessionProtection', 'exemptMethods', 'disabled', 'idAttribute', 'addContextProcessor',
  'rememberCookie', 'idleTimeout', 'absoluteTimeout', 'freshFor', 'sessions', 'flask', 'openapi'
] as const

/** What Fastify itself reads from `register`'s options: never fastify-login's to refuse. */
const FASTIFY_REGISTER_OPTIONS = ['prefix', 'logLevel', 'logSerializers']

export const REMEMBER_COOKIE_OPTIONS = [
  'name', 'duration', 'domain', 'path', 'secure', 'httpOnly', 'sameSite', 'refreshEachRequest', 'rotationGrace'
] as const

export const SESSIONS_OPTIONS = ['store', 'maxPerUser', 'onLimit', 'timeout', 'recheckEvery'] as const

export const FLASK_OPTIONS = ['secretKey', 'mode', 'cookieName', 'permanentLifetime'] as const

export const OPENAPI_OPTIONS = ['securityScheme'] as const

/** Optimal string alignment distance (a swap of two neighbours counts one), case-insensitive. */
export function editDistance (a: string, b: string): number {
  const s = a.toLowerCase()
  const t = b.toLowerCase()
  const width = t.length + 1
  // the (s.length + 1) × (t.length + 1) table, row by row
  const d = new Array<number>((s.length + 1) * width).fill(0)
  const at = (i: number, j: number): number => d[i * width + j] as number
  for (let i = 0; i <= s.length; i++) {
    for (let j = 0; j <= t.length; j++) {
      if (i === 0 || j === 0) {
        d[i * width + j] = i + j
        continue
      }
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (s[i - 1] === t[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1)
      }
      d[i * width + j] = best
    }
  }
  return at(s.length, t.length)
}

/** The known name closest to `name`, when it is close enough to be a typo; else null. */
export function closestName (name: string, known: readonly string[]): string | null {
  let best: string | null = null
  let bestDistance = Infinity
  for (const candidate of known) {
    const distance = editDistance(name, candidate)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  // a case slip, or at most two edits and no more than a third of the name
  return bestDistance <= Math.min(2, Math.floor(Math.max(name.length, 3) / 3)) ? best : null
}

/** Throws FST_LOGIN_INVALID_OPTION for the first key of `given` that is not a known option. */
export function refuseUnknown (given: object, known: readonly string[], path = ''): void {
  for (const key of Object.keys(given)) {
    if (known.includes(key) || (path === '' && FASTIFY_REGISTER_OPTIONS.includes(key))) {
      continue
    }
    const meant = closestName(key, known)
    const hint = meant === null ? `options are ${known.join(', ')}` : `did you mean "${path}${meant}"?`
    throw new FST_LOGIN_INVALID_OPTION(`${path}${key}`, `unknown option; ${hint}`)
  }
}
