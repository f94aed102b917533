// The published package, end to end: build, `npm pack` once, install the tarball into two fresh
// applications, one on the oldest Fastify 5 (5.0.0), one on the newest 5.x, and use it from ESM,
// CommonJS and TypeScript in each; then publint and @arethetypeswrong/cli on the tarball.
// Slow (npm install): run with `node scripts/run-tests.mjs package`.
import { after, before, test, type TestContext } from 'node:test'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runNodeTest } from '../helpers/node-test-run.js'
import { REPO, bin, cookieHeader, fastifyCopies, packAndInstall, run, startServer, type InstalledApp, type PackedApp } from '../helpers/package/packed-app.js'

let packed: PackedApp

before(() => { packed = packAndInstall() }, { timeout: 480_000 })
after(() => packed?.cleanup())

/** The applications, by the end of Fastify 5 they run on (packed.apps holds them in this order). */
const ENDS = ['oldest', 'newest'] as const
function appOn (end: typeof ENDS[number]): InstalledApp {
  return packed.apps[ENDS.indexOf(end)] as InstalledApp
}

test('the tarball holds the built entry, the types and the license, and no sources or tests', (t: TestContext) => {
  const files = packed.packedFiles
  for (const required of ['package.json', 'LICENSE', 'dist/index.js', 'types/index.d.ts', 'dist/testing/index.js', 'types/testing.d.ts']) {
    t.assert.ok(files.includes(required), `${required} is packed`)
  }
  if (existsSync(join(REPO, 'README.md'))) t.assert.ok(files.includes('README.md'), 'README.md is packed')
  const unexpected = files.filter((file) =>
    !['package.json', 'LICENSE', 'README.md', 'types/index.d.ts', 'types/testing.d.ts', 'testing/package.json'].includes(file) && !/^dist\/([\w-]+\/)?[\w-]+\.js(\.map)?$/.test(file))
  t.assert.deepStrictEqual(unexpected, [])
})

