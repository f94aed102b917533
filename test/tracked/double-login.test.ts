// A login form submitted twice in one browser (issue 19, item 11) leaves no orphan entry: memory
// store, on the suite's engine (FASTIFY_LOGIN_ENGINE). The Redis store: test/redis/double-login.test.ts.
import { test, type TestContext } from 'node:test'
import { memorySessionStore } from 'fastify-login'
import { ENGINE } from '../helpers/app.js'
import { doubleLoginApp, doubleLoginWhileAnonymous, doubleLoginWhileLoggedIn } from '../helpers/double-login.js'

test('a login posted twice at once from a browser with a session cookie leaves one tracked session, and either answer logs in', async (t: TestContext) => {
  const setup = await doubleLoginApp(t, ENGINE, memorySessionStore())
  await doubleLoginWhileAnonymous(t, setup, 'plain', false)
  await doubleLoginWhileAnonymous(t, setup, 'remembered', true)
})

test('a logged-in browser posting the login twice at once: its session is replaced once, by one entry', async (t: TestContext) => {
  await doubleLoginWhileLoggedIn(t, await doubleLoginApp(t, ENGINE, memorySessionStore()), 'again')
})
