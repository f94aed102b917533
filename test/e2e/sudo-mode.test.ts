// "Sudo mode": changing the password and ending another device need a password typed in the
// last FRESH_FOR seconds (5 minutes). The server's clock is moved forward instead of waiting.
import assert from 'node:assert/strict'
import { FRESH_FOR } from '../../examples/app/app.js'
import { e2eTest, type E2E } from '../helpers/e2e/e2e-test.js'
import { alice, clickAndWait, deviceRows, endSession, flashes, logIn, pathOf } from '../helpers/e2e/flows.js'
import { installServerClock } from '../helpers/e2e/server-clock.js'
import { CHROME_ON_ANDROID, FIREFOX_ON_WINDOWS, SAFARI_ON_IPHONE } from '../helpers/e2e/user-agents.js'
import type { Page } from 'playwright-core'

const clock = installServerClock()
// well inside the window, whatever real time the steps in between take
const STILL_FRESH = FRESH_FOR - 60
const NEEDS_PASSWORD = 'Please confirm your password to open this page.'
const NEW_PASSWORD = 'through-the-looking-glass'

async function loggedIn (newContext: E2E['newContext'], userAgent: string): Promise<Page> {
  const page = await (await newContext({ userAgent })).newPage()
  await logIn(page, alice.username, alice.password)
  assert.equal(pathOf(page), '/')
  return page
}

async function confirmPassword (page: Page): Promise<void> {
  await page.fill('#password', alice.password)
  await clickAndWait(page, 'main form button[type=submit]')
  assert.deepEqual(await flashes(page), ['Thanks, your login is fresh again.'])
}

async function fillNewPassword (page: Page): Promise<void> {
  await page.fill('#password', NEW_PASSWORD)
  await page.fill('#confirm', NEW_PASSWORD)
}

e2eTest('changing the password after the fresh window asks for the password, then succeeds', async ({ newContext }) => {
  const page = await loggedIn(newContext, FIREFOX_ON_WINDOWS)
  await page.goto('/settings/password')
  assert.equal(pathOf(page), '/settings/password', 'a password just typed opens the page')
  clock.forward(STILL_FRESH)
  await page.reload()
  assert.equal(pathOf(page), '/settings/password', `still fresh after ${STILL_FRESH} s`)

  // the form was opened inside the window; it is sent after the window
  await fillNewPassword(page)
  clock.forward(61)
  await clickAndWait(page, 'main form button[type=submit]')
  assert.equal(pathOf(page), '/reauth?next=%2Fsettings%2Fpassword')
  assert.deepEqual(await flashes(page), [NEEDS_PASSWORD])

  await confirmPassword(page)
  assert.equal(pathOf(page), '/settings/password', 'back to the page that asked')
  await fillNewPassword(page)
  await clickAndWait(page, 'main form button[type=submit]')
  assert.equal(pathOf(page), '/profile')
  assert.deepEqual(await flashes(page), ['Password changed. Your other browsers have been logged out.'])
  assert.match(await page.textContent('#profile-login') ?? '', /^fresh/)

  // confirming the password restarted the window in place: still one session on the devices page
  await page.goto('/settings/devices')
  assert.deepEqual((await deviceRows(page)).map(({ browser, current }) => ({ browser, current })), [{ browser: 'Firefox on Windows', current: true }])
})

e2eTest('an old login still opens pages that need only a login, and says it is not fresh', async ({ newContext }) => {
  const page = await loggedIn(newContext, FIREFOX_ON_WINDOWS)
  clock.forward(FRESH_FOR + 1)
  await page.goto('/profile')
  assert.equal(pathOf(page), '/profile')
  assert.equal(await page.textContent('#profile-login'), 'not fresh (you typed your password more than 5 minutes ago)')
  await page.goto('/settings/password')
  assert.equal(pathOf(page), '/reauth?next=%2Fsettings%2Fpassword')
})

e2eTest('ending another device after the fresh window asks for the password first', async ({ newContext }) => {
  const a = await loggedIn(newContext, FIREFOX_ON_WINDOWS)
  const b = await loggedIn(newContext, SAFARI_ON_IPHONE)
  clock.forward(FRESH_FOR + 1)

  await a.goto('/settings/devices')
  assert.equal(pathOf(a), '/settings/devices', 'listing the devices needs only a login')
  const bId = await a.getAttribute('#devices tbody tr:not([data-current])', 'data-session')
  assert.ok(bId)
  await endSession(a, 'Safari on iPhone')
  assert.equal(pathOf(a), `/reauth?next=${encodeURIComponent(`/settings/devices/${bId}/end`)}`)
  assert.deepEqual(await flashes(a), [NEEDS_PASSWORD])
  await b.goto('/profile')
  assert.equal(pathOf(b), '/profile', 'B is still logged in')

  await confirmPassword(a)
  assert.equal(pathOf(a), `/settings/devices/${bId}/end`)
  assert.equal(await a.textContent('main .device-browser'), 'Safari on iPhone')
  await clickAndWait(a, '#confirm-end')
  assert.equal(pathOf(a), '/settings/devices')
  assert.deepEqual(await flashes(a), ['Logged out Safari on iPhone (127.0.0.1).'])

  await clickAndWait(b, 'nav a[href="/"]')
  assert.equal(await b.textContent('#greeting'), 'Hello, anonymous visitor!')
  await clickAndWait(b, 'nav a[href="/profile"]')
  assert.equal(pathOf(b), '/login?next=%2Fprofile')
})

e2eTest('"Log out all other devices" after the fresh window asks for the password first', async ({ newContext }) => {
  const a = await loggedIn(newContext, FIREFOX_ON_WINDOWS)
  const b = await loggedIn(newContext, CHROME_ON_ANDROID)
  clock.forward(FRESH_FOR + 1)

  await a.goto('/settings/devices')
  await clickAndWait(a, '#log-out-others')
  assert.equal(pathOf(a), '/reauth?next=%2Fsettings%2Fdevices%2Flog-out-others')
  assert.deepEqual(await flashes(a), [NEEDS_PASSWORD])
  await b.goto('/profile')
  assert.equal(pathOf(b), '/profile', 'B is still logged in')

  await confirmPassword(a)
  assert.equal(pathOf(a), '/settings/devices/log-out-others')
  await clickAndWait(a, '#log-out-others')
  assert.equal(pathOf(a), '/settings/devices')
  assert.deepEqual(await flashes(a), ['Logged out 1 other device. This device stays logged in.'])

  await clickAndWait(b, 'nav a[href="/profile"]')
  assert.equal(pathOf(b), '/login?next=%2Fprofile')
})
