/// <reference types="node" />
import type { EventEmitter } from 'node:events'
import type {
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest
} from 'fastify'
import type { SecureSessionPluginOptions } from '@fastify/secure-session'

declare module 'fastify' {
  interface FastifyRequest {
    /** The loaded user, or the anonymous user; never null. Loaded once, in `onRequest`. */
    currentUser: fastifyLogin.CurrentUser
    /** Logs `user` in: rotates the session, sets the remember cookie when asked. `false` for an inactive user unless `force`. */
    loginUser (user: fastifyLogin.UserType, options?: fastifyLogin.LoginUserOptions): Promise<boolean>
    /** Forgets the login, clears the remember cookie, rotates the session. */
    logoutUser (): Promise<true>
    /** Marks the login fresh again (after re-authentication, restarting the `freshFor` window) and rotates the session. */
    confirmLogin (): Promise<void>
    /**
     * `true` when the login was made with credentials in this session (not restored from the remember
     * cookie), within `within` seconds (default: the route's `config.freshFor`, else `freshFor`).
     */
    loginFresh (within?: number): boolean
    /** `true` when this request carried a valid remember cookie. */
    loginRemembered (): boolean
    /**
     * The logged-in user, typed as the application's user (not `User | Guest`): for handlers
     * behind `loginRequired`. Throws the guards' 401 (`FST_LOGIN_UNAUTHORIZED`) when there is none.
     */
    loggedInUser (): fastifyLogin.UserType
    /** The `next` target from the query or the session when it is a safe same-site URL, else `fallback` (default `'/'`). */
    safeNextUrl (fallback?: string): string
    /** With `sessions`: the current user's live sessions, most recently seen first (`[]` when anonymous). */
    listSessions (): Promise<fastifyLogin.SessionInfo[]>
    /** With `sessions`: ends one of the current user's sessions (the current one: as `logoutUser`). */
    revokeSession (id: string): Promise<boolean>
    /** With `sessions`: ends every other session of the current user; the number ended. */
    logoutOtherSessions (): Promise<number>
    /**
     * With `sessions`: calls `listener(reason)` once when the tracked session that logged this
     * request in ends; dropped when the request's connection closes. Returns a function that
     * removes it (a no-op on a request not logged in through a tracked session).
     */
    onSessionEnd (listener: (reason: fastifyLogin.SessionEndReason) => void): () => void
  }

  interface FastifyInstance {
    /** preHandler guard: anonymous users get the unauthorized flow. */
    loginRequired: fastifyLogin.Guard
    /** preHandler guard: as `loginRequired`, and non-fresh logins get the needs-refresh flow. */
    freshLoginRequired: fastifyLogin.Guard
    /** Options, flows, URL helpers, test helpers and the events of fastify-login. */
    loginManager: fastifyLogin.LoginManager
  }

  interface FastifyContextConfig {
    /** Login view for this route: beats `loginViews` and `loginView`; `null` answers 401. */
    loginView?: string | null
    /** Seconds a fresh login stays fresh for `freshLoginRequired` on this route (overrides `freshFor`). */
    freshFor?: number
  }
}

type FastifyLoginPlugin = FastifyPluginCallback<fastifyLogin.FastifyLoginOptions>

declare namespace fastifyLogin {
  /**
   * Name the application's user types by module augmentation:
   * `declare module 'fastify-login' { interface FastifyLoginTypes { user: User; anonymousUser?: Guest } }`
   */
  export interface FastifyLoginTypes {}

  /** The protocol every user object follows (Flask-Login's user class interface). */
  export interface LoginUser {
    readonly isAuthenticated: boolean
    readonly isActive: boolean
    readonly isAnonymous: boolean
    getId (): string | null
    /** Optional: a token stored in the remember cookie and given back to `tokenLoader`. */
    getAuthToken? (): string
    /** Optional: a value bound to every login; when it changes, other sessions and remember cookies end. */
    getSessionAuthHash? (): string
  }

