// README.md's quick starts (JavaScript and TypeScript), run exactly as written so they cannot rot:
// the package is built and packed once; for each quick start an empty directory is made, the
// marked commands run in it with bash (stopping at the first failure), the marked files are
// written, the run command starts the server, and it is driven over real HTTP: the login form
// with the example credentials, the guarded route, the logout.
//
// The one substitution: in the `npm install` line, `fastify-login` is replaced by the path of the
// packed tarball (the package is not taken from the registry). Besides, the harness sets
// `npm_config_prefer_offline=true` (npm answers from its cache when it can), drops this
// repository's node_modules/.bin from PATH, sets PORT to a free port (the quick starts read it;
// 3000 otherwise), and gives the run command the variables the commands exported (LOGIN_SECRET),
// as one terminal would.
// Slow (npm install, tsc): run with `node scripts/run-tests.mjs package`.
import { after, before, test, type TestContext } from 'node:test'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { packTarball, type Tarball } from '../helpers/package/packed-app.js'
import { FetchCookies, freePort, installingTarball, readmeQuickStarts, runCommands, startRun, userEnvironment } from '../helpers/package/quick-start.js'

let packed: Tarball

before(() => { packed = packTarball() }, { timeout: 480_000 })
after(() => packed?.cleanup())

test('README.md marks a JavaScript and a TypeScript quick start: commands, files and the run command', (t: TestContext) => {
  const quickStarts = readmeQuickStarts()
  t.assert.deepStrictEqual([...quickStarts.keys()].sort(), ['js', 'ts'])
  t.assert.deepStrictEqual([...(quickStarts.get('js')?.files.keys() ?? [])], ['server.js'])
  t.assert.deepStrictEqual([...(quickStarts.get('ts')?.files.keys() ?? [])], ['server.ts'])
  for (const [name, quickStart] of quickStarts) {
    t.assert.match(quickStart.commands, /^npm init -y$/m, name)
    t.assert.strictEqual(installingTarball(quickStart.commands, '/x.tgz').split('\n').filter((line) => line.includes('/x.tgz')).length, 1, name)
  }
})

test('the substitution replaces the word fastify-login of the npm install line, and nothing else', (t: TestContext) => {
  const commands = 'npm init -y\nnpm install fastify fastify-login @fastify/formbody\n# fastify-login is installed\nnpm install --save-dev typescript'
  t.assert.strictEqual(installingTarball(commands, '/tmp/fastify-login-0.1.0.tgz'),
    'npm init -y\nnpm install fastify /tmp/fastify-login-0.1.0.tgz @fastify/formbody\n# fastify-login is installed\nnpm install --save-dev typescript')
  t.assert.throws(() => installingTarball('npm install fastify', '/x.tgz'), /found 0/)
})

/** Makes an empty directory, runs the quick start in it, and starts its server. */
async function runQuickStart (t: TestContext, name: string) {
  const quickStart = readmeQuickStarts().get(name)
  if (quickStart === undefined) throw new Error(`no quick start "${name}" in README.md`)
  const dir = join(packed.root, `quick-start-${name}`)
  mkdirSync(dir)
  const env = runCommands(installingTarball(quickStart.commands, packed.tarball), dir, userEnvironment())
  // the secret command makes 32 random bytes, base64url: 43 characters
  t.assert.match(env.LOGIN_SECRET ?? '', /^[\w-]{43}$/)
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: string, dependencies?: Record<string, string> }
  t.assert.strictEqual(manifest.type, 'module')
  t.assert.ok(manifest.dependencies?.['fastify-login']?.endsWith('.tgz'), 'fastify-login is the packed tarball')
  for (const [path, text] of quickStart.files) writeFileSync(join(dir, path), text)
  const server = await startRun(quickStart.run, dir, env, await freePort())
  t.after(() => server.stop())
  return server
}

/** The user's first minute: to the login form from a guarded page, a wrong password, the right one, back, logout. */
async function loginFormFlow (t: TestContext, origin: string, browser: FetchCookies): Promise<void> {
  const guarded = await browser.fetch(`${origin}/settings`)
  t.assert.strictEqual(guarded.status, 302)
  const loginPage = guarded.headers.get('location') ?? ''
  t.assert.strictEqual(loginPage, '/login?next=%2Fsettings')

  const form = await browser.fetch(`${origin}${loginPage}`)
  t.assert.strictEqual(form.status, 200)
  t.assert.match(form.headers.get('content-type') ?? '', /^text\/html/)
  const html = await form.text()
  t.assert.match(html, /<form method="post">/)
  t.assert.match(html, /name="username"/)
  t.assert.match(html, /name="password"/)

  // the form posts to the page's own URL, next included, as a browser sends a form
  const post = (password: string) => browser.fetch(`${origin}${loginPage}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'ada', password }).toString()
  })
  const wrong = await post('babbage')
  t.assert.strictEqual(wrong.status, 401)
  t.assert.strictEqual(await wrong.text(), 'Wrong username or password')
  t.assert.deepStrictEqual(browser.names(), [])

  const right = await post('lovelace')
  t.assert.strictEqual(right.status, 302)
  t.assert.strictEqual(right.headers.get('location'), '/settings')
  t.assert.deepStrictEqual(browser.names(), ['remember_token', 'session'])

  const settings = await browser.fetch(`${origin}/settings`)
  t.assert.strictEqual(settings.status, 200)
  t.assert.strictEqual(await settings.text(), 'Hello ada')

  const logout = await browser.fetch(`${origin}/logout`, { method: 'POST' })
  t.assert.strictEqual(logout.status, 302)
  t.assert.strictEqual(logout.headers.get('location'), '/')
  t.assert.deepStrictEqual(browser.names(), ['session'], 'the remember cookie is deleted')
  const after = await browser.fetch(`${origin}/settings`)
  t.assert.strictEqual(after.status, 302)
  t.assert.strictEqual(after.headers.get('location'), '/login?next=%2Fsettings')
}

test('the JavaScript quick start, run as written in an empty directory, logs ada in through its form and out', async (t: TestContext) => {
  const server = await runQuickStart(t, 'js')
  await loginFormFlow(t, server.origin, new FetchCookies())
  t.assert.match(server.output(), /Server listening at http:\/\/(localhost|127\.0\.0\.1|\[::1\]):\d+/)
})

test('the TypeScript quick start, compiled and run as written in an empty directory, logs ada in through its form and out; /me is typed and narrowed', async (t: TestContext) => {
  const server = await runQuickStart(t, 'ts')
  const browser = new FetchCookies()
  t.assert.deepStrictEqual(await (await browser.fetch(`${server.origin}/me`)).json(), { anonymous: true })
  await loginFormFlow(t, server.origin, browser)
  // logged in again through the form: /me answers the user's own field
  const again = await browser.fetch(`${server.origin}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=ada&password=lovelace'
  })
  t.assert.strictEqual(again.status, 302)
  t.assert.deepStrictEqual(await (await browser.fetch(`${server.origin}/me`)).json(), { name: 'ada' })
  t.assert.match(server.output(), /"msg":"logged in"/)
})
