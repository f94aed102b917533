// Remember me per tracked session (API.md "Tracked sessions", remember-cookie rule): a random
// token per session, only its hash stored, rotated on each restore, rotationGrace for parallel
// tabs, theft detection. Memory store, fake clock, both engines.
import { test, type TestContext } from 'node:test'
import { advance, installClock, isDeletion, REMEMBER, setCookie } from '../helpers/remember.js'
import { memorySessionStore, type SessionStore } from 'fastify-login'
import { devices, sessionsApp } from '../helpers/tracked-sessions.js'

/** The random token inside a remember cookie (the signed payload is base64url JSON). */
function tokenOf (cookie: string): string {
  const payload = JSON.parse(Buffer.from(cookie.split('.')[0] as string, 'base64url').toString()) as { t: string }
  return payload.t
}

async function rememberedApp (t: TestContext, options: Record<string, unknown> = {}) {
  const built = await sessionsApp(t, {}, options)
  const owner = built.browser()
  await owner.request({ method: 'POST', url: '/login/1?remember=1' })
  const cookie = owner.jar.get(REMEMBER) as string
  return { ...built, owner, cookie }
}

test('each restore through the remember cookie sends a new token and keeps the session', async (t: TestContext) => {
  installClock(t)
  const { owner, cookie, entries } = await rememberedApp(t)
  const [entry] = await entries('1')
  owner.jar.closeBrowser()
  const restored = await owner.request('/whoami')
  t.assert.deepStrictEqual(restored.json(), { name: 'Notch', fresh: false, remembered: true, anonymous: false })
  const rotated = setCookie(restored, REMEMBER)
  t.assert.ok(rotated !== undefined && !isDeletion(rotated))
  t.assert.notStrictEqual(tokenOf(rotated.value), tokenOf(cookie))
  const [after] = await entries('1')
  t.assert.strictEqual(after?.id, entry?.id)
  t.assert.notStrictEqual(after?.rememberHash, entry?.rememberHash)
  t.assert.strictEqual(after?.previousRememberHash, entry?.rememberHash)
  // the new token restores again (and rotates again)
  owner.jar.closeBrowser()
  const again = await owner.request('/whoami')
  t.assert.strictEqual(again.json().name, 'Notch')
  t.assert.notStrictEqual(setCookie(again, REMEMBER)?.value, rotated.value)
})

test('two parallel restores with one cookie both get the user', async (t: TestContext) => {
  const { app, cookie, entries } = await rememberedApp(t)
  const [first, second] = await Promise.all([1, 2].map(() => app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie } })))
  t.assert.strictEqual(first?.json().name, 'Notch')
  t.assert.strictEqual(second?.json().name, 'Notch')
  t.assert.strictEqual((await entries('1')).length, 1)
})

test('the previous token logs in for rotationGrace seconds without a new token; after that it is theft', async (t: TestContext) => {
  const clock = installClock(t)
  const { app, browser, cookie, entries } = await rememberedApp(t, { rememberCookie: { rotationGrace: 10 } })
  const thefts: string[] = []
  app.loginManager.on('rememberTheft', (_request, user) => thefts.push((user as unknown as { name: string }).name))
  const other = browser()
  await other.request({ method: 'POST', url: '/login/1' }) // another device of the same user
  // the owner restores: the token rotates
  const owner = browser()
  owner.jar.set(REMEMBER, cookie)
  t.assert.strictEqual((await owner.request('/whoami')).json().name, 'Notch')
  // a parallel tab with the old cookie, 9 s later: still logged in, and no new token is sent
  advance(clock, 9)
  const tab = await app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie } })
  t.assert.strictEqual(tab.json().name, 'Notch')
  t.assert.strictEqual(setCookie(tab, REMEMBER), undefined)
  // the old cookie after the grace: theft
  advance(clock, 2)
  const thief = await app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie } })
  t.assert.strictEqual(thief.json().anonymous, true)
  t.assert.ok(isDeletion(setCookie(thief, REMEMBER)))
  t.assert.deepStrictEqual(thefts, ['Notch'])
  // that session is ended for its owner too; the user's other session stays
  t.assert.strictEqual((await owner.request('/whoami')).json().anonymous, true)
  t.assert.strictEqual((await other.request('/whoami')).json().name, 'Notch')
  t.assert.strictEqual((await entries('1')).length, 1)
})

test('a token that was never issued for a live session is theft at once', async (t: TestContext) => {
  const { app, cookie, entries } = await rememberedApp(t, { rememberCookie: { rotationGrace: 0 } })
  const owner = await app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie } })
  const rotated = setCookie(owner, REMEMBER)?.value as string
  t.assert.strictEqual((await app.inject({ url: '/whoami', cookies: { [REMEMBER]: rotated } })).json().name, 'Notch')
  t.assert.deepStrictEqual(await entries('1').then((all) => all.length), 1)
  // grace 0: the first token, replayed after the rotation, ends the session
  t.assert.strictEqual((await app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie } })).json().anonymous, true)
  t.assert.deepStrictEqual(await entries('1'), [])
})

