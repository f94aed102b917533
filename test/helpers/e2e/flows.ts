// What a person does in the example app, as reusable steps.
import assert from 'node:assert/strict'
import type { BrowserContext, Cookie, Page } from 'playwright-core'
import { SEED_USERS } from '../../../examples/app/seed-users.js'

export const SESSION_COOKIE = 'session'
export const REMEMBER_COOKIE = 'remember_token'

function seeded (username: string) {
  const user = SEED_USERS.find((u) => u.username === username)
  assert.ok(user, `no seeded user ${username}`)
  return user
}

export const alice = seeded('alice')
export const bob = seeded('bob')
export const carol = seeded('carol')

/** Clicks `selector` (a submit button or link) and waits until the next document has loaded. */
export async function clickAndWait (page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.click(selector)])
}

/** Fills and submits the login form the page is on, then waits for the next page. */
export async function submitLogin (page: Page, username: string, password: string, { remember = false } = {}): Promise<void> {
  await page.fill('#username', username)
  await page.fill('#password', password)
  await page.setChecked('#remember', remember)
  await clickAndWait(page, 'main form button[type=submit]')
}

/** Opens /login (with `next` when given) and logs in. */
export async function logIn (page: Page, username: string, password: string, options: { remember?: boolean, next?: string } = {}): Promise<void> {
  const path = options.next === undefined ? '/login' : `/login?next=${encodeURIComponent(options.next)}`
  await page.goto(path)
  await submitLogin(page, username, password, options)
}

/** The page's flashed messages, in order. */
export async function flashes (page: Page): Promise<string[]> {
  return (await page.locator('.flash').allTextContents()).map((text) => text.trim())
}

/** Path and query of the page's URL. */
export function pathOf (page: Page): string {
  const url = new URL(page.url())
  return url.pathname + url.search
}

export async function cookieNamed (context: BrowserContext, name: string): Promise<Cookie | undefined> {
  return (await context.cookies()).find((cookie) => cookie.name === name)
}

/**
 * "Closes the browser and opens it again": a new context that keeps only the
 * persistent cookies (those with an expiry) of `context`; session cookies are gone.
 */
export async function reopenBrowser (context: BrowserContext, newContext: () => Promise<BrowserContext>): Promise<BrowserContext> {
  const persistent = (await context.cookies()).filter((cookie) => cookie.expires !== -1)
  await context.close()
  const reopened = await newContext()
  if (persistent.length > 0) await reopened.addCookies(persistent)
  return reopened
}

export interface DeviceRow {
  browser: string
  ip: string
  current: boolean
  /** The badges shown beside the browser, e.g. ['this device', 'remembered']. */
  badges: string[]
  times: string[]
}

/** The rows of the devices page the page is on, top to bottom. */
export async function deviceRows (page: Page): Promise<DeviceRow[]> {
  const rows = page.locator('#devices tbody tr')
  const out: DeviceRow[] = []
  for (const row of await rows.all()) {
    out.push({
      browser: (await row.locator('.device-browser').textContent() ?? '').trim(),
      ip: (await row.locator('.device-ip').textContent() ?? '').trim(),
      current: await row.getAttribute('data-current') !== null,
      badges: (await row.locator('.badge').allTextContents()).map((text) => text.trim()),
      times: (await row.locator('time').allTextContents()).map((text) => text.trim())
    })
  }
  return out
}

/** Clicks the button that ends the session of the row showing `browser`, and waits for the next page. */
export async function endSession (page: Page, browser: string): Promise<void> {
  await clickAndWait(page, `#devices tbody tr:has(.device-browser:text-is("${browser}")) button.end-session`)
}

/** A generous bound on waiting for what the server pushes: a guard against a hang, not a measure of speed. */
const PUSH_HANG_GUARD = 60_000

/** Opens the devices page and waits until its live element's WebSocket is open (the session is bound to it). */
export async function openLiveDevicesPage (page: Page): Promise<void> {
  await page.goto('/settings/devices')
  await page.locator('#live-status[data-live="open"]').waitFor({ state: 'attached', timeout: PUSH_HANG_GUARD })
}

export interface SignedOutNotice {
  text: string
  /** The close reason the page was given ('' when it learned it from a 401). */
  reason: string
  /** Where its "Log in again" link goes. */
  loginAgain: string | null
}

/** Waits until the page says "You were signed out" by itself, and reads what it says. */
export async function signedOutNotice (page: Page): Promise<SignedOutNotice> {
  const notice = page.locator('#live-status', { hasText: 'You were signed out' })
  await notice.waitFor({ state: 'visible', timeout: PUSH_HANG_GUARD })
  return {
    text: (await notice.textContent() ?? '').trim(),
    reason: await notice.getAttribute('data-reason') ?? '',
    loginAgain: await notice.locator('a').getAttribute('href')
  }
}
