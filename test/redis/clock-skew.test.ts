// Clock skew between processes (issue 19, item 7): the remember-token grace is judged by one
// clock, the store's (Redis TIME inside the rotation script), so two processes whose clocks differ
// by twice the grace agree. Process a runs 20 s behind (CLOCK_OFFSET_MS, a fake Date), the grace
// is 10 s: the 4 s against 2 s, scaled so that a loaded machine cannot make the first case
// late. Both engines, the store on `redis` and on `ioredis`, over real HTTP.
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AppProcess } from '../helpers/redis/app-process.js'
import { Browser } from '../helpers/redis/browser.js'
import { startPair, type ClientName, type EngineName, type Pair } from '../helpers/redis/tracked-pair.js'

const REMEMBER = 'remember_token'
const GRACE_S = 10
const SKEW_MS = -20_000

async function rememberedLogin (t: TestContext, app: AppProcess, userId: string): Promise<string> {
  const browser = new Browser()
  const answer = await browser.request(app.url, '/login', { json: { id: userId, remember: true } })
  t.assert.strictEqual(answer.status, 200, app.log())
  return browser.jar.get(REMEMBER) as string
}

/** GET /me with only the remember cookie: the user (or null) and whether it sent a new remember cookie. */
async function restore (app: AppProcess, cookie: string): Promise<{ user: string | null, rotated: boolean }> {
  const answer = await new Browser().request(app.url, '/me', { cookie: `${REMEMBER}=${cookie}` })
  return { user: answer.body.user, rotated: answer.setCookies.some((line) => line.startsWith(`${REMEMBER}=`) && !/max-age=0/i.test(line)) }
}

async function thefts (pair: Pair): Promise<string[][]> {
  return Promise.all([pair.a, pair.b].map(async (app) => (await new Browser().request(app.url, '/thefts')).body.thefts))
}

/** The process 20 s behind rotates; the previous token on the other one, inside the grace, is no theft. */
async function behindRotates (t: TestContext, pair: Pair): Promise<void> {
  const cookie = await rememberedLogin(t, pair.b, 'behind')
  t.assert.deepStrictEqual(await restore(pair.a, cookie), { user: 'behind', rotated: true })
  t.assert.deepStrictEqual(await restore(pair.b, cookie), { user: 'behind', rotated: false }, 'inside the grace, by the store\'s clock')
  t.assert.deepStrictEqual(await thefts(pair), [[], []])
}

/** The process ahead rotates; once the grace has passed by the store's clock, the previous token is theft on the process behind. */
async function aheadRotates (t: TestContext, pair: Pair): Promise<void> {
  const cookie = await rememberedLogin(t, pair.a, 'ahead')
  t.assert.deepStrictEqual(await restore(pair.b, cookie), { user: 'ahead', rotated: true })
  await sleep(GRACE_S * 1000 + 500)
  t.assert.deepStrictEqual(await restore(pair.a, cookie), { user: null, rotated: false }, 'past the grace: the process behind does not stretch it')
  t.assert.deepStrictEqual(await thefts(pair), [['ahead'], []])
}

for (const engine of ['secure-session', 'session'] as EngineName[]) {
  for (const client of ['redis', 'ioredis'] as ClientName[]) {
    test(`clock skew between two processes on ${engine}, store on ${client}: one clock for the grace`, async (t: TestContext) => {
      const pair = await startPair(t, { engine, client, env: { GRACE: String(GRACE_S) }, envOfA: { CLOCK_OFFSET_MS: String(SKEW_MS) } })
      await t.test('a rotation by the process behind is inside the grace on the other (no false theft)', (t: TestContext) => behindRotates(t, pair))
      await t.test('the process behind does not stretch the grace of a rotation by the other', (t: TestContext) => aheadRotates(t, pair))
    })
  }
}
