// `e2eTest(name, fn)`: a node:test test with a fresh example app and browser contexts.
// When the test fails, every page it opened is saved to test-results/<test-name>[-n].png.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core'
import { launchChromium } from './browser.js'
import { startExampleApp, type ExampleAppOptions } from './app-server.js'

export const RESULTS_DIR = join(__dirname, '..', '..', '..', 'test-results')
const ACTION_TIMEOUT = 20_000
const TEST_TIMEOUT = 120_000

let browser: Promise<Browser> | undefined
function sharedBrowser (): Promise<Browser> {
  browser ??= launchChromium()
  return browser
}
after(async () => {
  if (browser !== undefined) await (await browser.catch(() => null))?.close()
})

export interface E2E {
  /** Origin of the running example app, e.g. http://127.0.0.1:40123 */
  baseURL: string
  browser: Browser
  /** A new, empty browser context (a separate "browser" with its own cookies). */
  newContext (options?: BrowserContextOptions): Promise<BrowserContext>
  /** A page in a new context. */
  newPage (): Promise<Page>
}

function fileName (name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 100)
}

async function saveScreenshots (name: string, contexts: BrowserContext[]): Promise<void> {
  const pages = contexts.flatMap((context) => context.pages())
  await mkdir(RESULTS_DIR, { recursive: true })
  await Promise.all(pages.map(async (page, i) => {
    const path = join(RESULTS_DIR, `${fileName(name)}${i === 0 ? '' : `-${i + 1}`}.png`)
    try {
      await page.screenshot({ path, fullPage: true, timeout: 5_000 })
      console.error(`# screenshot of ${page.url()} saved to ${path}`)
    } catch (err) {
      console.error(`# could not save a screenshot of ${page.url()}: ${(err as Error).message}`)
    }
  }))
}

export interface E2EOptions {
  /** Options of the example app (e.g. `redisUrl`), or a function that gives them once the test starts. */
  app?: ExampleAppOptions | (() => ExampleAppOptions)
}

export function e2eTest (name: string, fn: (e2e: E2E) => Promise<void>, options: E2EOptions = {}): void {
  test(name, { timeout: TEST_TIMEOUT }, async () => {
    const chromium = await sharedBrowser()
    const app = await startExampleApp(typeof options.app === 'function' ? options.app() : options.app)
    const contexts: BrowserContext[] = []
    const newContext = async (options?: BrowserContextOptions) => {
      const context = await chromium.newContext({ baseURL: app.baseURL, ...options })
      context.setDefaultTimeout(ACTION_TIMEOUT)
      contexts.push(context)
      return context
    }
    try {
      await fn({
        baseURL: app.baseURL,
        browser: chromium,
        newContext,
        newPage: async () => (await newContext()).newPage()
      })
    } catch (err) {
      await saveScreenshots(name, contexts)
      throw err
    } finally {
      await Promise.all(contexts.map((context) => context.close()))
      await app.close()
    }
  })
}
