// The package entry, CommonJS like the @fastify plugins: `require('fastify-login')` is the plugin,
// and every name is assigned on module.exports so Node's ESM import sees it as a named export.
// The public types are types/index.d.ts; `publicApi` below is compiled against them, so a runtime
// export that drifts from its declaration (or one that is missing) does not build.
import type Declared = require('../types/index.js')
import { plugin } from './plugin.js'
import { AnonymousUserMixin, UserMixin } from './core/mixins.js'
import { decodeCookie, encodeCookie } from './signing/cookie-encoding.js'
import { BadSignature, MAX_TOKEN_LENGTH, SignatureExpired, URLSafeTimedSerializer } from './signing/serializer.js'
import { memorySessionStore } from './stores/memory.js'
import { redisSessionStore } from './stores/redis.js'
import { toSafeLocation } from './urls/location.js'
import { loginUrl, makeNextParam } from './urls/login-url.js'
import { isSafeUrl } from './urls/safe-url.js'

/** Every named runtime export, typed as types/index.d.ts declares it. */
const publicApi: { [Name in Exclude<keyof typeof Declared, 'prototype'>]: (typeof Declared)[Name] } = {
  default: plugin,
  fastifyLogin: plugin,
  UserMixin,
  AnonymousUserMixin,
  loginUrl,
  makeNextParam,
  isSafeUrl,
  encodeCookie,
  decodeCookie,
  URLSafeTimedSerializer,
  BadSignature,
  SignatureExpired,
  MAX_TOKEN_LENGTH,
  toSafeLocation,
  memorySessionStore,
  redisSessionStore
}
/** The plugin itself, as declared. */
const declaredPlugin: typeof Declared = Object.assign(plugin, publicApi)

module.exports = declaredPlugin
// one assignment per name, written out: Node's ESM loader finds named exports by reading them
module.exports.default = publicApi.default
module.exports.fastifyLogin = publicApi.fastifyLogin
module.exports.UserMixin = publicApi.UserMixin
module.exports.AnonymousUserMixin = publicApi.AnonymousUserMixin
module.exports.loginUrl = publicApi.loginUrl
module.exports.makeNextParam = publicApi.makeNextParam
module.exports.isSafeUrl = publicApi.isSafeUrl
module.exports.encodeCookie = publicApi.encodeCookie
module.exports.decodeCookie = publicApi.decodeCookie
module.exports.URLSafeTimedSerializer = publicApi.URLSafeTimedSerializer
module.exports.BadSignature = publicApi.BadSignature
module.exports.SignatureExpired = publicApi.SignatureExpired
module.exports.MAX_TOKEN_LENGTH = publicApi.MAX_TOKEN_LENGTH
module.exports.toSafeLocation = publicApi.toSafeLocation
module.exports.memorySessionStore = publicApi.memorySessionStore
module.exports.redisSessionStore = publicApi.redisSessionStore
// `export =` (emitted last, re-assigning the same object) keeps TypeScript from adding the
// `exports.__esModule` marker, which Node's ESM loader would list as a named export.
export = declaredPlugin
