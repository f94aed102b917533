// "Your devices" (/settings/devices): every browser where the user is logged in, ending one of
// them from another, and logging out all the others. Each browser context is one "device".
import assert from 'node:assert/strict'
import { after, before } from 'node:test'
import { createClient } from 'redis'
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js'
import { e2eTest, type E2E } from '../helpers/e2e/e2e-test.js'
import { alice, bob, clickAndWait, deviceRows, type DeviceRow, endSession, flashes, logIn, pathOf, reopenBrowser } from '../helpers/e2e/flows.js'
import { CHROME_ON_ANDROID, EDGE_ON_MACOS, FIREFOX_ON_WINDOWS, SAFARI_ON_IPHONE } from '../helpers/e2e/user-agents.js'

const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/

/** Rows in a fixed order (the page orders them by last sighting, which is kept to the minute). */
function byBrowser (rows: DeviceRow[]): DeviceRow[] {
  return [...rows].sort((x, y) => x.browser.localeCompare(y.browser))
}

async function deviceAs (newContext: E2E['newContext'], userAgent: string, user = alice, { remember = false } = {}) {
  const context = await newContext({ userAgent })
  const page = await context.newPage()
  await logIn(page, user.username, user.password, { remember })
  assert.equal(pathOf(page), '/')
  return { context, page }
}

/** Ends B's session from A's devices page; B's next click lands on the login page. */
async function endOtherDeviceFromA ({ newContext }: E2E) {
  const a = await deviceAs(newContext, FIREFOX_ON_WINDOWS)
  const b = await deviceAs(newContext, SAFARI_ON_IPHONE, alice, { remember: true })

  await a.page.goto('/profile')
  await clickAndWait(a.page, '#devices-link')
  assert.equal(pathOf(a.page), '/settings/devices')
  const rows = await deviceRows(a.page)
  assert.deepEqual(byBrowser(rows).map(({ browser, ip, current, badges }) => ({ browser, ip, current, badges })), [
    { browser: 'Firefox on Windows', ip: '127.0.0.1', current: true, badges: ['this device'] },
    { browser: 'Safari on iPhone', ip: '127.0.0.1', current: false, badges: ['remembered'] }
  ])
  for (const { times } of rows) {
    assert.equal(times.length, 2, 'logged-in and last-seen times')
    for (const time of times) assert.match(time, TIME)
  }

  // B sees the same two sessions, with "this device" on its own
  await b.page.goto('/settings/devices')
  assert.deepEqual(byBrowser(await deviceRows(b.page)).map(({ browser, current }) => ({ browser, current })), [
    { browser: 'Firefox on Windows', current: false },
    { browser: 'Safari on iPhone', current: true }
  ])

  await a.page.reload()
  await endSession(a.page, 'Safari on iPhone')
  assert.equal(pathOf(a.page), '/settings/devices')
  assert.deepEqual(await flashes(a.page), ['Logged out Safari on iPhone (127.0.0.1).'])
  assert.deepEqual((await deviceRows(a.page)).map(({ browser }) => browser), ['Firefox on Windows'])
  assert.equal(await a.page.textContent('#no-other-devices'), 'You are not logged in anywhere else.')

  // B's next click: the login page, and its "remember me" cookie no longer logs in either
  await clickAndWait(b.page, 'nav a[href="/profile"]')
  assert.equal(pathOf(b.page), '/login?next=%2Fprofile')
  assert.deepEqual(await flashes(b.page), ['Please log in to access this page.'])
  const reopened = await (await reopenBrowser(b.context, newContext)).newPage()
  await reopened.goto('/profile')
  assert.equal(pathOf(reopened), '/login?next=%2Fprofile')

  // A is still logged in
  await a.page.goto('/profile')
  assert.equal(pathOf(a.page), '/profile')
}

e2eTest('ending device B from device A logs B out on its next click', endOtherDeviceFromA)

