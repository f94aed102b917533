// Tracked sessions on Redis (API.md "Tracked sessions", issues 13 and 14), over real HTTP: two
// application processes (test/redis/fixtures/tracked-app.ts) share one real redis-server, on
// @fastify/secure-session and on @fastify/session (connect-redis), with the store on a `redis`
// (node-redis) and on an `ioredis` client. The fixture has `maxPerUser: 3` and `rotationGrace: 1`.
import { test, type TestContext } from 'node:test'
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AppProcess } from '../helpers/redis/app-process.js'
import { Browser, sessionIdOf, type Answer } from '../helpers/redis/browser.js'
import { allKeys, startPair, valuesOf, type ClientName, type EngineName, type Pair } from '../helpers/redis/tracked-pair.js'

const REMEMBER = 'remember_token'
const ENTRY_KEYS = 'fastify-login:*:s:*'
const REPETITIONS = 100
const PARALLEL_LOGINS = 1000
const MAX_PER_USER = 3
const RACES = 30

async function login (t: TestContext, browser: Browser, app: AppProcess, id: string, extra: Record<string, unknown> = {}): Promise<Answer> {
  const answer = await browser.request(app.url, '/login', { json: { id, ...extra } })
  t.assert.strictEqual(answer.status, 200, app.log())
  t.assert.strictEqual(answer.body.loggedIn, true)
  return answer
}

/** The user a request with this browser's cookies (or `cookie`) is logged in as, or null. */
async function whoIs (browser: Browser, app: AppProcess, cookie?: string): Promise<string | null> {
  const me = await browser.request(app.url, '/me', cookie === undefined ? {} : { cookie })
  if (me.status !== 200) throw new Error(`GET /me answered ${me.status}: ${JSON.stringify(me.body)}\n${app.log()}`)
  return me.body.user
}

async function adminSessions (app: AppProcess, userId: string): Promise<Array<{ id: string, remembered: boolean }>> {
  return (await new Browser().request(app.url, `/admin/sessions/${userId}`)).body
}

async function theftsSeen (app: AppProcess): Promise<string[]> {
  return (await new Browser().request(app.url, '/thefts')).body.thefts
}

/** The entry keys of the store that belong to `userId`. */
async function entryKeysOf (pair: Pair, userId: string): Promise<string[]> {
  const keys: string[] = []
  for (const key of await allKeys(pair, ENTRY_KEYS)) {
    if (await pair.inspect.hGet(key, 'userId') === userId) keys.push(key)
  }
  return keys
}

/** How many of @fastify/session's stored sessions hold a login of `userId` (dead or alive). */
async function storedLoginsOf (pair: Pair, userId: string): Promise<number> {
  const values = await Promise.all((await allKeys(pair, 'sess:*')).map((key) => pair.inspect.get(key)))
  return values.filter((value) => value !== null && (JSON.parse(value) as { _user_id?: string })._user_id === userId).length
}

/** The random token inside a remember cookie (base64url JSON payload, then timestamp, then signature). */
function tokenOf (cookie: string): string {
  const payload = decodeURIComponent(cookie).split('.')[0] as string
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { t: string }).t
}

function isDeletion (line: string, name: string): boolean {
  return line.startsWith(`${name}=;`) || (line.startsWith(`${name}=`) && /max-age=0|expires=thu, 01 jan 1970/i.test(line))
}

/** 1. Revocation on B (by the user's devices page, or by the administrator) is seen by the very next request to A. */
async function revocationIsImmediate (t: TestContext, pair: Pair, by: 'request' | 'manager'): Promise<void> {
  const userId = `revoke-by-${by}`
  const devicesPage = new Browser()
  if (by === 'request') await login(t, devicesPage, pair.b, userId)
  let anonymousNext = 0
  for (let i = 0; i < REPETITIONS; i++) {
    const device = new Browser()
    const { sid } = (await login(t, device, pair.a, userId, { sid: true })).body
    t.assert.strictEqual(await whoIs(device, pair.a), userId, 'A saw the session logged in before the revocation')
    const revoked = by === 'request'
      ? await devicesPage.request(pair.b.url, '/devices/revoke', { json: { id: sid } })
      : await new Browser().request(pair.b.url, '/admin/revoke', { json: { id: sid } })
    t.assert.deepStrictEqual(revoked.body, { revoked: true })
    if (await whoIs(device, pair.a) === null) anonymousNext++
  }
  t.assert.strictEqual(anonymousNext, REPETITIONS, `the next request to A was anonymous in ${anonymousNext} of ${REPETITIONS}`)
  if (by === 'request') t.assert.strictEqual(await whoIs(devicesPage, pair.a), userId, 'the devices page\'s own session stays')
}