  /** The application's user type (from `FastifyLoginTypes.user`), else `LoginUser`. */
  export type UserType = FastifyLoginTypes extends { user: infer U } ? U : LoginUser
  /** The anonymous user type (from `FastifyLoginTypes.anonymousUser`), else `AnonymousUserMixin`. */
  export type AnonymousUserType = FastifyLoginTypes extends { anonymousUser: infer A } ? A : AnonymousUserMixin
  /** What `request.currentUser` holds. */
  export type CurrentUser = UserType | AnonymousUserType

  type Awaitable<T> = T | Promise<T>

  /**
   * A preHandler guard, assignable to any route's `preHandler`. Its parameters are `unknown` so that
   * it adds no inference candidate to a route's generics: a type provider still types the handler.
   */
  export type Guard = (request: unknown, reply: unknown) => Promise<void>
  /** Replaces the unauthorized or needs-refresh flow. Send a reply (or return a payload). */
  export type FlowHandler = (request: FastifyRequest, reply: FastifyReply) => unknown

  // not `extends LoginUser`: its optional getAuthToken/getSessionAuthHash would then need
  // `override` in every subclass that defines them
  export interface UserMixin {
    /** `true`; override with a getter or a field. */
    readonly isActive: boolean
    /** `this.isActive`. */
    readonly isAuthenticated: boolean
    readonly isAnonymous: false
    /** `String(this.id)`; throws when the user has no `id`. */
    getId (): string
    /** Same id (by `getId()`), and both are `UserMixin`s. */
    equals (other: unknown): boolean
  }
  export const UserMixin: {
    new (): UserMixin
    readonly prototype: UserMixin
  }

  export interface AnonymousUserMixin {
    readonly isAuthenticated: false
    readonly isActive: false
    readonly isAnonymous: true
    getId (): null
  }
  export const AnonymousUserMixin: {
    new (): AnonymousUserMixin
    readonly prototype: AnonymousUserMixin
  }

  export type Secret = string | Buffer

  export interface RememberCookieOptions {
    /** Default `'remember_token'`; must differ from the session cookie's name. */
    name?: string
    /** Seconds, at most 400 days (34 560 000, the browsers' cap); default 365 days. Enforced on the server from the issue time inside the signed value. */
    duration?: number
    domain?: string
    /** Default `'/'`. */
    path?: string
    /** `'auto'` (default): Secure when the request is HTTPS. */
    secure?: boolean | 'auto'
    /** Default `true`. */
    httpOnly?: boolean
    /** Default `'lax'`. */
    sameSite?: 'lax' | 'strict' | 'none' | boolean
    /** Re-issue the cookie (new issue time) on each request that carried a valid one. Default `false`. */
    refreshEachRequest?: boolean
    /** With `sessions`: seconds the previous remember token stays valid after a rotation. Default `30`. */
    rotationGrace?: number
  }

  /** A tracked session as a `SessionStore` keeps it. Times are milliseconds since the epoch. */
  export interface StoredSession {
    /** Made by the store: opaque, URL-safe, at most 128 characters. */
    readonly id: string
    readonly userId: string
    readonly createdAt: number
    readonly lastSeenAt: number
    readonly ip: string
    readonly userAgent: string
    /** SHA-256 (base64url) of the current remember token; null when the session holds none. */
    readonly rememberHash: string | null
    /** The hash before the last rotation, accepted for `rotationGrace` seconds after `rotatedAt`. */
    readonly previousRememberHash: string | null
    readonly rotatedAt: number | null
    /** @fastify/session's session id (destroyed on revocation); null on @fastify/secure-session. */
    readonly engineId: string | null
    /** When the entry stops existing: the longest lifetime the session can still have. */
    readonly expiresAt: number
    /**
     * Given only to a store that declares the `'authDigest'` capability: a digest of the user's
     * `getSessionAuthHash()` at login (128 bits of its SHA-256, base64url), never the hash itself;
     * null when the user has none. An entry whose digest differs from the user's current one is
     * stale: not listed, not counted against `maxPerUser`, ended where it is met. Absent reads as
     * null (never stale).
     */
    readonly authDigest?: string | null
  }

