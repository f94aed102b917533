// Several logins (or a login and a logout) in one request: the last one decides every cookie the
// response sets, so a remember cookie of an earlier login never brings that login back later.
import { test, type TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { SESSION_COOKIE, buildApp } from '../helpers/app.js'
import { REMEMBER, isDeletion, setCookie } from '../helpers/remember.js'
import type { User } from '../helpers/users.js'

interface Step { op: 'login' | 'logout', id?: string, remember?: boolean }

/** POST /sequence runs the steps of its body in one request and answers who is current. */
function sequenceRoute (app: FastifyInstance, users: Map<string, User>): void {
  app.post<{ Body: Step[] }>('/sequence', async (request) => {
    for (const step of request.body) {
      if (step.op === 'login') {
        await request.loginUser(users.get(step.id as string) as User, { remember: step.remember === true })
      } else {
        await request.logoutUser()
      }
    }
    const user = request.currentUser as { name?: string, isAnonymous: boolean }
    return { name: user.isAnonymous ? 'Anonymous' : user.name }
  })
}

async function sequenceApp (t: TestContext) {
  return buildApp(t, {}, { routes: sequenceRoute })
}

test('loginUser(a, remember) then loginUser(b): no remember cookie of a, b is logged in', async (t: TestContext) => {
  const { request, jar } = await sequenceApp(t)
  const response = await request({ method: 'POST', url: '/sequence', payload: [{ op: 'login', id: '1', remember: true }, { op: 'login', id: '2' }] })
  t.assert.deepStrictEqual(response.json(), { name: 'Steve' })
  t.assert.strictEqual(setCookie(response, REMEMBER), undefined)
  t.assert.strictEqual((await request('/whoami')).json().name, 'Steve')
  // once the session is gone (browser restart) nobody comes back
  jar.delete(SESSION_COOKIE)
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})

test('with a remember cookie carried, a later login without remember deletes it', async (t: TestContext) => {
  const { request, jar } = await sequenceApp(t)
  await request({ method: 'POST', url: '/login/2?remember=1' })
  const response = await request({ method: 'POST', url: '/sequence', payload: [{ op: 'login', id: '1', remember: true }, { op: 'login', id: '2' }] })
  t.assert.ok(isDeletion(setCookie(response, REMEMBER)), JSON.stringify(setCookie(response, REMEMBER)))
  jar.delete(SESSION_COOKIE)
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})

test('loginUser(a) then loginUser(b, remember): the remember cookie is b\'s', async (t: TestContext) => {
  const { request, jar } = await sequenceApp(t)
  const response = await request({ method: 'POST', url: '/sequence', payload: [{ op: 'login', id: '1' }, { op: 'login', id: '2', remember: true }] })
  t.assert.ok(setCookie(response, REMEMBER)?.value)
  jar.delete(SESSION_COOKIE)
  t.assert.deepStrictEqual((await request('/whoami')).json(), { name: 'Steve', fresh: false, remembered: true, anonymous: false })
})

test('loginUser(a, remember) then loginUser(a): the last login, without remember, sets no remember cookie', async (t: TestContext) => {
  const { request, jar } = await sequenceApp(t)
  const response = await request({ method: 'POST', url: '/sequence', payload: [{ op: 'login', id: '1', remember: true }, { op: 'login', id: '1' }] })
  t.assert.strictEqual(setCookie(response, REMEMBER), undefined)
  jar.delete(SESSION_COOKIE)
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})

test('loginUser(a, remember) then logoutUser: anonymous, no remember cookie (a deletion when one was carried)', async (t: TestContext) => {
  const { request, jar } = await sequenceApp(t)
  const fresh = await request({ method: 'POST', url: '/sequence', payload: [{ op: 'login', id: '1', remember: true }, { op: 'logout' }] })
  t.assert.deepStrictEqual(fresh.json(), { name: 'Anonymous' })
  t.assert.strictEqual(setCookie(fresh, REMEMBER), undefined)
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')

  await request({ method: 'POST', url: '/login/2?remember=1' })
  const carried = await request({ method: 'POST', url: '/sequence', payload: [{ op: 'login', id: '1', remember: true }, { op: 'logout' }] })
  t.assert.ok(isDeletion(setCookie(carried, REMEMBER)))
  jar.delete(SESSION_COOKIE)
  t.assert.strictEqual((await request('/whoami')).json().name, 'Anonymous')
})