/** 2. 1 000 parallel logins of one user, spread over A and B, leave exactly maxPerUser live sessions. */
async function parallelLogins (t: TestContext, pair: Pair, round: number): Promise<void> {
  const userId = `crowd-${round}`
  const browsers = Array.from({ length: PARALLEL_LOGINS }, () => new Browser())
  const app = (i: number): AppProcess => i % 2 === 0 ? pair.a : pair.b
  const started = performance.now()
  const answers = await Promise.all(browsers.map((browser, i) => browser.request(app(i).url, '/login', { json: { id: userId } })))
  const elapsed = Math.round(performance.now() - started)
  t.assert.deepStrictEqual(answers.filter((answer) => answer.status !== 200 || answer.body.loggedIn !== true), [])

  const listed = (await adminSessions(pair.a, userId)).map((session) => session.id).sort()
  t.assert.strictEqual(listed.length, MAX_PER_USER)
  t.assert.deepStrictEqual((await adminSessions(pair.b, userId)).map((session) => session.id).sort(), listed)
  t.assert.strictEqual((await entryKeysOf(pair, userId)).length, MAX_PER_USER, 'entries of the user in Redis')
  t.assert.strictEqual(await pair.inspect.zCard((await allKeys(pair, `fastify-login:*:u:${userId}`))[0] as string), MAX_PER_USER, 'ids in the user\'s index')

  if (pair.sessionCookie === 'sessionId') {
    t.diagnostic(`@fastify/session sessions holding a login of ${userId}: ${await storedLoginsOf(pair, userId)}, of which ${MAX_PER_USER} live (the rest dead, until their TTL)`)
  }

  // exactly those sessions still log in: every other browser is anonymous
  const current: string[] = []
  for (let from = 0; from < browsers.length; from += 100) {
    const chunk = browsers.slice(from, from + 100)
    const answers = await Promise.all(chunk.map((browser, i) => browser.request(app(from + i + 1).url, '/current')))
    for (const answer of answers) if (answer.body.sid !== null) current.push(answer.body.sid)
  }
  t.assert.deepStrictEqual(current.sort(), listed)
  t.diagnostic(`round ${round}: ${PARALLEL_LOGINS} parallel logins over two processes in ${elapsed} ms`)
}

/**
 * 3. On @fastify/session: a copy of the session cookie keeps slow requests (that write the
 * session) in flight on A while the owner logs out on B; afterwards the copy is anonymous.
 */
async function logoutRace (t: TestContext, pair: Pair): Promise<void> {
  let undone = 0
  let writtenBack = 0
  for (let i = 0; i < RACES; i++) {
    const owner = new Browser()
    await login(t, owner, pair.b, 'race')
    const stolen = owner.cookieHeader()
    const sessionId = sessionIdOf(owner.jar.get(pair.sessionCookie))
    const copy = new Browser()
    for (const [name, value] of owner.jar) copy.jar.set(name, value)
    const race = { loggedOut: false }
    let answered: () => void = () => {}
    const firstAnswer = new Promise<void>((resolve) => { answered = resolve })
    const inFlight = [0, 1, 2].map(async () => {
      do {
        const slow = await copy.request(pair.a.url, '/slow')
        if (slow.status !== 200) throw new Error(`GET /slow answered ${slow.status}\n${pair.a.log()}`)
        answered()
      } while (!race.loggedOut)
    })
    await firstAnswer // the copy's requests are in flight now (they loop back to back)
    const logout = await owner.request(pair.b.url, '/logout', { method: 'POST' })
    t.assert.strictEqual(logout.body.user, null)
    race.loggedOut = true
    await Promise.all(inFlight)
    const back = [await whoIs(copy, pair.a, stolen), await whoIs(copy, pair.b, stolen), await whoIs(copy, pair.a)]
    if (back.some((user) => user !== null)) undone++
    if (await pair.inspect.exists(`sess:${sessionId}`) === 1) writtenBack++
  }
  t.diagnostic(`the old stored session was written back by an in-flight request in ${writtenBack} of ${RACES} logouts`)
  t.assert.strictEqual(undone, 0, `${undone} of ${RACES} logouts undone`)
}