test('the store keeps only a hash of the remember token', async (t: TestContext) => {
  const { cookie, entries } = await rememberedApp(t)
  const token = tokenOf(cookie)
  const stored = JSON.stringify(await entries('1'))
  t.assert.ok(!stored.includes(token), 'the raw token is in no field')
  t.assert.ok(stored.includes('rememberHash'))
  t.assert.strictEqual((await entries('1'))[0]?.rememberHash?.length, 43)
})

test('revoking a session kills its remember cookie', async (t: TestContext) => {
  const { app, cookie, owner } = await rememberedApp(t)
  const id = (await devices(owner))[0]?.id as string
  t.assert.strictEqual(await app.loginManager.revokeSession(id), true)
  const response = await app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie } })
  t.assert.strictEqual(response.json().anonymous, true)
  t.assert.ok(isDeletion(setCookie(response, REMEMBER)))
})

test('a remember cookie made without sessions is refused when sessions are on, and the other way round', async (t: TestContext) => {
  const { app, cookie } = await rememberedApp(t)
  const { buildApp } = await import('../helpers/app.js')
  const plain = await buildApp(t)
  await plain.request({ method: 'POST', url: '/login/1?remember=1' })
  const untracked = plain.jar.get(REMEMBER) as string
  t.assert.strictEqual((await app.inject({ url: '/whoami', cookies: { [REMEMBER]: untracked } })).json().anonymous, true)
  t.assert.strictEqual((await plain.app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie } })).json().anonymous, true)
})

test('with refreshEachRequest the cookie and its entry live longer but keep their token', async (t: TestContext) => {
  const clock = installClock(t)
  const { owner, entries } = await rememberedApp(t, { rememberCookie: { refreshEachRequest: true, duration: 1000 } })
  const [before] = await entries('1')
  const issued = owner.jar.get(REMEMBER) as string
  advance(clock, 100)
  const refreshed = setCookie(await owner.request('/whoami'), REMEMBER)
  t.assert.ok(refreshed !== undefined && !isDeletion(refreshed))
  t.assert.strictEqual(tokenOf(refreshed.value), tokenOf(issued))
  const [after] = await entries('1')
  t.assert.ok((after?.expiresAt as number) > (before?.expiresAt as number))
  t.assert.strictEqual(after?.rememberHash, before?.rememberHash)
})

/**
 * The memory store, but the compare-and-set of a rotation loses to `rival` (what another tab, or a
 * revocation, did to the entry just before): the restore must then judge again.
 */
function racingStore (rival: (inner: SessionStore, id: string) => Promise<void>): SessionStore {
  const inner = memorySessionStore()
  return {
    create: (session, limit) => inner.create(session, limit),
    get: (id) => inner.get(id),
    list: (userId) => inner.list(userId),
    destroy: (id) => inner.destroy(id),
    destroyAll: (userId, exceptId) => inner.destroyAll(userId, exceptId),
    update: async (id, changes, expected) => {
      if (expected !== undefined) await rival(inner, id)
      return inner.update(id, changes, expected)
    }
  }
}

test('a rotation that loses the race to another tab logs in through the grace; to a revocation, nobody', async (t: TestContext) => {
  const otherTab = racingStore(async (inner, id) => {
    const entry = await inner.get(id)
    await inner.update(id, { rememberHash: 'someone-else', previousRememberHash: entry?.rememberHash ?? null, rotatedAt: Date.now() })
  })
  const won = await sessionsApp(t, { store: otherTab })
  const a = won.browser()
  await a.request({ method: 'POST', url: '/login/1?remember=1' })
  const restored = await won.app.inject({ url: '/whoami', cookies: { [REMEMBER]: a.jar.get(REMEMBER) as string } })
  t.assert.strictEqual(restored.json().name, 'Notch')
  t.assert.strictEqual(setCookie(restored, REMEMBER), undefined, 'the other tab\'s token stays current')

  const revoked = racingStore(async (inner, id) => { await inner.destroy(id) })
  const gone = await sessionsApp(t, { store: revoked })
  const b = gone.browser()
  await b.request({ method: 'POST', url: '/login/1?remember=1' })
  const refused = await gone.app.inject({ url: '/whoami', cookies: { [REMEMBER]: b.jar.get(REMEMBER) as string } })
  t.assert.strictEqual(refused.json().anonymous, true)
  t.assert.ok(isDeletion(setCookie(refused, REMEMBER)))

  const stolen = racingStore(async (inner, id) => {
    await inner.update(id, { rememberHash: 'thief', previousRememberHash: 'thief-before', rotatedAt: Date.now() })
  })
  const theft = await sessionsApp(t, { store: stolen })
  const c = theft.browser()
  await c.request({ method: 'POST', url: '/login/1?remember=1' })
  const caught = await theft.app.inject({ url: '/whoami', cookies: { [REMEMBER]: c.jar.get(REMEMBER) as string } })
  t.assert.strictEqual(caught.json().anonymous, true)
  t.assert.deepStrictEqual(await theft.entries('1'), [], 'the session is ended')
})

