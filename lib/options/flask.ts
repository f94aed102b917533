// The `flask` option: share logins with a Flask application (its SECRET_KEY, the mode, its
// session cookie's name and PERMANENT_SESSION_LIFETIME).
import type { ResolvedLoginOptions } from '../../types/index.js'
import { FST_LOGIN_INVALID_OPTION } from '../core/errors.js'
import { MIN_SECRET_BYTES, normalizeSecrets } from '../signing/secrets.js'
import { COOKIE_NAME, optional } from './checks.js'
import { FLASK_OPTIONS, refuseUnknown } from './names.js'

/** Flask's default PERMANENT_SESSION_LIFETIME: 31 days. */
const PERMANENT_LIFETIME = 31 * 24 * 3600

/** The `flask` option resolved, or null; `others` are the options it cannot be combined with. */
export function resolveFlask (value: unknown, others: { sessions: unknown, session: unknown }): ResolvedLoginOptions['flask'] {
  if (value === undefined || value === null) return null
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new FST_LOGIN_INVALID_OPTION('flask', 'must be an object ({ secretKey, mode, cookieName, permanentLifetime }) or null')
  }
  const given = value as Record<string, unknown>
  refuseUnknown(given, FLASK_OPTIONS, 'flask.')
  let secretKeys
  try {
    secretKeys = Object.freeze(normalizeSecrets(given.secretKey, 1))
  } catch (error) {
    throw new FST_LOGIN_INVALID_OPTION('flask.secretKey', (error as Error).message.replace(/^.*"secret": /, ''))
  }
  const mode = optional<'shared' | 'import'>(given, 'mode', (v) => v === 'shared' || v === 'import' ? null : 'must be "shared" or "import"', 'shared', 'flask.mode')
  if (others.session !== undefined) {
    throw new FST_LOGIN_INVALID_OPTION('flask', 'cannot be combined with `session`: Flask\'s cookie is the session in shared mode, and fastify-login registers its own in import mode')
  }
  if (mode === 'shared' && others.sessions !== undefined && others.sessions !== null && others.sessions !== false) {
    throw new FST_LOGIN_INVALID_OPTION('flask', 'mode "shared" cannot be combined with `sessions`: a login made by the Flask application could not be tracked (use mode "import" after the cutover)')
  }
  return Object.freeze({
    secretKeys,
    mode,
    cookieName: optional(given, 'cookieName', (v) => typeof v === 'string' && COOKIE_NAME.test(v) ? null : 'must be a valid cookie name', 'session', 'flask.cookieName'),
    permanentLifetime: optional(given, 'permanentLifetime', (v) => Number.isSafeInteger(v) && (v as number) > 0 ? null : 'must be a positive whole number of seconds', PERMANENT_LIFETIME, 'flask.permanentLifetime'),
    shortKey: secretKeys.some((key) => Buffer.byteLength(key) < MIN_SECRET_BYTES)
  })
}