  /** A new entry: the store adds the id. */
  export type NewStoredSession = Omit<StoredSession, 'id'>
  /** What `SessionStore.update` may change. */
  export type StoredSessionChanges = Partial<Omit<StoredSession, 'id' | 'userId' | 'createdAt' | 'authDigest'>>

  export interface SessionLimit {
    /** Live sessions a user may have after this one is created; null: no limit. */
    readonly maxPerUser: number | null
    readonly onLimit: 'revoke-oldest' | 'refuse'
    /** An entry of the same user that this login replaces: ended, and not counted against the limit. */
    readonly replaces: string | null
    /**
     * Given only to a store that declares the `'origin'` capability: a digest of the session
     * cookie the login arrived with (base64url). A second login of the same user from the same
     * cookie within a few seconds (a login form submitted twice) joins the entry the first one
     * created, when both hold the same remember hash: `create` then answers that entry's id and
     * ends nothing.
     */
    readonly origin?: string | null
  }

  /**
   * Where tracked sessions live. Every method may be called by several processes at once; `create`
   * must enforce the limit atomically per user. An entry whose `expiresAt` has passed is gone for
   * every method, whether or not the backend has removed it yet.
   */
  /** Why a tracked session ended (the close reason of its WebSockets). */
  export type SessionEndReason = 'logout' | 'revoked' | 'theft' | 'limit' | 'expired' | 'stale'

  /** One ended tracked session, as the processes sharing a store tell each other. */
  export interface SessionEndNotice {
    readonly id: string
    readonly userId: string
    readonly reason: SessionEndReason
  }

  /** What `SessionStore.rotate` is asked (hashes as the store keeps them). */
  export interface RememberRotation {
    /** The hash of the remember token the request presented. */
    readonly presented: string
    /** The hash of the token that replaces it; null: judge only (a response that cannot carry a cookie). */
    readonly next: string | null
    /** How long the previous token stays valid after a rotation (ms), by the store's clock. */
    readonly graceMs: number
    /** Written with a rotation. */
    readonly changes: Pick<StoredSessionChanges, 'lastSeenAt' | 'ip' | 'expiresAt'>
  }

  /**
   * `'rotated'`: the token was current and `next` replaced it (it is now the previous one);
   * `'current'`: it is current (`next` null, nothing written); `'grace'`: it is the previous
   * token, within `graceMs` of the rotation; `'theft'`: any other token; `'gone'`: no live entry.
   */
  export type RotationVerdict = 'rotated' | 'current' | 'grace' | 'theft' | 'gone'

  /**
   * What a store may declare it does beyond the six required methods (`SessionStore.capabilities`):
   * `'origin'`: `create` honours `limit.origin` (a login form submitted twice joins one entry);
   * `'authDigest'`: entries keep `authDigest` and `create` counts no stale entry against the limit.
   */
  export type SessionStoreCapability = 'origin' | 'authDigest'

