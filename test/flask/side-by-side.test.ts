// The Flask integration suite: a real Flask + Flask-Login application (python3) and a Fastify
// application with fastify-login's `flask` option, on two loopback ports, one cookie jar.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { URLSafeTimedSerializer } from 'fastify-login'
import { fastifyBeside, FLASK_SECRET } from '../helpers/flask.js'
import { Browser, listen, startFlask } from '../helpers/flask-servers.js'

type Who = { user: string | null, fresh: boolean }

for (const protection of ['basic', 'strong'] as const) {
  describe(`mode 'shared', ${protection} protection`, () => {
    let flask: string
    let node: string
    const stops: Array<() => Promise<void>> = []
    before(async () => {
      const python = await startFlask({ protection })
      stops.push(python.stop)
      flask = python.url
      const app = await fastifyBeside({ protection })
      stops.push(async () => app.close())
      node = await listen(app)
    })
    after(async () => { for (const stop of stops) await stop() })

    const who = async (browser: Browser, base: string, path: string, userAgent?: string): Promise<Who> => await browser.json(`${base}${path}`, userAgent) as Who

    test('login, freshness, confirm and logout made on either side are what the other sees', async () => {
      const browser = new Browser()
      await browser.get(`${flask}/legacy/login/1?fresh=0`)
      assert.deepEqual(await who(browser, node, '/whoami'), { user: '1', fresh: false })
      assert.equal((await browser.get(`${node}/fresh`)).status, 401)
      await browser.get(`${node}/confirm`)
      assert.deepEqual(await who(browser, flask, '/legacy/whoami'), { user: '1', fresh: true })
      assert.equal((await browser.get(`${flask}/legacy/fresh`)).status, 200)
      await browser.get(`${node}/logout`)
      assert.deepEqual(await who(browser, flask, '/legacy/whoami'), { user: null, fresh: false })
      await browser.get(`${node}/login/2?fresh=0`)
      assert.deepEqual(await who(browser, flask, '/legacy/whoami'), { user: '2', fresh: false })
      await browser.get(`${flask}/legacy/confirm`)
      assert.deepEqual(await who(browser, node, '/whoami'), { user: '2', fresh: true })
      await browser.get(`${flask}/legacy/logout`)
      assert.deepEqual(await who(browser, node, '/whoami'), { user: null, fresh: false })
    })

    test('remember me restores the login on the other side once the session cookie is gone', async () => {
      const browser = new Browser()
      await browser.get(`${flask}/legacy/login/alice?remember=1`)
      browser.cookies.delete('session')
      assert.deepEqual(await who(browser, node, '/whoami'), { user: 'alice', fresh: false })
      await browser.get(`${node}/logout`)
      await browser.get(`${node}/login/1?remember=1`)
      browser.cookies.delete('session')
      assert.deepEqual(await who(browser, flask, '/legacy/whoami'), { user: '1', fresh: false })
    })

    test('another User-Agent: not fresh with basic protection, anonymous with strong, on both sides', async () => {
      const browser = new Browser()
      const expected = protection === 'basic' ? { user: '1', fresh: false } : { user: null, fresh: false }
      await browser.get(`${node}/login/1`)
      assert.deepEqual(await who(browser, flask, '/legacy/whoami', 'another browser'), expected)
      await browser.get(`${flask}/legacy/login/1`)
      assert.deepEqual(await who(browser, node, '/whoami', 'another browser'), expected)
      assert.deepEqual(await who(browser, flask, '/legacy/whoami'), protection === 'basic' ? { user: '1', fresh: false } : { user: null, fresh: false })
    })

    test('the Flask app\'s keys survive a Fastify login and logout', async () => {
      const browser = new Browser()
      await browser.get(`${flask}/legacy/keys/set`)
      const keys = await browser.json(`${flask}/legacy/keys/get`)
      await browser.get(`${node}/login/1`)
      assert.deepEqual(await browser.json(`${flask}/legacy/keys/get`), keys)
      await browser.get(`${node}/logout`)
      assert.deepEqual(await browser.json(`${flask}/legacy/keys/get`), keys)
      assert.deepEqual((keys as Record<string, unknown>).pair, { tuple: [1, 'a'] })
    })

    test('tampered and foreign-key cookies are anonymous on both sides, never a 5xx', async () => {
      const browser = new Browser()
      await browser.get(`${node}/login/1?remember=1`)
      const session = browser.cookies.get('session') as string
      for (const [name, value] of [['session', session.slice(0, -2) + (session.endsWith('AA') ? 'BB' : 'AA')], ['remember_token', '1|' + '0'.repeat(128)]]) {
        const forged = new Browser()
        forged.cookies.set(name as string, value as string)
        for (const url of [`${node}/whoami`, `${flask}/legacy/whoami`]) {
          const response = await forged.get(url)
          assert.deepEqual([response.status, (JSON.parse(response.text) as Who).user], [200, null], `${name} at ${url}`)
        }
      }
    })
  })
}

describe('itsdangerous tokens over HTTP, and the cutover', () => {
  let flask: string
  const stops: Array<() => Promise<void>> = []
  before(async () => {
    const python = await startFlask()
    stops.push(python.stop)
    flask = python.url
  })
  after(async () => { for (const stop of stops) await stop() })

  test('tokens the Flask app makes (short, unicode, compressed) load in Node, and the reverse', async () => {
    const serializer = new URLSafeTimedSerializer(FLASK_SECRET, { salt: 'reset', format: 'itsdangerous' })
    const browser = new Browser()
    for (const value of ['short', 'Müller 佐藤 🔑', 'long '.repeat(300)]) {
      const token = (await browser.get(`${flask}/legacy/token/reset?value=${encodeURIComponent(value)}`)).text
      assert.equal(serializer.loads(token, { maxAge: 60 }), value)
      assert.deepEqual(await browser.json(`${flask}/legacy/token/reset/check?token=${encodeURIComponent(serializer.dumps(value))}`), { value })
    }
  })

  test('mode \'import\': a Flask login and a Flask-Login remember cookie log in once, then fastify-login\'s cookies', async () => {
    const app = await fastifyBeside({ flask: { mode: 'import' } })
    stops.push(async () => app.close())
    const node = await listen(app)
    const browser = new Browser()
    await browser.get(`${flask}/legacy/login/1`)
    assert.deepEqual(await browser.json(`${node}/whoami`), { user: '1', fresh: true })
    assert.deepEqual(await browser.json(`${flask}/legacy/whoami`), { user: null, fresh: false })
    const remembered = new Browser()
    await remembered.get(`${flask}/legacy/login/alice?remember=1`)
    remembered.cookies.delete('session')
    assert.deepEqual(await remembered.json(`${node}/whoami`), { user: 'alice', fresh: false })
    assert.doesNotMatch(remembered.cookies.get('remember_token') as string, /\|/)
  })
})
