// examples/flask-side-by-side in Chromium: Flask and Fastify behind one proxy share the login.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startSideBySide } from '../../examples/flask-side-by-side/server.js'
import { launchChromium } from '../helpers/e2e/browser.js'

test('log in on the Flask side, use the Fastify side, log out there, and Flask sees it', async (t) => {
  const running = await startSideBySide(0, 'the example secret key')
  t.after(() => running.close())
  const browser = await launchChromium()
  t.after(() => browser.close())
  const page = await browser.newPage()
  await page.goto(`${running.url}/legacy/`)
  assert.equal(await page.textContent('#who'), 'anonymous')
  await page.fill('input[name=username]', 'alice')
  await Promise.all([page.waitForURL(`${running.url}/legacy/`), page.click('#login')])
  assert.equal(await page.textContent('#who'), 'Alice')
  await Promise.all([page.waitForURL(`${running.url}/`), page.click('#to-fastify')])
  assert.equal(await page.textContent('#who'), 'Alice')
  assert.equal(await page.textContent('#visits'), '2', 'the Flask app\'s own key, read by Fastify')
  await Promise.all([page.waitForURL(`${running.url}/`), page.click('#logout')])
  assert.equal(await page.textContent('#who'), 'anonymous')
  await Promise.all([page.waitForURL(`${running.url}/legacy/`), page.click('#to-flask')])
  assert.equal(await page.textContent('#who'), 'anonymous')
  await page.fill('input[name=username]', 'bob')
  await Promise.all([page.waitForURL(`${running.url}/legacy/`), page.click('#login')])
  await Promise.all([page.waitForURL(`${running.url}/`), page.click('#to-fastify')])
  assert.equal(await page.textContent('#who'), 'Bob')
})