/**
 * 4. A client that keeps only the remember cookie for ~2 s: each restore continues the same
 * tracked session, @fastify/session's keys stay bounded, every key expires.
 */
async function rememberReplay (t: TestContext, pair: Pair): Promise<void> {
  const userId = 'replay'
  const client = new Browser()
  const { sid } = (await login(t, client, pair.a, userId, { remember: true, sid: true })).body
  const storedBefore = (await allKeys(pair, 'sess:*')).length
  let requests = 0
  let restored = 0
  for (const until = Date.now() + 2000; Date.now() < until; requests++) {
    client.jar.delete(pair.sessionCookie)
    const me = await client.request((requests % 2 === 0 ? pair.a : pair.b).url, '/me')
    if (me.body.user === userId && me.body.remembered === true) restored++
  }
  t.assert.strictEqual(restored, requests, 'every request was restored from the remember cookie')
  t.assert.ok(requests >= 10, `only ${requests} requests`)
  const sessions = await adminSessions(pair.b, userId)
  t.assert.deepStrictEqual(sessions.map((session) => [session.id, session.remembered]), [[sid, true]])
  t.assert.strictEqual((await entryKeysOf(pair, userId)).length, 1)
  const storedAfter = (await allKeys(pair, 'sess:*')).length
  t.assert.ok(storedAfter - storedBefore <= 2, `sess: keys ${storedBefore} before, ${storedAfter} after ${requests} restores`)
  const keys = await allKeys(pair)
  const lasting = []
  for (const key of keys) if (!(await pair.inspect.pTTL(key) > 0)) lasting.push(key)
  t.assert.deepStrictEqual(lasting, [], 'keys without a TTL')
  t.diagnostic(`${requests} restores: tracked sessions 1, sess: keys ${storedBefore} → ${storedAfter}, ${keys.length} keys, all with a TTL`)
}

/** 5. Remember per session: only a hash in Redis; the old token after the grace is theft, seen on every process. */
async function rememberTheft (t: TestContext, pair: Pair): Promise<void> {
  const userId = 'theft'
  const owner = new Browser()
  await login(t, owner, pair.a, userId, { remember: true })
  const oldCookie = owner.jar.get(REMEMBER) as string
  const token = tokenOf(oldCookie)
  const [entryKey] = await entryKeysOf(pair, userId)
  t.assert.strictEqual(await pair.inspect.hGet(entryKey as string, 'rememberHash'), createHash('sha256').update(token).digest('base64url'))
  for (const key of await allKeys(pair)) {
    t.assert.ok(!key.includes(token), `the raw token in the key ${key}`)
    t.assert.ok(!(await valuesOf(pair, key)).some((value) => value.includes(token)), `the raw token in the value of ${key}`)
  }

  const other = new Browser()
  await login(t, other, pair.b, userId)
  owner.jar.delete(pair.sessionCookie)
  t.assert.strictEqual(await whoIs(owner, pair.a), userId, 'restored from the remember cookie')
  t.assert.notStrictEqual(tokenOf(owner.jar.get(REMEMBER) as string), token, 'the restore rotated the token')

  await sleep(1200) // rotationGrace: 1 s
  const thief = new Browser()
  thief.jar.set(REMEMBER, oldCookie)
  const stolen = await thief.request(pair.b.url, '/me')
  t.assert.strictEqual(stolen.body.user, null)
  t.assert.ok(stolen.setCookies.some((line) => isDeletion(line, REMEMBER)), 'the remember cookie is deleted')
  t.assert.deepStrictEqual(await theftsSeen(pair.b), [userId])
  t.assert.deepStrictEqual(await theftsSeen(pair.a), [])

  t.assert.strictEqual(await whoIs(owner, pair.a), null, 'the session is ended on the other process too')
  t.assert.strictEqual(owner.jar.has(REMEMBER), false, 'and its remember cookie with it')
  t.assert.strictEqual(await whoIs(other, pair.a), userId, 'the user\'s other session stays')
  t.assert.strictEqual(await whoIs(other, pair.b), userId)
  t.assert.strictEqual((await adminSessions(pair.a, userId)).length, 1)
}

