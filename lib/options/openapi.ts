// The `openapi` option: routes behind the guards carry a security requirement and a 401 response
// in the document @fastify/swagger generates.
import type { ResolvedLoginOptions } from '../../types/index.js'
import { FST_LOGIN_INVALID_OPTION } from '../core/errors.js'
import { optional } from './checks.js'
import { OPENAPI_OPTIONS, refuseUnknown } from './names.js'

/** The name OpenAPI's examples give a cookie scheme, used when `openapi` is `true`. */
const DEFAULT_SCHEME = 'cookieAuth'
// OpenAPI's rule for the keys of `components.securitySchemes`
const SCHEME_NAME = /^[\w.-]+$/

/** The `openapi` option: null (off), or the security scheme's name (`true` is `{}`). */
export function resolveOpenapi (value: unknown): ResolvedLoginOptions['openapi'] {
  if (value === undefined || value === null || value === false) {
    return null
  }
  if (value !== true && (typeof value !== 'object' || Array.isArray(value))) {
    throw new FST_LOGIN_INVALID_OPTION('openapi', 'must be true, an object ({ securityScheme }) or null')
  }
  const given = (value === true ? {} : value) as Record<string, unknown>
  refuseUnknown(given, OPENAPI_OPTIONS, 'openapi.')
  const securityScheme = optional(given, 'securityScheme', (v) => typeof v === 'string' && SCHEME_NAME.test(v)
    ? null
    : 'must be the name of a security scheme of components.securitySchemes (letters, digits, ".", "-", "_")', DEFAULT_SCHEME, 'openapi.securityScheme')
  return Object.freeze({ securityScheme })
}