e2eTest('"Log out all other devices" logs out every other browser of the user and keeps this one', async ({ newContext }) => {
  const a = await deviceAs(newContext, FIREFOX_ON_WINDOWS)
  const b = await deviceAs(newContext, SAFARI_ON_IPHONE)
  const c = await deviceAs(newContext, CHROME_ON_ANDROID, alice, { remember: true })
  const bobs = await deviceAs(newContext, EDGE_ON_MACOS, bob)

  await a.page.goto('/settings/devices')
  assert.deepEqual(byBrowser(await deviceRows(a.page)).map(({ browser }) => browser),
    ['Chrome on Android', 'Firefox on Windows', 'Safari on iPhone'], "only alice's sessions, not bob's")
  await clickAndWait(a.page, '#log-out-others')
  assert.equal(pathOf(a.page), '/settings/devices')
  assert.deepEqual(await flashes(a.page), ['Logged out 2 other devices. This device stays logged in.'])
  assert.deepEqual((await deviceRows(a.page)).map(({ browser, current }) => ({ browser, current })), [{ browser: 'Firefox on Windows', current: true }])
  assert.equal(await a.page.locator('#log-out-others').count(), 0, 'no button when there is no other device')

  for (const other of [b, c]) {
    await clickAndWait(other.page, 'nav a[href="/profile"]')
    assert.equal(pathOf(other.page), '/login?next=%2Fprofile')
  }
  const reopened = await (await reopenBrowser(c.context, newContext)).newPage()
  await reopened.goto('/profile')
  assert.equal(pathOf(reopened), '/login?next=%2Fprofile', "C's remember cookie ended with its session")

  await a.page.reload()
  assert.equal(pathOf(a.page), '/settings/devices')
  await bobs.page.goto('/settings/devices')
  assert.deepEqual((await deviceRows(bobs.page)).map(({ browser }) => browser), ['Edge on macOS'], "bob's session is untouched")
})

e2eTest('ending the current device logs this browser out', async ({ newContext }) => {
  const a = await deviceAs(newContext, FIREFOX_ON_WINDOWS)
  const b = await deviceAs(newContext, SAFARI_ON_IPHONE)
  await a.page.goto('/settings/devices')
  await endSession(a.page, 'Firefox on Windows')
  assert.equal(pathOf(a.page), '/')
  assert.deepEqual(await flashes(a.page), ['You have been logged out.'])
  assert.equal(await a.page.textContent('#greeting'), 'Hello, anonymous visitor!')
  await a.page.goto('/settings/devices')
  assert.equal(pathOf(a.page), '/login?next=%2Fsettings%2Fdevices')

  await b.page.goto('/settings/devices')
  assert.deepEqual((await deviceRows(b.page)).map(({ browser }) => browser), ['Safari on iPhone'])
})

e2eTest('a session that has already ended cannot be ended again', async ({ newContext }) => {
  const a = await deviceAs(newContext, FIREFOX_ON_WINDOWS)
  const a2 = await a.context.newPage() // a second tab of A, with the page loaded before B went away
  const b = await deviceAs(newContext, SAFARI_ON_IPHONE)
  await a.page.goto('/settings/devices')
  await a2.goto('/settings/devices')
  await endSession(a.page, 'Safari on iPhone')
  await endSession(a2, 'Safari on iPhone')
  assert.equal(pathOf(a2), '/settings/devices')
  assert.deepEqual(await flashes(a2), ['That session has already ended.'])
  await b.page.goto('/profile')
  assert.equal(pathOf(b.page), '/login?next=%2Fprofile')
})

let redis: RedisServer | undefined
before(async () => { redis = await startRedisServer() })
after(async () => { await redis?.stop() })

async function sessionKeys (url: string): Promise<string[]> {
  const client = createClient({ url })
  await client.connect()
  try {
    return (await client.keys('fastify-login-example:*')).filter((key) => key.includes(':s:'))
  } finally {
    await client.close()
  }
}

e2eTest('with REDIS_URL the devices page works the same, on sessions kept in Redis', async (e2e) => {
  const url = (redis as RedisServer).url
  await endOtherDeviceFromA(e2e)
  assert.equal((await sessionKeys(url)).length, 1, "one session left in Redis: A's")
}, { app: () => ({ redisUrl: (redis as RedisServer).url }) })
