// The rungs of the cost ladder (BENCH_LADDER=1): fastify-login on @fastify/secure-session with
// only the features named in BENCH_FEATURES (a comma list; set per server in fixtures/scenarios.ts):
//   protect   session protection 'basic' (else sessionProtection: false)
//   async     the async userLoader of (d) (else the synchronous one of (d-sync))
//   request   the bearer-token requestLoader of (d)
//   fresh     freshFor: 300 (a fresh window on every login)
// With all of protect, async and request it is (d).
import Fastify from 'fastify'
import fastifyLogin from 'fastify-login'
import { serve, start } from '../fixtures/serve.js'
import { asyncUserLoader, bearerUser, loginOptions, loginRoutes, syncUserLoader } from '../fixtures/login-routes.js'
import { SECURE_SESSION_OPTIONS } from '../fixtures/config.js'

const KNOWN = ['protect', 'async', 'request', 'fresh']
const features = new Set((process.env.BENCH_FEATURES ?? '').split(',').filter(Boolean))
const unknown = [...features].filter((name) => !KNOWN.includes(name))

start(async () => {
  if (unknown.length > 0) throw new Error(`d-ladder: unknown BENCH_FEATURES ${unknown.join(', ')} (known: ${KNOWN.join(', ')})`)
  const app = Fastify()
  await app.register(fastifyLogin, loginOptions({
    session: SECURE_SESSION_OPTIONS,
    sessionProtection: features.has('protect') ? 'basic' : false,
    userLoader: features.has('async') ? asyncUserLoader : syncUserLoader,
    requestLoader: features.has('request') ? bearerUser : undefined,
    freshFor: features.has('fresh') ? 300 : null
  }))
  loginRoutes(app)
  await serve(app)
})