  export interface SessionStore {
    /**
     * Creates an entry within the limit: its id and the entries it ended, or null when refused.
     * With the `'authDigest'` capability, the user's entries whose `authDigest` is a string other
     * than the new entry's (stale) do not count against the limit, and a create that is not
     * refused ends them (they are in `ended`). With `'origin'`, see `SessionLimit.origin`.
     */
    create (session: NewStoredSession, limit: SessionLimit): Promise<{ id: string, ended: StoredSession[] } | null>
    /** The live entry, or null (unknown, expired or malformed id). */
    get (id: string): Promise<StoredSession | null>
    /**
     * Changes a live entry: false when it is gone, or when `expectRememberHash` is given and the
     * entry's `rememberHash` is not that value (a compare-and-set, for remember-token rotation).
     */
    update (id: string, changes: StoredSessionChanges, expectRememberHash?: string | null): Promise<boolean>
    /** The user's live entries, in any order (pruning expired ones from the user's index). */
    list (userId: string): Promise<StoredSession[]>
    /** Ends one entry: the entry removed, or null when there was none. */
    destroy (id: string): Promise<StoredSession | null>
    /** Ends every entry of the user except `exceptId`: the entries removed. */
    destroyAll (userId: string, exceptId?: string | null): Promise<StoredSession[]>
    /**
     * Optional: tells every process sharing the store that these sessions ended (the memory store
     * within the process, the Redis store through pub/sub). Without it, connections of other
     * processes are closed by the recheck (`recheckEvery`).
     */
    announce? (ended: readonly SessionEndNotice[]): Promise<void>
    /**
     * Optional, with `announce`: calls `listener` for every session announced as ended (by any
     * process, this one included). Resolves with a function that stops listening (called when
     * the app closes).
     */
    subscribe? (listener: (ended: SessionEndNotice) => void): Promise<() => Promise<void>>
    /**
     * Optional: judges a remember token and rotates it in one atomic step, setting `rotatedAt`
     * and judging the grace by the store's own clock, so that processes whose clocks differ agree.
     * Without it, the plugin rotates with `update`'s compare-and-set and judges the grace by the
     * clock of the process that reads the entry (clock skew then shifts the grace).
     */
    rotate? (id: string, rotation: RememberRotation): Promise<RotationVerdict>
    /**
     * Optional: what the store does beyond the required methods (see `SessionStoreCapability`).
     * Absent or empty: fastify-login gives it neither `origin` nor `authDigest`, so a login form
     * submitted twice leaves two entries, and entries made before a password change are listed
     * and counted until they expire or are revoked. `rotate` is declared by having the method.
     */
    readonly capabilities?: readonly SessionStoreCapability[]
  }

  export interface SessionsOptions {
    /** Default `memorySessionStore()` (one process only). */
    store?: SessionStore
    /** Default 100; `null`: no limit. */
    maxPerUser?: number | null
    /** Default `'revoke-oldest'`. */
    onLimit?: 'revoke-oldest' | 'refuse'
    /**
     * Seconds a store call may take before it fails closed (FST_LOGIN_STORE_UNAVAILABLE, a 503).
     * Default 2; a positive number, at most 60.
     */
    timeout?: number
    /** Seconds between two checks of open WebSockets and event streams against their sessions. Default `60`. */
    recheckEvery?: number
  }

  /** One entry of `request.listSessions()`. */
  export interface SessionInfo {
    id: string
    /** The session of this request. */
    current: boolean
    createdAt: Date
    lastSeenAt: Date
    ip: string
    userAgent: string
    /** The session holds a remember cookie. */
    remembered: boolean
  }

  export interface RedisSessionStoreOptions {
    /** Key prefix, and the pub/sub channel `<prefix>ended` of ended sessions. Default `'fastify-login:'`. */
    prefix?: string
  }
  /** Tracked sessions in process memory: for one process (and tests). */
  export function memorySessionStore (): SessionStore
  /** Tracked sessions in Redis: a `redis` (node-redis 4/5, client or cluster) or an `ioredis` client (or Cluster). */
  export function redisSessionStore (client: unknown, options?: RedisSessionStoreOptions): SessionStore

  /** The options: `secret` is required, unless `flask` gives the Flask application's key (the default `secret` then). */
  export type FastifyLoginOptions = FastifyLoginCommonOptions & (
    | { secret: Secret | Secret[], flask?: FlaskOptions | null }
    | { secret?: Secret | Secret[], flask: FlaskOptions })