test('the packed package.json has no runtime dependency on fastify (the application\'s own Fastify is used)', (t: TestContext) => {
  const manifest = JSON.parse(readFileSync(join(appOn('newest').dir, 'node_modules', 'fastify-login', 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    t.assert.strictEqual(manifest[field]?.fastify, undefined, field)
  }
})

async function loginFlow (t: TestContext, appDir: string, file: string, expectedExports: Record<string, boolean>) {
  const server = await startServer(appDir, file)
  t.after(() => server.stop())
  t.assert.deepStrictEqual(server.exports, expectedExports)

  const anonymous = await fetch(`${server.origin}/private`, { redirect: 'manual' })
  t.assert.strictEqual(anonymous.status, 302)
  t.assert.strictEqual(anonymous.headers.get('location'), '/login?next=%2Fprivate')

  const login = await fetch(`${server.origin}/login?id=1`, { method: 'POST' })
  t.assert.strictEqual(login.status, 200)
  t.assert.deepStrictEqual(await login.json(), { ok: true })
  const cookie = cookieHeader(login)
  t.assert.notStrictEqual(cookie, '')

  const loggedIn = await fetch(`${server.origin}/private`, { headers: { cookie }, redirect: 'manual' })
  t.assert.strictEqual(loggedIn.status, 200)
  t.assert.deepStrictEqual(await loggedIn.json(), { name: 'ada' })
}

for (const end of ENDS) {
  test(`${end} Fastify 5.x: npm ls finds one fastify, the application's`, (t: TestContext) => {
    const app = appOn(end)
    const { status, dirs, output } = fastifyCopies(app.dir)
    t.assert.strictEqual(status, 0, output)
    t.assert.deepStrictEqual(dirs, [join(app.dir, 'node_modules', 'fastify')], `${app.label}:\n${output}`)
    const installed = JSON.parse(readFileSync(join(app.dir, 'node_modules', 'fastify', 'package.json'), 'utf8')) as { version: string }
    t.assert.strictEqual(installed.version, app.fastifyVersion, app.label)
  })

  test(`${end} Fastify 5.x: an ES module application imports the package and logs a user in over HTTP`, async (t: TestContext) => {
    await loginFlow(t, appOn(end).dir, 'server.mjs', {
      namedIsDefault: true,
      documentedNamesExported: true,
      noEsModuleMarker: true,
      userMixin: true,
      anonymousUserMixin: true,
      serializer: true,
      isSafeUrl: true
    })
  })

  test(`${end} Fastify 5.x: a CommonJS application requires the package and logs a user in over HTTP`, async (t: TestContext) => {
    await loginFlow(t, appOn(end).dir, 'server.cjs', {
      defaultIsPlugin: true,
      namedIsPlugin: true,
      userMixin: true,
      anonymousUserMixin: true,
      isSafeUrl: true
    })
  })

  test(`${end} Fastify 5.x: TypeScript consumers (.mts and .cts, module nodenext) type-check against the installed types`, (t: TestContext) => {
    const app = appOn(end)
    const { status, output } = run(process.execPath, [bin('tsc'), '-p', 'tsconfig.json'], app.dir)
    t.assert.strictEqual(status, 0, `${app.label}:\n${output}`)
  })

  test(`${end} Fastify 5.x: the installed types refuse a wrong option (they are really read)`, (t: TestContext) => {
    const { status, output } = run(process.execPath, [bin('tsc'), '-p', 'tsconfig.bad.json'], appOn(end).dir)
    t.assert.notStrictEqual(status, 0)
    t.assert.match(output, /bad-options\.mts.*error TS\d+/)
    t.assert.match(output, /Type '"medium"' is not assignable/)
  })
}

for (const file of ['store-contract.mjs', 'store-contract.cjs']) {
  test(`fastify-login/testing from ${file.endsWith('.mjs') ? 'an ES module' : 'CommonJS'}: the store contract passes on the memory store under node:test`, (t: TestContext) => {
    const { status, passed, failed, output } = runNodeTest([file], { cwd: appOn('newest').dir })
    t.assert.strictEqual(status, 0, output)
    t.assert.deepStrictEqual(failed, [], output)
    t.assert.ok(passed.length >= 30, `${passed.length} cases passed:\n${output}`)
  })
}

test('fastify-login/testing needs no test framework: its built files require only Node built-ins and the package\'s own files', (t: TestContext) => {
  const dir = join(appOn('newest').dir, 'node_modules', 'fastify-login', 'dist', 'testing')
  const required = readdirSync(dir).filter((name) => name.endsWith('.js')).flatMap((name) =>
    [...readFileSync(join(dir, name), 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1] as string))
  t.assert.ok(required.includes('node:assert/strict'), required.join(', '))
  t.assert.deepStrictEqual(required.filter((specifier) => !specifier.startsWith('node:') && !specifier.startsWith('./') && !specifier.startsWith('../')), [])
})

test('publint finds nothing to report on the tarball', (t: TestContext) => {
  const { status, output } = run(bin('publint'), ['run', packed.tarball], packed.root)
  t.assert.strictEqual(status, 0, output)
  t.assert.match(output, /All good!/, output)
})

test('@arethetypeswrong/cli finds no problem for node10, node16 (CJS and ESM) and bundler resolution', (t: TestContext) => {
  const { stdout } = run(bin('attw'), ['--format', 'json', '--no-definitely-typed', packed.tarball], packed.root)
  const report = JSON.parse(stdout) as {
    analysis: { problems: unknown[], entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }> }
  }
  t.assert.deepStrictEqual(report.analysis.problems, [])
  const resolutions = report.analysis.entrypoints['.']?.resolutions ?? {}
  const testing = report.analysis.entrypoints['./testing']?.resolutions ?? {}
  for (const kind of ['node10', 'node16-cjs', 'node16-esm', 'bundler']) {
    t.assert.strictEqual(resolutions[kind]?.resolution?.fileName, '/node_modules/fastify-login/types/index.d.ts', kind)
  }
  // node10 ignores "exports": testing/package.json points it at the same files
  for (const kind of ['node10', 'node16-cjs', 'node16-esm', 'bundler']) {
    t.assert.strictEqual(testing[kind]?.resolution?.fileName, '/node_modules/fastify-login/types/testing.d.ts', kind)
  }
})
