// What the benchmark measures: the servers and the scenarios each answers, and the one-time
// fixture step that logs in over HTTP to get the session cookie, remember cookie and bearer token.
// Adding a server is a file in servers/ plus one entry in SERVERS (and its targets in targets.ts).
import { REMEMBER_COOKIE } from './config.js'
import { BENCH_USER_ID, users } from './users.js'

export type ScenarioId = 'public' | 'protected' | 'anonymous-401' | 'remembered' | 'bearer'

export type Credential = 'none' | 'session' | 'remember' | 'token'

export interface Scenario {
  id: ScenarioId
  label: string
  path: string
  credential: Credential
  expectStatus: number
}

export const SCENARIOS: readonly Scenario[] = [
  { id: 'public', label: 'GET /public, anonymous', path: '/public', credential: 'none', expectStatus: 200 },
  { id: 'protected', label: 'GET /protected, session cookie', path: '/protected', credential: 'session', expectStatus: 200 },
  { id: 'anonymous-401', label: 'GET /protected, no credentials → 401', path: '/protected', credential: 'none', expectStatus: 401 },
  { id: 'remembered', label: 'GET /remembered, remember cookie only', path: '/remembered', credential: 'remember', expectStatus: 200 },
  { id: 'bearer', label: 'GET /api/me, bearer token (requestLoader)', path: '/api/me', credential: 'token', expectStatus: 200 }
]

/** The session engine a server runs on: which cookie carries the login, and where the session lives. */
export type Engine = 'none' | 'secure-session' | 'session'

export interface ServerSpec {
  id: string
  label: string
  /** Path from the repository root. */
  file: string
  engine: Engine
  /** Whether it needs the runner's redis-server (REDIS_URL). */
  redis: boolean
  /** The scenarios it answers, measured in this order within a round. */
  scenarios: readonly ScenarioId[]
}

/** Every route of a plain login check. */
const CHECKED: readonly ScenarioId[] = ['public', 'protected', 'anonymous-401']
/** The routes of the fastify-login servers: the checked ones, the remember cookie and the bearer token. */
const LOGIN: readonly ScenarioId[] = [...CHECKED, 'remembered', 'bearer']

export const SERVERS: readonly ServerSpec[] = [
  // (a) answers /protected with no check at all: the floor for the logged-in route.
  { id: 'a', label: 'bare Fastify (no session)', file: 'benchmark/servers/a-bare.ts', engine: 'none', redis: false, scenarios: ['public', 'protected'] },
  { id: 'b', label: 'hand-written check, secure-session', file: 'benchmark/servers/b-secure-session.ts', engine: 'secure-session', redis: false, scenarios: CHECKED },
  { id: 'c', label: '@fastify/passport, secure-session', file: 'benchmark/servers/c-passport-secure-session.ts', engine: 'secure-session', redis: false, scenarios: CHECKED },
  { id: 'd', label: 'fastify-login, secure-session', file: 'benchmark/servers/d-login-secure-session.ts', engine: 'secure-session', redis: false, scenarios: LOGIN },
  // (d) with a synchronous userLoader: only the route where the userLoader runs differs from (d)
  { id: 'd-sync', label: 'fastify-login, secure-session, sync userLoader', file: 'benchmark/servers/d-sync-login-secure-session.ts', engine: 'secure-session', redis: false, scenarios: ['protected'] },
  { id: 'e', label: 'fastify-login, session + Redis', file: 'benchmark/servers/e-login-session-redis.ts', engine: 'session', redis: true, scenarios: LOGIN },
  // tracked sessions (`sessions`): the protected route and the remember restore
  { id: 'd-sessions', label: 'fastify-login + sessions (memory store), secure-session', file: 'benchmark/servers/d-sessions-memory.ts', engine: 'secure-session', redis: false, scenarios: ['protected', 'remembered'] },
  { id: 'd-sessions-redis', label: 'fastify-login + sessions (Redis store), secure-session', file: 'benchmark/servers/d-sessions-redis.ts', engine: 'secure-session', redis: true, scenarios: ['protected', 'remembered'] },
  { id: 'e-sessions', label: 'fastify-login + sessions (Redis store), session + Redis', file: 'benchmark/servers/e-sessions-redis.ts', engine: 'session', redis: true, scenarios: ['protected'] },
  { id: 'f', label: '@fastify/passport, session + Redis', file: 'benchmark/servers/f-passport-session-redis.ts', engine: 'session', redis: true, scenarios: CHECKED }
]