  export interface FastifyLoginCommonOptions {
    /** Signs the remember cookie and tokens (at least 32 bytes). An array rotates keys: the first signs, all verify. */
    secret?: Secret | Secret[]
    /**
     * `@fastify/secure-session` options (one session), used only when no session plugin is registered yet.
     * Without `key` or `secret`, one key per `secret` of fastify-login is derived (rotation keeps sessions);
     * the cookie is `Path=/`, `HttpOnly`, `SameSite=Lax`, `Secure` over HTTPS unless `cookie` says otherwise.
     */
    session?: SecureSessionPluginOptions | Omit<SecureSessionPluginOptions, 'key' | 'secret' | 'salt'>
    /** Name of the session cookie, used by `sessionCookieFor`. Default: `'session'` (secure-session) or `'sessionId'` (@fastify/session). */
    sessionCookieName?: string
    /** @fastify/session's `cookiePrefix`, used by `sessionCookieFor`. Default `''`. */
    sessionCookiePrefix?: string
    userLoader?: (id: string, request: FastifyRequest) => Awaitable<UserType | null | undefined>
    requestLoader?: (request: FastifyRequest) => Awaitable<UserType | null | undefined>
    headerLoader?: (value: string, request: FastifyRequest) => Awaitable<UserType | null | undefined>
    /** Default `'authorization'`. */
    authHeaderName?: string
    tokenLoader?: (token: string, request: FastifyRequest) => Awaitable<UserType | null | undefined>
    /** Class or factory for the anonymous user. Default `AnonymousUserMixin`. */
    anonymousUser?: (new () => AnonymousUserType) | (() => AnonymousUserType)
    /** Path or absolute URL of the login page; `null` (default) answers 401. */
    loginView?: string | null
    /** Route-prefix → login view; the longest whole-segment prefix wins; `null` answers 401. */
    loginViews?: Record<string, string | null>
    loginMessage?: string | null
    loginMessageCategory?: string
    refreshView?: string | null
    needsRefreshMessage?: string | null
    needsRefreshMessageCategory?: string
    unauthorizedHandler?: FlowHandler
    needsRefreshHandler?: FlowHandler
    localize?: (message: string, request: FastifyRequest) => string
    useSessionForNext?: boolean
    nextField?: string
    forceHostForRedirects?: string | null
    allowedHosts?: string[]
    sessionProtection?: 'basic' | 'strong' | false | null
    exemptMethods?: string[]
    disabled?: boolean
    idAttribute?: string
    addContextProcessor?: boolean
    rememberCookie?: RememberCookieOptions
    /** Seconds without a request after which a session login ends. */
    idleTimeout?: number | null
    /** Seconds after `loginUser` after which a session login ends. */
    absoluteTimeout?: number | null
    /** Seconds a fresh login stays fresh ("sudo mode"); `null` (default): until the session ends. */
    freshFor?: number | null
    /** Tracked sessions: list and revoke a user's logins. `true` is `{}`. Default `null`. */
    sessions?: SessionsOptions | boolean | null
    /** Share logins with a Flask application through Flask's and Flask-Login's own cookies. Default `null`. */
    flask?: FlaskOptions | null
    /** @fastify/swagger: routes behind the guards get a security requirement and a 401 response in the document. `true` is `{}`. Default `null`. */
    openapi?: OpenapiOptions | boolean | null
  }

  export interface OpenapiOptions {
    /** The name of the cookie scheme in `components.securitySchemes` of @fastify/swagger's options. Default `'cookieAuth'`. */
    securityScheme?: string
  }

  export interface FlaskOptions {
    /** The Flask app's SECRET_KEY (any length; under 32 bytes logs a warning). An array: the first signs, all verify. */
    secretKey: Secret | Secret[]
    /** 'shared' (default): Flask's session cookie is the session. 'import': Flask's cookies log in once, then fastify-login's own. */
    mode?: 'shared' | 'import'
    /** Flask's SESSION_COOKIE_NAME. Default `'session'`. */
    cookieName?: string
    /** Flask's PERMANENT_SESSION_LIFETIME in seconds. Default 2678400 (31 days). */
    permanentLifetime?: number
  }

