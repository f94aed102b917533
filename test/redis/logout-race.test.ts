// SEC-27, logout final on every engine, over real HTTP: two application processes
// (test/redis/fixtures/race-app.ts) share one real redis-server (connect-redis is
// @fastify/session's store; the tracked sessions' store when `sessions` is on). A browser logs in,
// keeps requests in flight on A (held open by the app until released), and logs out on B while
// they are in flight. Afterwards neither the browser (its cookie jar applies the responses in the
// order they arrive) nor someone holding a copy of the old cookie is logged in.
import { test, type TestContext } from 'node:test'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createClient } from 'redis'
import { startApp, type AppProcess } from '../helpers/redis/app-process.js'
import { Browser, sessionIdOf, type Answer } from '../helpers/redis/browser.js'
import { startRedisServer } from '../helpers/redis-server.js'

const FIXTURE = join(__dirname, 'fixtures', 'race-app.ts')
const RACES = 30
/** Requests of the browser in flight on A during each logout. */
const HELD = 3

interface Setup {
  engine: 'session' | 'secure-session'
  rolling: boolean
  sessions: boolean
  /** idleTimeout in seconds (the login ends by it in the held requests), or 0. */
  idle: number
  /**
   * The login asks to be remembered, with refreshEachRequest, and the held requests leave the
   * session as it is: what an in-flight answer brings back is the remember cookie. Default false
   * (the held requests write the session).
   */
  refresh?: boolean
}

interface Pair {
  a: AppProcess
  b: AppProcess
  /** Whether a key is in Redis. */
  stored (key: string): Promise<boolean>
  cookie: string
}

async function startPair (t: TestContext, setup: Setup): Promise<Pair> {
  const redis = await startRedisServer()
  t.after(() => redis.stop())
  const env = {
    REDIS_URL: redis.url,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    LOGIN_SECRET: randomBytes(32).toString('hex'),
    ENGINE: setup.engine,
    ROLLING: String(setup.rolling),
    SESSIONS: setup.sessions ? 'on' : 'off',
    IDLE: setup.idle > 0 ? String(setup.idle) : '',
    REFRESH: setup.refresh === true ? 'on' : 'off'
  }
  const [a, b] = await Promise.all([startApp(env, FIXTURE), startApp(env, FIXTURE)])
  t.after(() => Promise.all([a.stop(), b.stop()]))
  const inspect = createClient({ url: redis.url })
  inspect.on('error', () => {}) // Redis stops before it in t.after
  await inspect.connect()
  t.after(() => { if (inspect.isOpen) inspect.destroy() })
  return { a, b, stored: async (key) => await inspect.exists(key) === 1, cookie: setup.engine === 'session' ? 'sessionId' : 'session' }
}

function expectOk (answer: Answer, what: string, app: AppProcess): void {
  if (answer.status !== 200 && answer.status !== 204) throw new Error(`${what} answered ${answer.status}: ${JSON.stringify(answer.body)}\n${app.log()}`)
}

async function send (browser: Browser, app: AppProcess, path: string, options: { method?: string, json?: unknown, cookie?: string } = {}): Promise<Answer> {
  const answer = await browser.request(app.url, path, options)
  expectOk(answer, `${options.method ?? 'GET'} ${path}`, app)
  return answer
}

async function logIn (pair: Pair, id: string, remember = false): Promise<Browser> {
  const owner = new Browser()
  const login = await send(owner, pair.b, '/login', { json: { id, remember } })
  if (login.body.user !== id) throw new Error(`the login of ${id} failed: ${JSON.stringify(login.body)}`)
  return owner
}

/** Holds HELD requests of `owner` on A; resolves once A holds them all. */
async function hold (pair: Pair, owner: Browser, write = true): Promise<Array<Promise<Answer>>> {
  const held = Array.from({ length: HELD }, () => send(owner, pair.a, write ? '/hold?write=1' : '/hold'))
  await send(new Browser(), pair.a, `/held?count=${HELD}`)
  return held
}

const release = (pair: Pair): Promise<Answer> => send(new Browser(), pair.a, '/release', { method: 'POST' })

/**
 * Whether the login came back after the race: in the browser itself, or (when a copy of the old
 * cookie is revocable at all, i.e. not on secure-session without `sessions`) for that copy on
 * either process. `note` also counts what a copy can still read of the ended session.
 */
async function comeBack (pair: Pair, setup: Setup, owner: Browser, stolen: string): Promise<{ login: boolean, note: boolean }> {
  const seen = [await send(owner, pair.a, '/me')]
  if (setup.engine === 'session' || setup.sessions) {
    seen.push(await send(new Browser(), pair.a, '/me', { cookie: stolen }), await send(new Browser(), pair.b, '/me', { cookie: stolen }))
  }
  return {
    login: seen.some((answer) => answer.body.user !== null),
    note: setup.engine === 'session' && seen.slice(1).some((answer) => answer.body.note !== null)
  }
}

/**
 * The race itself, RACES times: the logout on B and the release of the held requests on A go out
 * together, the release up to 3 ms before or after the logout, so that the held requests' saves
 * meet the logout's destroy in every order.
 */
