// The devices page's live element: the page keeps a WebSocket open, and when this browser's session
// is ended from elsewhere (another device's devices page, a second tab's logout, a password
// change) fastify-login closes it (code 3000, the reason word) and the page says "You were signed
// out" by itself: nothing is clicked in that browser. Without JavaScript the page works as before.
import assert from 'node:assert/strict'
import type { BrowserContext } from 'playwright-core'
import WebSocket from 'ws'
import { e2eTest, type E2E } from '../helpers/e2e/e2e-test.js'
import {
  alice, clickAndWait, deviceRows, endSession, flashes, logIn, openLiveDevicesPage, pathOf, signedOutNotice, submitLogin
} from '../helpers/e2e/flows.js'
import { FIREFOX_ON_WINDOWS, SAFARI_ON_IPHONE } from '../helpers/e2e/user-agents.js'

const NEW_PASSWORD = 'through-the-looking-glass'
const LIVE = '/settings/devices/live'

async function deviceAs (newContext: E2E['newContext'], userAgent: string, options: { javaScriptEnabled?: boolean } = {}) {
  const context = await newContext({ userAgent, ...options })
  const page = await context.newPage()
  await logIn(page, alice.username, alice.password)
  assert.equal(pathOf(page), '/')
  return { context, page }
}

e2eTest('device A\'s open devices page says "You were signed out" when device B ends A\'s session, without a click in A', async ({ newContext }) => {
  const a = await deviceAs(newContext, FIREFOX_ON_WINDOWS)
  await openLiveDevicesPage(a.page)
  assert.equal(await a.page.locator('#live-status').isVisible(), false, 'nothing shown while the session lives')

  const b = await deviceAs(newContext, SAFARI_ON_IPHONE)
  await b.page.goto('/settings/devices')
  await endSession(b.page, 'Firefox on Windows')
  assert.deepEqual(await flashes(b.page), ['Logged out Firefox on Windows (127.0.0.1).'])

  const notice = await signedOutNotice(a.page)
  assert.equal(notice.reason, 'revoked')
  assert.match(notice.text, /^You were signed out: this session was ended from another device/)
  assert.equal(notice.loginAgain, '/login?next=%2Fsettings%2Fdevices')
  assert.equal(pathOf(a.page), '/settings/devices', 'A did not navigate')
  assert.deepEqual(await a.page.locator('main form button').evaluateAll((buttons) => buttons.map((button) => (button as { disabled: boolean }).disabled)), [true], 'its "Log out" button')

  // "Log in again" brings A back to its devices page, live again
  await clickAndWait(a.page, '#live-status a')
  assert.equal(pathOf(a.page), '/login?next=%2Fsettings%2Fdevices')
  await submitLogin(a.page, alice.username, alice.password)
  assert.equal(pathOf(a.page), '/settings/devices')
  await a.page.locator('#live-status[data-live="open"]').waitFor({ state: 'attached' })
  assert.equal(await a.page.locator('#live-status').isVisible(), false)
})

e2eTest('a logout in a second tab: the first tab\'s devices page says "You were signed out"', async ({ newContext }) => {
  const { context, page: first } = await deviceAs(newContext, FIREFOX_ON_WINDOWS)
  await openLiveDevicesPage(first)
  const second = await context.newPage()
  await second.goto('/')
  await clickAndWait(second, 'nav form button[type=submit]')
  assert.equal(await second.textContent('#greeting'), 'Hello, anonymous visitor!')

  const notice = await signedOutNotice(first)
  assert.equal(notice.reason, 'logout')
  assert.match(notice.text, /^You were signed out: you logged out in another tab or window\./)
  assert.equal(pathOf(first), '/settings/devices')
})

e2eTest('a password change in another browser: the devices page says "You were signed out"', async ({ newContext }) => {
  const a = await deviceAs(newContext, FIREFOX_ON_WINDOWS)
  await openLiveDevicesPage(a.page)
  const b = await deviceAs(newContext, SAFARI_ON_IPHONE)
  await b.page.goto('/settings/password')
  await b.page.fill('#password', NEW_PASSWORD)
  await b.page.fill('#confirm', NEW_PASSWORD)
  await clickAndWait(b.page, 'main form button[type=submit]')
  assert.deepEqual(await flashes(b.page), ['Password changed. Your other browsers have been logged out.'])

  assert.equal((await signedOutNotice(a.page)).reason, 'revoked')
})

e2eTest('a session ended before the page\'s socket opened: the refused socket still ends in "You were signed out"', async ({ newContext }) => {
  const a = await deviceAs(newContext, FIREFOX_ON_WINDOWS)
  // the page's script is held until B has ended A's session
  let requested: () => void = () => {}
  const scriptRequested = new Promise<void>((resolve) => { requested = resolve })
  let release: () => void = () => {}
  const released = new Promise<void>((resolve) => { release = resolve })
  await a.page.route('**/assets/devices-live.js', async (route) => {
    requested()
    await released
    await route.continue()
  })
  await a.page.goto('/settings/devices', { waitUntil: 'commit' })
  await scriptRequested

  const b = await deviceAs(newContext, SAFARI_ON_IPHONE)
  await b.page.goto('/settings/devices')
  await endSession(b.page, 'Firefox on Windows')
  release()

  const notice = await signedOutNotice(a.page)
  assert.equal(notice.reason, '', 'a refused socket carries no reason: the page asked the server whether it is still logged in')
  assert.equal(notice.text, 'You were signed out: your session ended. Log in again')
})

e2eTest('without JavaScript the devices page works as before and shows no live element', async ({ newContext }) => {
  const a = await deviceAs(newContext, FIREFOX_ON_WINDOWS, { javaScriptEnabled: false })
  const b = await deviceAs(newContext, SAFARI_ON_IPHONE)
  await a.page.goto('/settings/devices')
  assert.equal((await deviceRows(a.page)).length, 2)
  assert.equal(await a.page.locator('#live-status').isVisible(), false)
  await endSession(a.page, 'Safari on iPhone')
  assert.deepEqual(await flashes(a.page), ['Logged out Safari on iPhone (127.0.0.1).'])
  await clickAndWait(b.page, 'nav a[href="/profile"]')
  assert.equal(pathOf(b.page), '/login?next=%2Fprofile')
})

/** How a WebSocket to the live route, with `context`'s cookies and an Origin header, ends: its HTTP status, or 101 when it opened. */
async function upgradeStatus (baseURL: string, context: BrowserContext | null, origin: string): Promise<number> {
  const cookie = context === null ? '' : (await context.cookies()).map(({ name, value }) => `${name}=${value}`).join('; ')
  const socket = new WebSocket(baseURL.replace(/^http/, 'ws') + LIVE, { origin, headers: cookie === '' ? {} : { cookie } })
  socket.on('error', () => {}) // the handshake aborted below
  const closed = new Promise((resolve) => { socket.once('close', resolve) })
  const status = await new Promise<number>((resolve) => {
    socket.once('open', () => resolve(101))
    socket.once('unexpected-response', (_request, response) => { response.resume(); resolve(response.statusCode ?? 0) })
  })
  socket.terminate()
  await closed
  return status
}

e2eTest('the live socket opens for the logged-in browser of this site only: another site\'s page gets 403, an anonymous one 401', async ({ baseURL, newContext }) => {
  const { context } = await deviceAs(newContext, FIREFOX_ON_WINDOWS)
  assert.equal(await upgradeStatus(baseURL, context, baseURL), 101)
  assert.equal(await upgradeStatus(baseURL, context, 'http://evil.example'), 403)
  assert.equal(await upgradeStatus(baseURL, null, baseURL), 401)
})
