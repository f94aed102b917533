// "Remember me": what survives closing the browser, and what a restored login may do.
import assert from 'node:assert/strict'
import { REMEMBER_DURATION } from '../../examples/app/app.js'
import { e2eTest } from '../helpers/e2e/e2e-test.js'
import { alice, clickAndWait, cookieNamed, flashes, logIn, pathOf, REMEMBER_COOKIE, reopenBrowser, SESSION_COOKIE } from '../helpers/e2e/flows.js'

e2eTest('remember me survives closing the browser, and the restored login must re-authenticate for the password page', async ({ newContext }) => {
  const first = await newContext()
  const page = await first.newPage()
  await logIn(page, alice.username, alice.password, { remember: true })
  assert.equal(pathOf(page), '/')

  const session = await cookieNamed(first, SESSION_COOKIE)
  assert.equal(session?.expires, -1, 'the session cookie ends with the browser')
  const remember = await cookieNamed(first, REMEMBER_COOKIE)
  assert.ok(remember, 'a remember cookie was set')
  assert.equal(remember.httpOnly, true)
  assert.equal(remember.sameSite, 'Lax')
  const lifetime = remember.expires - Date.now() / 1000
  assert.ok(lifetime > REMEMBER_DURATION - 3600 && lifetime <= REMEMBER_DURATION + 60, `remember cookie lives ${REMEMBER_DURATION} s (got ${lifetime})`)

  const second = await reopenBrowser(first, newContext)
  assert.deepEqual((await second.cookies()).map((cookie) => cookie.name), [REMEMBER_COOKIE], 'only the remember cookie survived')
  const again = await second.newPage()
  await again.goto('/profile')
  assert.equal(pathOf(again), '/profile', 'logged in again from the remember cookie')
  assert.equal(await again.textContent('#profile-username'), alice.username)
  assert.match(await again.textContent('#profile-login') ?? '', /^not fresh/)

  // a remembered login is not fresh: the password page asks for the password first
  await again.goto('/settings/password')
  assert.equal(pathOf(again), '/reauth?next=%2Fsettings%2Fpassword')
  assert.deepEqual(await flashes(again), ['Please confirm your password to open this page.'])

  await again.fill('#password', 'wrong-password')
  await clickAndWait(again, 'main form button[type=submit]')
  assert.equal(pathOf(again), '/reauth?next=%2Fsettings%2Fpassword')
  assert.deepEqual(await flashes(again), ['That password is not right.'])

  await again.fill('#password', alice.password)
  await clickAndWait(again, 'main form button[type=submit]')
  assert.equal(pathOf(again), '/settings/password', 'back to the page that asked, now fresh')
  assert.deepEqual(await flashes(again), ['Thanks, your login is fresh again.'])
  await again.goto('/profile')
  assert.match(await again.textContent('#profile-login') ?? '', /^fresh/)
})

e2eTest('without remember me, closing the browser logs the user out', async ({ newContext }) => {
  const first = await newContext()
  const page = await first.newPage()
  await logIn(page, alice.username, alice.password)
  await page.goto('/profile')
  assert.equal(pathOf(page), '/profile')
  assert.equal(await cookieNamed(first, REMEMBER_COOKIE), undefined)

  const second = await reopenBrowser(first, newContext)
  assert.deepEqual(await second.cookies(), [], 'no cookie outlives the browser')
  const again = await second.newPage()
  await again.goto('/profile')
  assert.equal(pathOf(again), '/login?next=%2Fprofile')
  await again.goto('/')
  assert.equal(await again.textContent('#greeting'), 'Hello, anonymous visitor!')
})

e2eTest('logging out clears the remember cookie too', async ({ newContext }) => {
  const first = await newContext()
  const page = await first.newPage()
  await logIn(page, alice.username, alice.password, { remember: true })
  assert.ok(await cookieNamed(first, REMEMBER_COOKIE))
  await clickAndWait(page, 'nav button:has-text("Log out")')
  assert.equal(await cookieNamed(first, REMEMBER_COOKIE), undefined)

  const again = await (await reopenBrowser(first, newContext)).newPage()
  await again.goto('/')
  assert.equal(await again.textContent('#greeting'), 'Hello, anonymous visitor!')
})