async function inFlightLogout (t: TestContext, pair: Pair, setup: Setup): Promise<void> {
  let undone = 0
  let writtenBack = 0
  for (let i = 0; i < RACES; i++) {
    const owner = await logIn(pair, `race${i}`, setup.refresh === true)
    // without `sessions` a remember cookie is stateless (a copy logs in until its duration ends,
    // docs/security.md): the copy checked is the session cookie's
    const stolen = setup.refresh === true && !setup.sessions ? `${pair.cookie}=${owner.jar.get(pair.cookie) ?? ''}` : owner.cookieHeader()
    const id = setup.engine === 'session' ? sessionIdOf(owner.jar.get(pair.cookie)) : null
    const held = await hold(pair, owner, setup.refresh !== true)
    const logout = (): Promise<Answer> => send(owner, pair.b, '/logout', { method: 'POST' })
    const spread = (i % 7) - 3
    await Promise.all([
      spread < 0 ? release(pair) : logout(),
      sleep(Math.abs(spread)).then(() => spread < 0 ? logout() : release(pair)),
      ...held
    ])
    if ((await comeBack(pair, setup, owner, stolen)).login) undone++
    if (id !== null && await pair.stored(`sess:${id}`)) writtenBack++
  }
  t.diagnostic(`logouts undone: ${undone} of ${RACES}; old stored session present afterwards: ${writtenBack} of ${RACES}`)
  t.assert.strictEqual(undone, 0, `${undone} of ${RACES} logouts undone`)
  t.assert.strictEqual(writtenBack, 0, `the old session was written back in ${writtenBack} of ${RACES} logouts`)
}

/**
 * The login ends by idleTimeout in the held requests (they arrive after it passed), the logout on
 * B destroys the session, then the held requests end: the destroyed id must not come back, with
 * what they wrote into it.
 */
async function idleLogout (t: TestContext, pair: Pair, setup: Setup): Promise<void> {
  const owners: Browser[] = []
  for (let i = 0; i < RACES; i++) owners.push(await logIn(pair, `idle${i}`))
  // idleTimeout 1 s, in whole seconds: every login above is idle after 3 s
  await sleep(3000)
  let writtenBack = 0
  for (const owner of owners) {
    const stolen = owner.cookieHeader()
    const id = sessionIdOf(owner.jar.get(pair.cookie))
    const held = await hold(pair, owner)
    await send(owner, pair.b, '/logout', { method: 'POST' })
    await release(pair)
    for (const answer of await Promise.all(held)) t.assert.strictEqual(answer.body.user, null, 'the held request found the login idle')
    const back = await comeBack(pair, setup, owner, stolen)
    t.assert.strictEqual(back.login, false)
    if (back.note || await pair.stored(`sess:${id}`)) writtenBack++
  }
  t.diagnostic(`the destroyed session written back by an in-flight request: ${writtenBack} of ${RACES}`)
  t.assert.strictEqual(writtenBack, 0, `the destroyed session was written back in ${writtenBack} of ${RACES} logouts`)
}

const name = (setup: Setup): string => (setup.engine === 'session'
  ? `@fastify/session (rolling: ${setup.rolling}) ${setup.sessions ? 'with' : 'without'} sessions`
  : `@fastify/secure-session ${setup.sessions ? 'with' : 'without'} sessions`) +
  (setup.refresh === true ? ', a remember cookie re-issued in flight (refreshEachRequest)' : '')

const RACE_SETUPS: Setup[] = [
  { engine: 'session', rolling: true, sessions: false, idle: 0 },
  { engine: 'session', rolling: false, sessions: false, idle: 0 },
  { engine: 'session', rolling: true, sessions: true, idle: 0 },
  { engine: 'session', rolling: false, sessions: true, idle: 0 },
  { engine: 'secure-session', rolling: false, sessions: true, idle: 0 },
  { engine: 'secure-session', rolling: false, sessions: false, idle: 0 },
  { engine: 'secure-session', rolling: false, sessions: false, idle: 0, refresh: true },
  { engine: 'session', rolling: true, sessions: false, idle: 0, refresh: true }
]

for (const setup of RACE_SETUPS) {
  test(`SEC-27 on ${name(setup)}: no request in flight undoes a logout, 0 of ${RACES}`, async (t: TestContext) => {
    await inFlightLogout(t, await startPair(t, setup), setup)
  })
}

const IDLE_SETUPS: Setup[] = [
  { engine: 'session', rolling: true, sessions: false, idle: 1 },
  { engine: 'session', rolling: false, sessions: false, idle: 1 },
  { engine: 'session', rolling: true, sessions: true, idle: 1 }
]

for (const setup of IDLE_SETUPS) {
  test(`SEC-27 on ${name(setup)}: a request in flight whose login ended by idleTimeout does not write back the session a logout destroyed, 0 of ${RACES}`, async (t: TestContext) => {
    await idleLogout(t, await startPair(t, setup), setup)
  })
}