  /** The options after defaults were applied (frozen). */
  export interface ResolvedLoginOptions extends Readonly<Omit<FastifyLoginCommonOptions,
    'secret' | 'rememberCookie' | 'loginViews' | 'exemptMethods' | 'allowedHosts' | 'sessions' | 'freshFor' | 'flask' | 'openapi'>> {
    readonly secrets: readonly Secret[]
    readonly openapi: Readonly<{ securityScheme: string }> | null
    readonly flask: Readonly<{ secretKeys: readonly Secret[], mode: 'shared' | 'import', cookieName: string, permanentLifetime: number, shortKey: boolean }> | null
    readonly authHeaderName: string
    readonly sessionCookiePrefix: string
    readonly loginView: string | null
    readonly loginViews: Readonly<Record<string, string | null>>
    readonly loginMessage: string | null
    readonly loginMessageCategory: string
    readonly refreshView: string | null
    readonly needsRefreshMessage: string | null
    readonly needsRefreshMessageCategory: string
    readonly useSessionForNext: boolean
    readonly nextField: string
    readonly forceHostForRedirects: string | null
    readonly allowedHosts: readonly string[]
    readonly sessionProtection: 'basic' | 'strong' | false
    readonly exemptMethods: readonly string[]
    readonly disabled: boolean
    readonly idAttribute: string
    readonly addContextProcessor: boolean
    readonly rememberCookie: Readonly<Required<Omit<RememberCookieOptions, 'domain'>> & { domain: string | undefined }>
    readonly idleTimeout: number | null
    readonly absoluteTimeout: number | null
    readonly freshFor: number | null
    readonly sessions: Readonly<{ store: SessionStore, maxPerUser: number | null, onLimit: 'revoke-oldest' | 'refuse', timeout: number, recheckEvery: number }> | null
  }

  export interface LoginUserOptions {
    /** Set the remember cookie. Default `false`. */
    remember?: boolean
    /** Seconds, at most 400 days (34 560 000); overrides `rememberCookie.duration` for this login. */
    duration?: number
    /** Log in an inactive user. Default `false`. */
    force?: boolean
    /** Default `true`. */
    fresh?: boolean
  }

  export interface SessionCookieForOptions {
    fresh?: boolean
    remember?: boolean
    /** The client's IP the session-protection identifier is made for (default `'127.0.0.1'`, `inject`'s). */
    ip?: string
    /** The client's User-Agent the identifier is made for (default `'lightMyRequest'`, `inject`'s). */
    userAgent?: string
  }

  export interface LoginEvents {
    loggedIn: [request: FastifyRequest, user: UserType]
    loggedOut: [request: FastifyRequest, user: CurrentUser]
    loadedFromCookie: [request: FastifyRequest, user: UserType]
    loadedFromRequest: [request: FastifyRequest, user: UserType]
    loadedFromHeader: [request: FastifyRequest, user: UserType]
    loginConfirmed: [request: FastifyRequest, user: UserType]
    unauthorized: [request: FastifyRequest]
    needsRefresh: [request: FastifyRequest]
    accessed: [request: FastifyRequest]
    sessionProtected: [request: FastifyRequest]
    /** With `sessions`: a remember token that was neither current nor in its grace; that session ended. */
    rememberTheft: [request: FastifyRequest, user: UserType]
    /** With `sessions`: a tracked session ended (on the process that ended it, or whose recheck found it). */
    sessionEnded: [sessionId: string, userId: string, reason: SessionEndReason]
  }

