import { createError } from '@fastify/error'

/** An option given to the plugin is missing, of the wrong type or out of range. */
export const FST_LOGIN_INVALID_OPTION = createError<[string, string]>(
  'FST_LOGIN_INVALID_OPTION', 'fastify-login: invalid option "%s": %s', 500, TypeError)

/** None of userLoader, requestLoader, headerLoader, tokenLoader was given. */
export const FST_LOGIN_NO_LOADER = createError(
  'FST_LOGIN_NO_LOADER', 'fastify-login: give at least one of the options userLoader, requestLoader, headerLoader or tokenLoader', 500, TypeError)

/** The secret is missing or shorter than 32 bytes. */
export const FST_LOGIN_INVALID_SECRET = createError<[string]>(
  'FST_LOGIN_INVALID_SECRET', 'fastify-login: invalid option "secret": %s', 500, TypeError)

/** A session plugin fastify-login cannot work with (an unknown one, or secure-session without a single session of its own). */
export const FST_LOGIN_UNSUPPORTED_SESSION = createError<[string]>(
  'FST_LOGIN_UNSUPPORTED_SESSION', 'fastify-login: %s', 500, TypeError)

/** loginUser was given a duration that is not a positive number of seconds, at most 400 days. */
export const FST_LOGIN_INVALID_DURATION = createError<[string, string]>(
  'FST_LOGIN_INVALID_DURATION', 'fastify-login: %s, got %s', 500, TypeError)

/** The user given to loginUser has no usable id. */
export const FST_LOGIN_INVALID_USER = createError<[string]>(
  'FST_LOGIN_INVALID_USER', 'fastify-login: cannot log this user in: %s', 500, TypeError)

/** A UserMixin subclass without an `id` property and without its own getId(). */
export const FST_LOGIN_NO_ID = createError(
  'FST_LOGIN_NO_ID', 'fastify-login: UserMixin has no `id` attribute; give the user an `id` or override getId()', 500, TypeError)

/** A value cannot be signed (not JSON-serializable, too large, or not a string for encodeCookie). */
export const FST_LOGIN_INVALID_VALUE = createError<[string, { cause: unknown }?]>(
  'FST_LOGIN_INVALID_VALUE', 'fastify-login: %s', 500, TypeError)

/** A loader gave back something that is neither a user object nor null/undefined. */
export const FST_LOGIN_NOT_A_USER = createError<[string, string]>(
  'FST_LOGIN_NOT_A_USER', 'fastify-login: %s returned %s, which is not a user: return an object with an id method and the booleans isAuthenticated, isActive, isAnonymous (UserMixin), or null', 500, TypeError)

/** The tracked-session store failed (Redis down, a SQL error): the request fails closed. */
export const FST_LOGIN_STORE_UNAVAILABLE = createError<[string, { cause: unknown }?]>(
  'FST_LOGIN_STORE_UNAVAILABLE', 'fastify-login: the session store is unavailable: %s', 503)

/** A tracked-session method was called without the `sessions` option. */
export const FST_LOGIN_NO_SESSIONS = createError<[string]>(
  'FST_LOGIN_NO_SESSIONS', 'fastify-login: %s needs tracked sessions: register fastify-login with the `sessions` option', 500, TypeError)

/** loginUser/logoutUser on a request that has no session (see the message). */
export const FST_LOGIN_NO_SESSION = createError(
  'FST_LOGIN_NO_SESSION', 'fastify-login: this request has no session, so no login can be written or removed (@fastify/session keeps none outside its cookie.path or for an absolute-form request target; or the session plugin failed before it ran)', 400)

/**
 * The unauthorized flow's 401 (no login view, a JSON client, an upgrade or event-stream request):
 * a guard fails with it through Fastify's error handling, as Flask's `abort(401)`. An expected
 * answer, not a fault: it carries no stack trace (capturing one was most of a 401's cost).
 */
export const FST_LOGIN_UNAUTHORIZED = createError<[string]>('FST_LOGIN_UNAUTHORIZED', '%s', 401, Error, false)

/** The needs-refresh flow's 401, as FST_LOGIN_UNAUTHORIZED. */
export const FST_LOGIN_NEEDS_REFRESH = createError<[string]>('FST_LOGIN_NEEDS_REFRESH', '%s', 401, Error, false)
