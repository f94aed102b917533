// Logging in and out, protected pages, and where a login may send the browser next.
import assert from 'node:assert/strict'
import { e2eTest } from '../helpers/e2e/e2e-test.js'
import { alice, bob, carol, clickAndWait, cookieNamed, flashes, logIn, pathOf, REMEMBER_COOKIE, SESSION_COOKIE } from '../helpers/e2e/flows.js'

e2eTest('logs in and out', async ({ newPage }) => {
  const page = await newPage()
  await page.goto('/')
  assert.equal(await page.textContent('#greeting'), 'Hello, anonymous visitor!')

  await clickAndWait(page, 'nav a[href="/login"]')
  assert.equal(pathOf(page), '/login')
  await logIn(page, alice.username, alice.password)
  assert.equal(pathOf(page), '/')
  assert.equal(await page.textContent('#greeting'), `Hello, ${alice.displayName}!`)
  assert.deepEqual(await flashes(page), [`Welcome, ${alice.displayName}!`])
  assert.ok(await cookieNamed(page.context(), SESSION_COOKIE), 'a session cookie after logging in')
  assert.equal(await cookieNamed(page.context(), REMEMBER_COOKIE), undefined, 'no remember cookie without "remember me"')

  await page.goto('/profile')
  assert.equal(pathOf(page), '/profile')
  assert.equal(await page.textContent('#profile-username'), alice.username)

  await clickAndWait(page, 'nav button:has-text("Log out")')
  assert.equal(pathOf(page), '/')
  assert.deepEqual(await flashes(page), ['You have been logged out.'])
  assert.equal(await page.textContent('#greeting'), 'Hello, anonymous visitor!')
  await page.goto('/profile')
  assert.equal(pathOf(page), '/login?next=%2Fprofile', 'logged out: the profile asks for a login again')
})

e2eTest('a wrong password and a deactivated account are refused with a message', async ({ newPage }) => {
  const page = await newPage()
  await logIn(page, alice.username, 'not-her-password')
  assert.equal(pathOf(page), '/login')
  assert.deepEqual(await flashes(page), ['Invalid username or password.'])

  await logIn(page, 'nobody', 'whatever')
  assert.deepEqual(await flashes(page), ['Invalid username or password.'])

  await logIn(page, carol.username, carol.password)
  assert.equal(pathOf(page), '/login')
  assert.deepEqual(await flashes(page), ['This account is deactivated.'])
  await page.goto('/')
  assert.equal(await page.textContent('#greeting'), 'Hello, anonymous visitor!')
})

e2eTest('a protected page sends an anonymous visitor to the login page and back after logging in', async ({ newPage }) => {
  const page = await newPage()
  await page.goto('/profile')
  assert.equal(pathOf(page), '/login?next=%2Fprofile')
  assert.deepEqual(await flashes(page), ['Please log in to access this page.'])

  // the login form posts to itself with `next` kept
  await page.fill('#username', bob.username)
  await page.fill('#password', bob.password)
  await clickAndWait(page, 'main form button[type=submit]')
  assert.equal(pathOf(page), '/profile')
  assert.equal(await page.textContent('#profile-name'), bob.displayName)
})

const HOSTILE_NEXT = ['//evil.example', 'https://evil.example', '/\\evil.example', 'https://evil.example@127.0.0.1/']

e2eTest('a hostile next lands on the home page after logging in', async ({ newContext, baseURL }) => {
  for (const hostile of HOSTILE_NEXT) {
    const context = await newContext()
    const offSite: string[] = []
    await context.route((url) => url.origin !== baseURL, async (route) => {
      offSite.push(route.request().url())
      await route.abort()
    })
    const page = await context.newPage()
    await logIn(page, alice.username, alice.password, { next: hostile })
    assert.equal(page.url(), `${baseURL}/`, `next=${hostile}`)
    assert.equal(await page.textContent('#greeting'), `Hello, ${alice.displayName}!`)
    assert.deepEqual(offSite, [], `next=${hostile}: the browser never left the site`)
    await context.close()
  }
})
