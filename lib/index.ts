// The package entry, CommonJS like the @fastify plugins: `require('fastify-login')` is the plugin,
// and every name is assigned on module.exports so Node's ESM import sees it as a named export.
// Public types: types/index.d.ts.
import { plugin } from './plugin.js'
import { AnonymousUserMixin, UserMixin } from './mixins.js'
import { loginUrl, makeNextParam } from './login-url.js'
import { isSafeUrl } from './safe-url.js'
import { decodeCookie, encodeCookie } from './cookie-encoding.js'
import { BadSignature, MAX_TOKEN_LENGTH, SignatureExpired, URLSafeTimedSerializer } from './serializer.js'
import { toSafeLocation } from './location.js'
import { memorySessionStore } from './session-store/memory.js'
import { redisSessionStore } from './session-store/redis.js'

module.exports = plugin
module.exports.default = plugin
module.exports.fastifyLogin = plugin
module.exports.UserMixin = UserMixin
module.exports.AnonymousUserMixin = AnonymousUserMixin
module.exports.loginUrl = loginUrl
module.exports.makeNextParam = makeNextParam
module.exports.isSafeUrl = isSafeUrl
module.exports.encodeCookie = encodeCookie
module.exports.decodeCookie = decodeCookie
module.exports.URLSafeTimedSerializer = URLSafeTimedSerializer
module.exports.BadSignature = BadSignature
module.exports.SignatureExpired = SignatureExpired
module.exports.MAX_TOKEN_LENGTH = MAX_TOKEN_LENGTH
module.exports.toSafeLocation = toSafeLocation
module.exports.memorySessionStore = memorySessionStore
module.exports.redisSessionStore = redisSessionStore
// `export =` (emitted last, re-assigning the same object) keeps TypeScript from adding the
// `exports.__esModule` marker, which Node's ESM loader would list as a named export.
export = plugin