// issue 19 (item 2): inside the grace the previous token is no longer re-issued (it overwrote the
// current one in the browser and became a theft once the grace was over)
test('with refreshEachRequest a restore sends the full duration again with a new token; inside the grace, no cookie', async (t: TestContext) => {
  const clock = installClock(t)
  const { app, cookie } = await rememberedApp(t, { rememberCookie: { refreshEachRequest: true, duration: 1000, rotationGrace: 30 } })
  advance(clock, 100)
  const first = setCookie(await app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie } }), REMEMBER)
  t.assert.ok(first !== undefined && first.maxAge === 1000)
  t.assert.notStrictEqual(tokenOf(first.value), tokenOf(cookie))
  const tab = await app.inject({ url: '/whoami', cookies: { [REMEMBER]: cookie } })
  t.assert.strictEqual(tab.json().name, 'Notch')
  t.assert.strictEqual(setCookie(tab, REMEMBER), undefined, 'inside the grace the previous token is not sent again')
})

test('listSessions shows only the user\'s live entries, whatever a custom store returns', async (t: TestContext) => {
  const inner = memorySessionStore()
  const leaky: SessionStore = {
    create: (session, limit) => inner.create(session, limit),
    get: (id) => inner.get(id),
    update: (id, changes, expected) => inner.update(id, changes, expected),
    destroy: (id) => inner.destroy(id),
    destroyAll: (userId, exceptId) => inner.destroyAll(userId, exceptId),
    list: async (userId) => {
      const own = await inner.list(userId)
      const other = await inner.list('2')
      const expired = own.map((entry) => ({ ...entry, id: `${entry.id}-old`, expiresAt: 0 }))
      return [...own, ...other, ...expired]
    }
  }
  const { browser } = await sessionsApp(t, { store: leaky })
  await browser().request({ method: 'POST', url: '/login/2' })
  const a = browser()
  await a.request({ method: 'POST', url: '/login/1' })
  const listed = (await a.request('/devices')).json() as Array<{ current: boolean }>
  t.assert.strictEqual(listed.length, 1)
  t.assert.strictEqual(listed[0]?.current, true)
})

// a request the grace logged in "for this request only" writes no session id: the devices methods
// and logoutUser still act on its tracked session (before: logoutOtherSessions ended it too,
// listSessions marked none current, logoutUser left its entry live)
test('inside the grace, a request logged in by the previous token acts on its own tracked session', async (t: TestContext) => {
  installClock(t)
  const { app, browser, cookie, entries } = await rememberedApp(t, { rememberCookie: { rotationGrace: 10 } })
  const other = browser()
  await other.request({ method: 'POST', url: '/login/1' }) // another device of the same user
  const [otherEntry] = (await entries('1')).filter((entry) => entry.rememberHash === null)
  const owner = browser()
  owner.jar.set(REMEMBER, cookie)
  t.assert.strictEqual((await owner.request('/whoami')).json().name, 'Notch') // rotates the token
  const [ownEntry] = (await entries('1')).filter((entry) => entry.rememberHash !== null)
  const inGrace = (request: { method?: 'GET' | 'POST', url: string }) => app.inject({ method: request.method ?? 'GET', url: request.url, cookies: { [REMEMBER]: cookie } })

  const listed = (await inGrace({ url: '/devices' })).json() as Array<{ id: string, current: boolean }>
  t.assert.deepStrictEqual(listed.filter((session) => session.current).map((session) => session.id), [ownEntry?.id])
  t.assert.deepStrictEqual((await inGrace({ method: 'POST', url: '/devices/others/logout' })).json(), { ended: 1 })
  t.assert.deepStrictEqual((await entries('1')).map((entry) => entry.id), [ownEntry?.id], 'the other device ended, this one kept')
  t.assert.notStrictEqual(otherEntry, undefined)

  const loggedOut = await inGrace({ method: 'POST', url: '/logout' })
  t.assert.strictEqual(loggedOut.statusCode, 200)
  t.assert.deepStrictEqual(await entries('1'), [], 'logoutUser ended the session the grace logged in')
})