  export interface LoginManager extends EventEmitter<LoginEvents> {
    readonly options: ResolvedLoginOptions
    /**
     * The guards' switch at run time (Flask's `LOGIN_DISABLED` set by a test): `true` lets every
     * request through both guards. Starts as the `disabled` option; `options` stays as registered.
     */
    disabled: boolean
    /** Runs the unauthorized flow (event, handler, JSON 401, 401 or redirect to the login view). */
    unauthorized (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>
    /** Runs the needs-refresh flow. */
    needsRefresh (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>
    /** `loginUrl` with this manager's `nextField`, then `forceHostForRedirects` applied. */
    loginUrl (view: string, nextUrl?: string | null): string
    /** A `Cookie` header value that makes a request arrive logged in as `user` (for tests). */
    sessionCookieFor (user: UserType, options?: SessionCookieForOptions): Promise<string>
    /**
     * With `sessions`: the user's live sessions, most recently seen first (`current` is false).
     * Given the user object, sessions made before its `getSessionAuthHash()` changed are left out
     * (and ended); given an id, the sessions as the store holds them.
     */
    listSessions (user: string | number | UserType): Promise<SessionInfo[]>
    /** With `sessions`: ends the session `id`; false when there was none. */
    revokeSession (id: string): Promise<boolean>
    /** With `sessions`: ends every session of the user; the number ended. */
    revokeAllSessions (userId: string | number): Promise<number>
  }

  export interface SerializerOptions {
    /** Separates purposes: a token made with one salt never loads with another (default: the format's, 'fastify-login' or 'itsdangerous'). */
    salt?: string
    /**
     * 'fastify-login' (default), or 'itsdangerous': exactly Python itsdangerous'
     * `URLSafeTimedSerializer(secret, salt=salt)` tokens (HMAC-SHA1, django-concat key derivation,
     * zlib when shorter); secrets of any length (another application's key).
     */
    format?: 'fastify-login' | 'itsdangerous'
  }
  export interface CookieEncodingOptions {
    /** 'fastify-login' (default), or 'flask-login': Flask-Login's `<value>|<hex HMAC-SHA512>`. */
    format?: 'fastify-login' | 'flask-login'
  }
  export class URLSafeTimedSerializer {
    constructor (secret: Secret | Secret[], options?: SerializerOptions)
    /** Signs a JSON value with the current time: `payload.timestamp.signature`, URL- and cookie-safe. */
    dumps (value: unknown): string
    /** Verifies and decodes; throws `BadSignature`, or `SignatureExpired` when older than `maxAge` seconds. */
    loads (token: string, options?: { maxAge?: number | null }): unknown
    /** As `loads`, and tells whether the token was signed with a secret other than the first. */
    loadsWithMeta (token: string, options?: { maxAge?: number | null }): { value: unknown, issuedAt: number, renew: boolean }
  }
  export class BadSignature extends Error {
    constructor (message: string)
    readonly code: 'FST_LOGIN_BAD_SIGNATURE' | 'FST_LOGIN_SIGNATURE_EXPIRED'
  }
  export class SignatureExpired extends BadSignature {
    constructor (issuedAt: number, maxAge: number)
    readonly code: 'FST_LOGIN_SIGNATURE_EXPIRED'
    /** When the token was signed (seconds since the epoch). */
    readonly issuedAt: number
  }

  export interface IsSafeUrlOptions {
    /** `host[:port]` values besides "no host" that a URL may name; empty or absent = relative only. */
    allowedHosts?: string | readonly string[] | ReadonlySet<string> | null
    /** Only `https` is accepted for absolute URLs (and `//host` ones, which count as `http`). */
    requireHttps?: boolean
  }

  /** Flask-Login's `login_url`: `loginView` with `nextField` set to `makeNextParam(loginView, nextUrl)`. */
  export function loginUrl (loginView: string, nextUrl?: string | null, nextField?: string): string
  /** `path?query` of `currentUrl` when `loginUrl` is on the same origin (or relative), else `currentUrl`. */
  export function makeNextParam (loginUrl: string, currentUrl: string): string
  /** Django's `url_has_allowed_host_and_scheme`. */
  export function isSafeUrl (url: unknown, options?: IsSafeUrlOptions | null): boolean
  /** Signs `value` (a string) in the plugin's remember-cookie format, or Flask-Login's (`format: 'flask-login'`). */
  export function encodeCookie (value: string, secret: Secret | Secret[], options?: CookieEncodingOptions): string
  /** The value `encodeCookie` signed, or `null` for anything else (never throws). */
  export function decodeCookie (cookie: unknown, secret: Secret | Secret[], options?: CookieEncodingOptions): string | null

  /** Longest token `URLSafeTimedSerializer.loads` accepts (characters). */
  export const MAX_TOKEN_LENGTH: number
  /**
   * Makes a redirect target safe to send as a `Location`: non-ASCII and control characters
   * percent-encoded, and a leading `//` or `/\\` escaped so it cannot leave the site.
   */
  export function toSafeLocation (url: string): string

  export const fastifyLogin: FastifyLoginPlugin
  export { fastifyLogin as default }
}

declare function fastifyLogin (...params: Parameters<FastifyLoginPlugin>): ReturnType<FastifyLoginPlugin>
export = fastifyLogin
