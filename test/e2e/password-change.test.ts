// Changing the password ends every other login of the user, and keeps this one.
import assert from 'node:assert/strict'
import { e2eTest } from '../helpers/e2e/e2e-test.js'
import { alice, clickAndWait, deviceRows, flashes, logIn, pathOf, reopenBrowser } from '../helpers/e2e/flows.js'

const NEW_PASSWORD = 'through-the-looking-glass'

e2eTest('changing the password in one browser logs out a second browser of the same user', async ({ newContext }) => {
  const laptopContext = await newContext()
  const laptop = await laptopContext.newPage()
  const phoneContext = await newContext()
  const phone = await phoneContext.newPage()
  await logIn(laptop, alice.username, alice.password, { remember: true })
  await logIn(phone, alice.username, alice.password, { remember: true })
  await phone.goto('/profile')
  assert.equal(pathOf(phone), '/profile')

  await laptop.goto('/settings/password')
  assert.equal(pathOf(laptop), '/settings/password', 'a fresh login opens the page directly')
  await laptop.fill('#password', NEW_PASSWORD)
  await laptop.fill('#confirm', 'a different one')
  await clickAndWait(laptop, 'main form button[type=submit]')
  assert.deepEqual(await flashes(laptop), ['The two passwords differ.'])

  await laptop.fill('#password', NEW_PASSWORD)
  await laptop.fill('#confirm', NEW_PASSWORD)
  await clickAndWait(laptop, 'main form button[type=submit]')
  assert.equal(pathOf(laptop), '/profile', 'this browser stays logged in')
  assert.deepEqual(await flashes(laptop), ['Password changed. Your other browsers have been logged out.'])
  await laptop.reload()
  assert.equal(pathOf(laptop), '/profile')
  // the phone's session is gone from the devices page too, and the laptop's was kept (not doubled)
  await laptop.goto('/settings/devices')
  assert.deepEqual((await deviceRows(laptop)).map(({ current }) => current), [true])
  // its remember cookie was issued again with the new hash: it outlives a browser restart
  const laptopAgain = await (await reopenBrowser(laptopContext, newContext)).newPage()
  await laptopAgain.goto('/profile')
  assert.equal(pathOf(laptopAgain), '/profile', 'the remember cookie of the browser that changed the password still works')

  // the other browser's session and its remember cookie both stopped working
  await phone.reload()
  assert.equal(pathOf(phone), '/login?next=%2Fprofile')
  const reopened = await (await reopenBrowser(phoneContext, newContext)).newPage()
  await reopened.goto('/profile')
  assert.equal(pathOf(reopened), '/login?next=%2Fprofile', 'the old remember cookie no longer logs in')

  // the old password is refused, the new one works
  await logIn(reopened, alice.username, alice.password)
  assert.deepEqual(await flashes(reopened), ['Invalid username or password.'])
  await logIn(reopened, alice.username, NEW_PASSWORD)
  assert.equal(pathOf(reopened), '/')
  assert.equal(await reopened.textContent('#greeting'), `Hello, ${alice.displayName}!`)
})

e2eTest('the password page needs a login', async ({ newPage }) => {
  const page = await newPage()
  await page.goto('/settings/password')
  assert.equal(pathOf(page), '/login?next=%2Fsettings%2Fpassword')
  await logIn(page, alice.username, alice.password, { next: '/settings/password' })
  assert.equal(pathOf(page), '/settings/password')
})
