// SEC-15: guards run as route hooks, never by URL matching; HEAD and OPTIONS; router options that
// normalise URLs never reach a guarded handler unauthenticated. Both engines.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FastifyServerOptions } from 'fastify'
import { buildApp } from '../helpers/app.js'
import { assertNo5xx } from './sec-support.js'

test('SEC-15: an anonymous request gets 302 to the login view with next, or 401 without one; the handler never runs', async (t) => {
  for (const loginView of ['/login', null]) {
    let ran = 0
    const { request } = await buildApp(t, { loginView }, {
      routes: (app) => { app.get('/account', { preHandler: app.loginRequired }, async () => { ran++; return 'secret' }) }
    })
    const response = await request('/account?tab=2')
    if (loginView === null) {
      assert.strictEqual(response.statusCode, 401)
    } else {
      assert.strictEqual(response.statusCode, 302)
      assert.strictEqual(response.headers.location, '/login?next=%2Faccount%3Ftab%3D2')
    }
    assert.ok(!response.body.includes('secret'))
    assert.strictEqual(ran, 0)
  }
})

test('SEC-15: the guard works as an onRequest hook as well as a preHandler', async (t) => {
  let ran = 0
  const { request } = await buildApp(t, {}, {
    routes: (app) => { app.get('/early', { onRequest: app.loginRequired }, async () => { ran++; return 'secret' }) }
  })
  assert.strictEqual((await request('/early')).statusCode, 401)
  assert.strictEqual(ran, 0)
  await request({ method: 'POST', url: '/login/1' })
  assert.strictEqual((await request('/early')).statusCode, 200)
  assert.strictEqual(ran, 1)
})

test('SEC-15: HEAD of a guarded GET is guarded', async (t) => {
  let ran = 0
  const { request } = await buildApp(t, { loginView: '/login' }, {
    routes: (app) => { app.get('/report', { preHandler: app.loginRequired }, async () => { ran++; return 'secret' }) }
  })
  const head = await request({ method: 'HEAD', url: '/report' })
  assert.strictEqual(head.statusCode, 302)
  assert.strictEqual(ran, 0)
  await request({ method: 'POST', url: '/login/1' })
  assert.strictEqual((await request({ method: 'HEAD', url: '/report' })).statusCode, 200)
})

test('SEC-15: OPTIONS is exempt by default (parity) and guarded once exemptMethods is emptied', async (t) => {
  for (const [exemptMethods, expected] of [[undefined, 200], [[], 401]] as const) {
    let ran = 0
    const { request } = await buildApp(t, exemptMethods === undefined ? {} : { exemptMethods: [...exemptMethods] }, {
      routes: (app) => {
        app.route({ method: ['GET', 'OPTIONS'], url: '/both', preHandler: app.loginRequired, handler: async () => { ran++; return 'ok' } })
      }
    })
    const options = await request({ method: 'OPTIONS', url: '/both', headers: { origin: 'http://x.test', 'access-control-request-method': 'GET' } })
    assert.strictEqual(options.statusCode, expected)
    assert.strictEqual(ran, expected === 200 ? 1 : 0)
    // GET stays guarded either way
    assert.strictEqual((await request('/both')).statusCode, 401)
    assert.strictEqual(ran, expected === 200 ? 1 : 0)
  }
})

test('SEC-15: exemptMethods are matched exactly; other methods and lower-case names are guarded', async (t) => {
  let ran = 0
  const { request } = await buildApp(t, { exemptMethods: ['options'] }, {
    routes: (app) => {
      app.route({ method: ['GET', 'POST', 'DELETE', 'OPTIONS'], url: '/thing', preHandler: app.loginRequired, handler: async () => { ran++; return 'ok' } })
    }
  })
  for (const method of ['GET', 'POST', 'DELETE'] as const) {
    assert.strictEqual((await request({ method, url: '/thing' })).statusCode, 401, method)
  }
  assert.strictEqual(ran, 0)
  assert.strictEqual((await request({ method: 'OPTIONS', url: '/thing' })).statusCode, 200)
})

const ROUTER_OPTIONS: Array<[string, FastifyServerOptions]> = [
  ['defaults', {}],
  ['ignoreTrailingSlash', { routerOptions: { ignoreTrailingSlash: true } }],
  ['ignoreDuplicateSlashes', { routerOptions: { ignoreDuplicateSlashes: true } }],
  ['caseSensitive false', { routerOptions: { caseSensitive: false } }],
  ['useSemicolonDelimiter', { useSemicolonDelimiter: true }],
  ['all of them', { useSemicolonDelimiter: true, routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, caseSensitive: false } }]
]

const VARIANTS = [
  '/admin/panel', '/admin/panel/', '//admin/panel', '/admin//panel', '/ADMIN/PANEL', '/Admin/Panel/',
  '/admin/panel;x=1', '/admin/panel;', '/admin/panel?x=1', '/admin/panel#x', '/%61dmin/panel', '/admin/%70anel',
  '/admin/panel%2F', '/admin%2Fpanel', '/./admin/panel', '/admin/./panel', '/x/../admin/panel', '/admin/panel/.',
  '/admin/panel%00', '/admin/panel%20', '/admin/panel\\', '///admin///panel///'
]

test('SEC-15: router normalisation never lets an anonymous request reach a guarded handler', async (t) => {
  for (const [label, server] of ROUTER_OPTIONS) {
    let ran = 0
    const { app } = await buildApp(t, { loginView: '/login' }, {
      server,
      routes: (app) => {
        app.register(async (admin) => {
          admin.addHook('preHandler', admin.loginRequired)
          admin.get('/panel', async () => { ran++; return 'secret' })
          admin.get('/panel/:id', async () => { ran++; return 'secret' })
        }, { prefix: '/admin' })
      }
    })
    for (const url of VARIANTS) {
      const response = await app.inject({ url })
      assertNo5xx(response, `${label} ${url}`)
      assert.ok([302, 400, 401, 404].includes(response.statusCode), `${label} ${url}: ${response.statusCode}`)
      assert.ok(!response.body.includes('secret'), `${label} ${url}`)
    }
    assert.strictEqual(ran, 0, label)
  }
})

test('SEC-15: a guard added by a plugin-level hook covers routes the router reaches through normalisation', async (t) => {
  let ran = 0
  const { request } = await buildApp(t, {}, {
    server: { routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, caseSensitive: false } },
    routes: (app) => {
      app.register(async (admin) => {
        admin.addHook('onRequest', admin.loginRequired)
        admin.get('/panel', async () => { ran++; return 'secret' })
      }, { prefix: '/admin' })
    }
  })
  await request({ method: 'POST', url: '/login/1' })
  for (const url of ['/admin/panel/', '//admin//panel', '/ADMIN/PANEL']) {
    assert.strictEqual((await request(url)).statusCode, 200, url)
  }
  assert.strictEqual(ran, 3)
})
