// What a logged-in user carries and what the server keeps for it: the length of the session
// cookie's value (as the browser sends it back on every request) and, on @fastify/session, the
// length of the session stored in Redis (read from the runner's redis-server after the login), and
// the Redis commands one logged-in request makes (Redis' own command statistics around it).
import { createClient } from 'redis'
import { SECURE_SESSION_COOKIE, SESSION_COOKIE, redisPrefix } from '../fixtures/config.js'
import { CLIENT_HEADERS, logIn, type Engine, type ServerSpec } from '../fixtures/scenarios.js'

export interface SessionSize {
  /** Length of the session cookie's value, in bytes. */
  cookieBytes: number
  /** Length of the stored session (Redis value), in bytes; null on a cookie-only engine. */
  storedBytes: number | null
  /**
   * The Redis commands of one logged-in `GET /protected` (e.g. `GET 1`), from `INFO commandstats`
   * reset just before it; null on a server without Redis. Exact, not sampled.
   */
  commands?: string | null
}

const COOKIE_NAME: Readonly<Record<Exclude<Engine, 'none'>, string>> = { 'secure-session': SECURE_SESSION_COOKIE, session: SESSION_COOKIE }

/** The value of cookie `name` in a `Cookie` header (`a=1; b=2`); undefined when absent. */
export function cookieValue (header: string, name: string): string | undefined {
  for (const pair of header.split(/;\s*/)) {
    const eq = pair.indexOf('=')
    if (eq !== -1 && pair.slice(0, eq) === name) return pair.slice(eq + 1)
  }
  return undefined
}

/** The session id inside @fastify/session's signed cookie value (`<id>.<signature>`, URL-encoded). */
export function sessionIdOf (value: string): string {
  const decoded = decodeURIComponent(value)
  const dot = decoded.lastIndexOf('.')
  return dot === -1 ? decoded : decoded.slice(0, dot)
}

/** How many times each server is logged in to measure: the largest size counts. */
export const SIZE_LOGINS = 5

async function storedBytes (redisUrl: string, server: ServerSpec, value: string): Promise<number | null> {
  const client = createClient({ url: redisUrl })
  await client.connect()
  try {
    const stored = await client.get(`${redisPrefix(server.id)}${sessionIdOf(value)}`)
    return stored === null ? null : Buffer.byteLength(stored)
  } finally {
    await client.quit()
  }
}

/** The Redis commands one logged-in request (`cookie`) to `base` makes, counted by Redis itself. */
async function commandsOf (redisUrl: string, base: string, cookie: string): Promise<string> {
  const client = createClient({ url: redisUrl })
  await client.connect()
  try {
    await client.configResetStat()
    const response = await fetch(`${base}/protected`, { headers: { ...CLIENT_HEADERS, cookie } })
    await response.text()
    if (response.status !== 200) throw new Error(`GET /protected answered ${response.status}`)
    const stats = await client.info('commandstats')
    return [...stats.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)]
      .filter(([, name]) => !/^(config|info)\b/.test(name as string))
      .map(([, name, calls]) => `${(name as string).toUpperCase()} ${calls}`).sort().join(', ') || 'none'
  } finally {
    await client.quit()
  }
}

/** The size of one fresh login's session on `server` (listening at `base`), in cookie `name`. */
async function measureOnce (base: string, server: ServerSpec, name: string, redisUrl: string | undefined): Promise<SessionSize> {
  const { session } = await logIn(base, server)
  const value = session === undefined ? undefined : cookieValue(session, name)
  if (value === undefined) throw new Error(`(${server.id}) the login set no ${name} cookie`)
  const stored = server.engine === 'session' && server.redis && redisUrl !== undefined ? await storedBytes(redisUrl, server, value) : null
  const commands = server.redis && redisUrl !== undefined ? await commandsOf(redisUrl, base, session as string) : null
  return { cookieBytes: Buffer.byteLength(value), storedBytes: stored, commands }
}

/**
 * The session sizes of each server with a session, over SIZE_LOGINS logins: the cookie's length
 * varies by a few bytes from login to login (its random nonce and ciphertext are base64, whose
 * `+`, `/` and `=` the cookie encoding turns into three characters each), so the largest counts.
 */
export async function measureSessionSizes (servers: ReadonlyArray<{ server: ServerSpec, base: string }>, redisUrl: string | undefined): Promise<Map<string, SessionSize>> {
  const sizes = new Map<string, SessionSize>()
  for (const { server, base } of servers) {
    if (server.engine === 'none') continue
    const samples: SessionSize[] = []
    for (let i = 0; i < SIZE_LOGINS; i++) samples.push(await measureOnce(base, server, COOKIE_NAME[server.engine], redisUrl))
    const stored = samples.map((s) => s.storedBytes).filter((n): n is number => n !== null)
    sizes.set(server.id, { cookieBytes: Math.max(...samples.map((s) => s.cookieBytes)), storedBytes: stored.length === 0 ? null : Math.max(...stored), commands: samples[0]?.commands ?? null })
  }
  return sizes
}