/**
 * Sent with every request (login, check and load) so that fastify-login's session protection
 * sees the same client that logged in; without it the load generator would look like another
 * browser and each request would mark the login not fresh and rewrite the session.
 */
export const CLIENT_HEADERS: Readonly<Record<string, string>> = { 'user-agent': 'fastify-login-benchmark' }

export interface Credentials {
  /** `Cookie` header value with the session cookie(s) only. */
  session?: string
  /** `Cookie` header value with the remember cookie only. */
  remember?: string
  token?: string
}

/** `name=value` pairs of a response's Set-Cookie headers. */
function cookiePairs (response: Response): Array<[string, string]> {
  return response.headers.getSetCookie().map((header) => {
    const pair = header.split(';', 1)[0]!
    const eq = pair.indexOf('=')
    return [pair.slice(0, eq), pair]
  })
}

/** Logs in once as the benchmark user (POST /login) and keeps what each scenario needs. */
export async function logIn (base: string, server: ServerSpec): Promise<Credentials> {
  if (server.engine === 'none') return {}
  const response = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { ...CLIENT_HEADERS, 'content-type': 'application/json' },
    body: JSON.stringify({ id: BENCH_USER_ID })
  })
  if (response.status !== 200) throw new Error(`(${server.id}) POST /login answered ${response.status}: ${await response.text()}`)
  const body = await response.json() as { token?: string }
  const credentials: Credentials = {}
  for (const [name, pair] of cookiePairs(response)) {
    if (name === REMEMBER_COOKIE) credentials.remember = pair
    else credentials.session = credentials.session === undefined ? pair : `${credentials.session}; ${pair}`
  }
  if (credentials.session === undefined) throw new Error(`(${server.id}) POST /login set no session cookie`)
  if (body.token !== undefined) credentials.token = body.token
  return credentials
}

/** Request headers of a scenario; throws when the login did not give the credential it needs. */
export function headersFor (scenario: Scenario, server: ServerSpec, credentials: Credentials): Record<string, string> {
  return { ...CLIENT_HEADERS, ...credentialHeaders(scenario, server, credentials) }
}

function credentialHeaders (scenario: Scenario, server: ServerSpec, credentials: Credentials): Record<string, string> {
  switch (scenario.credential) {
    case 'none': return {}
    case 'session':
      // (a) has no session: it answers /protected without looking at any cookie.
      if (server.engine === 'none') return {}
      return { cookie: need(credentials.session, 'session cookie', server) }
    case 'remember': return { cookie: need(credentials.remember, 'remember cookie', server) }
    case 'token': return { authorization: `Bearer ${need(credentials.token, 'bearer token', server)}` }
  }
}

function need (value: string | undefined, what: string, server: ServerSpec): string {
  if (value === undefined) throw new Error(`(${server.id}) the login gave no ${what}`)
  return value
}

export interface Check {
  /** Whether the response set a cookie (a session write, or a re-issued cookie). */
  setsCookie: boolean
}

/**
 * One request per (server, scenario) before any load: the expected status, the benchmark user's
 * name in a 200 body. A broken setup stops the run here rather than producing fast 401s.
 */
export async function check (base: string, scenario: Scenario, server: ServerSpec, headers: Record<string, string>): Promise<Check> {
  const response = await fetch(`${base}${scenario.path}`, { headers })
  const text = await response.text()
  const where = `(${server.id}) ${scenario.label}`
  if (response.status !== scenario.expectStatus) throw new Error(`${where}: expected ${scenario.expectStatus}, got ${response.status}: ${text}`)
  const expectedName = users.get(BENCH_USER_ID)!.name
  if (scenario.expectStatus === 200 && scenario.path !== '/public' && (JSON.parse(text) as { name?: string }).name !== expectedName) {
    throw new Error(`${where}: expected the body to name ${expectedName}, got ${text}`)
  }
  return { setsCookie: response.headers.getSetCookie().length > 0 }
}
