// The JSON API: bearer tokens from POST /api/token, read by the app's requestLoader.
import assert from 'node:assert/strict'
import type { APIResponse } from 'playwright-core'
import { e2eTest } from '../helpers/e2e/e2e-test.js'
import { alice, carol, clickAndWait, logIn } from '../helpers/e2e/flows.js'

const UNAUTHORIZED = {
  statusCode: 401,
  code: 'FST_LOGIN_UNAUTHORIZED',
  error: 'Unauthorized',
  message: 'Please log in to access this page.'
}

function assertNoCookie (response: APIResponse): void {
  const setCookie = response.headersArray().filter((header) => header.name.toLowerCase() === 'set-cookie')
  assert.deepEqual(setCookie, [], `${response.url()} set no cookie`)
}

e2eTest('the API answers 401 JSON without a token and the user with one', async ({ newContext }) => {
  const context = await newContext()
  const page = await context.newPage()
  const api = context.request

  // a browser opening the API is not redirected to the login page
  const opened = await page.goto('/api/me')
  assert.equal(opened?.status(), 401)
  assert.equal(new URL(page.url()).pathname, '/api/me')
  assert.deepEqual(await opened?.json(), UNAUTHORIZED)

  const anonymous = await api.get('/api/me', { maxRedirects: 0 })
  assert.equal(anonymous.status(), 401)
  assert.match(anonymous.headers()['content-type'] ?? '', /^application\/json/)
  assert.deepEqual(await anonymous.json(), UNAUTHORIZED)

  for (const authorization of ['Bearer not-a-token', 'Bearer ', 'Basic YWxpY2U6d29uZGVybGFuZC00Mg==']) {
    const bad = await api.get('/api/me', { headers: { authorization }, maxRedirects: 0 })
    assert.equal(bad.status(), 401, authorization)
    assert.deepEqual(await bad.json(), UNAUTHORIZED)
  }

  const refused = await api.post('/api/token', { data: { username: alice.username, password: 'wrong' } })
  assert.equal(refused.status(), 401)
  assert.deepEqual(await refused.json(), { statusCode: 401, code: 'INVALID_CREDENTIALS', error: 'Unauthorized', message: 'Invalid username or password.' })
  const deactivated = await api.post('/api/token', { data: { username: carol.username, password: carol.password } })
  assert.equal(deactivated.status(), 401)
  const malformed = await api.post('/api/token', { data: { username: alice.username } })
  assert.equal(malformed.status(), 400)

  const issued = await api.post('/api/token', { data: { username: alice.username, password: alice.password } })
  assert.equal(issued.status(), 200)
  const { token } = await issued.json() as { token: string }
  assert.match(token, /^[\w.-]+$/)
  assertNoCookie(issued)

  const me = await api.get('/api/me', { headers: { authorization: `Bearer ${token}` } })
  assert.equal(me.status(), 200)
  assert.deepEqual(await me.json(), { id: 1, username: alice.username, displayName: alice.displayName })
  assertNoCookie(me) // a token request leaves no session behind

  const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA')
  const forged = await api.get('/api/me', { headers: { authorization: `Bearer ${tampered}` } })
  assert.equal(forged.status(), 401)
  assert.deepEqual(await context.cookies(), [], 'the browser holds no cookie after the API calls')
})

e2eTest('changing the password revokes API tokens issued before', async ({ newContext }) => {
  const context = await newContext()
  const api = context.request
  const issued = await api.post('/api/token', { data: { username: alice.username, password: alice.password } })
  const { token } = await issued.json() as { token: string }
  const headers = { authorization: `Bearer ${token}` }
  assert.equal((await api.get('/api/me', { headers })).status(), 200)

  const page = await context.newPage()
  await logIn(page, alice.username, alice.password)
  await page.goto('/settings/password')
  await page.fill('#password', 'a-brand-new-password')
  await page.fill('#confirm', 'a-brand-new-password')
  await clickAndWait(page, 'main form button[type=submit]')
  assert.equal(new URL(page.url()).pathname, '/profile')

  const other = (await newContext()).request // no session cookie: only the token counts
  const revoked = await other.get('/api/me', { headers })
  assert.equal(revoked.status(), 401)
  assert.deepEqual(await revoked.json(), UNAUTHORIZED)
})