/** 6. Redis stopped: a logged-in request fails closed with a 503, a public route still answers. */
async function storeDown (t: TestContext, pair: Pair, engine: EngineName): Promise<void> {
  const browser = new Browser()
  await login(t, browser, pair.a, 'outage', { remember: true })
  const sessionAndRemember = browser.cookieHeader()
  const rememberOnly = `${REMEMBER}=${browser.jar.get(REMEMBER) as string}`
  await pair.redis.stop()
  // on @fastify/session the engine reads Redis before fastify-login runs: the app's handler answers
  const withSession = engine === 'session' ? 'SESSION_STORE_UNAVAILABLE' : 'FST_LOGIN_STORE_UNAVAILABLE'
  for (const app of [pair.a, pair.b]) {
    const cases: Array<[string, Promise<Answer>, string]> = [
      ['a protected page with the session', new Browser().request(app.url, '/protected', { cookie: sessionAndRemember }), withSession],
      ['a restore from the remember cookie', new Browser().request(app.url, '/me', { cookie: rememberOnly }), 'FST_LOGIN_STORE_UNAVAILABLE'],
      ['a login', new Browser().request(app.url, '/login', { json: { id: 'outage-2' } }), 'FST_LOGIN_STORE_UNAVAILABLE']
    ]
    for (const [what, pending, code] of cases) {
      const answer = await pending
      t.assert.strictEqual(answer.status, 503, `${what}: ${JSON.stringify(answer.body)}`)
      t.assert.strictEqual(answer.body.code, code, what)
      t.assert.doesNotMatch(answer.body.message, /timeout/i, `${what} failed at once`)
      t.assert.deepStrictEqual(answer.setCookies, [], `${what} sets no cookie`)
    }
    const open = await new Browser().request(app.url, '/public')
    t.assert.deepStrictEqual([open.status, open.body], [200, { ok: true }])
  }
}

const COMBINATIONS: Array<[EngineName, ClientName]> = [
  ['secure-session', 'redis'],
  ['secure-session', 'ioredis'],
  ['session', 'redis'],
  ['session', 'ioredis']
]

for (const [engine, client] of COMBINATIONS) {
  test(`tracked sessions on ${engine}, store on ${client}: two processes, one Redis`, async (t: TestContext) => {
    const pair = await startPair(t, { engine, client })

    await t.test('a revocation by request.revokeSession on B is seen by the next request to A, 100 of 100', (t: TestContext) => revocationIsImmediate(t, pair, 'request'))
    await t.test('a revocation by loginManager.revokeSession on B is seen by the next request to A, 100 of 100', (t: TestContext) => revocationIsImmediate(t, pair, 'manager'))
    for (const round of [1, 2, 3]) {
      await t.test(`1 000 parallel logins of one user over both processes leave exactly maxPerUser live sessions (round ${round})`, (t: TestContext) => parallelLogins(t, pair, round))
    }
    if (engine === 'session') {
      await t.test('no in-flight request undoes a logout (rolling: true): 0 of 30', (t: TestContext) => logoutRace(t, pair))
    }
    await t.test('replaying only the remember cookie continues one tracked session, grows nothing, every key expires', (t: TestContext) => rememberReplay(t, pair))
    await t.test('remember per session: only a hash in Redis; the old token after the grace is theft on every process', (t: TestContext) => rememberTheft(t, pair))
    // last: it stops Redis
    await t.test('Redis stopped: logged-in requests get a coded 503, never a login; a public route answers', (t: TestContext) => storeDown(t, pair, engine))
  })
}

for (const client of ['redis', 'ioredis'] as const) {
  test(`tracked sessions on session with rolling: false, store on ${client}`, async (t: TestContext) => {
    const pair = await startPair(t, { engine: 'session', client, rolling: false })
    await t.test('no in-flight request undoes a logout (rolling: false): 0 of 30', (t: TestContext) => logoutRace(t, pair))
  })
}
