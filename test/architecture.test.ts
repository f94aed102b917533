// The rules that keep lib/ a house a newcomer can live in (docs/development.md, "Where things
// live"): rooms one level deep, imports only downward, no cycle, short files and functions,
// another package's internals touched only in session/, and a logged-in request that passes
// through few files.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, dirname } from 'node:path'
import { Session } from 'node:inspector/promises'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import ts from 'typescript'
import Fastify from 'fastify'
import fastifyLogin from 'fastify-login'
import { registerEngine, SECRET } from './helpers/app.js'

const LIB = resolve('lib')

/** The rooms of lib/, top floor first: a file may import only from its own room or a lower one. */
const FLOORS: ReadonlyArray<readonly string[]> = [
  ['index.ts', 'testing'],
  ['plugin.ts'],
  ['hooks', 'decorators'],
  ['context.ts'],
  ['remember', 'live'],
  ['login'],
  ['tracked', 'options'],
  ['session', 'stores'],
  ['signing'],
  ['urls', 'core']
]
const MAX_FILE_LINES = 220
const MAX_FUNCTION_LINES = 40
const MAX_FILES_PER_LOGGED_IN_REQUEST = 8

function libFiles (dir = LIB): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const full = join(dir, name)
    return statSync(full).isDirectory() ? libFiles(full) : full.endsWith('.ts') ? [relative(LIB, full)] : []
  })
}

function roomOf (file: string): string {
  return file.split('/')[0] as string
}

function floorOf (room: string): number {
  const floor = FLOORS.findIndex((rooms) => rooms.includes(room))
  assert.notStrictEqual(floor, -1, `lib/${room} is in no floor of test/architecture.test.ts (and docs/development.md's map)`)
  return floor
}

function parse (file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(join(LIB, file), 'utf8'), ts.ScriptTarget.Latest, true)
}

/** The lib/ files a file imports (types included). */
function importsOf (file: string): string[] {
  const found: string[] = []
  parse(file).forEachChild(function visit (node) {
    const specifier = ts.isImportDeclaration(node) || ts.isExportDeclaration(node)
      ? node.moduleSpecifier
      : ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) ? node.moduleReference.expression : undefined
    if (specifier !== undefined && ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) {
      const target = relative(LIB, resolve(LIB, dirname(file), specifier.text)).replace(/\.js$/, '.ts')
      if (!target.startsWith('..')) found.push(target)
    }
  })
  return found
}

test('lib/ is rooms one level deep, each on a floor of the map', () => {
  for (const file of libFiles()) {
    assert.ok(file.split('/').length <= 2, `${file} is more than one folder deep`)
    floorOf(roomOf(file))
  }
})

test('docs/development.md maps every room of lib/', () => {
  const guide = readFileSync('docs/development.md', 'utf8')
  for (const room of new Set(libFiles().map(roomOf))) {
    const name = room.endsWith('.ts') ? `lib/${room}` : `lib/${room}/`
    assert.ok(guide.includes(`\`${name}\``), `docs/development.md does not map ${name}`)
  }
})

test('imports run only downward: to the same room or a lower floor', () => {
  const upward: string[] = []
  for (const file of libFiles()) {
    for (const target of importsOf(file)) {
      const [from, to] = [roomOf(file), roomOf(target)]
      if (from !== to && floorOf(to) <= floorOf(from)) upward.push(`${file} -> ${target}`)
    }
  }
  assert.deepStrictEqual(upward, [])
})

test('the import graph has no cycle', () => {
  const graph = new Map(libFiles().map((file) => [file, importsOf(file)]))
  const done = new Set<string>()
  function visit (file: string, path: string[]): void {
    assert.ok(!path.includes(file), `import cycle: ${[...path.slice(path.indexOf(file)), file].join(' -> ')}`)
    if (done.has(file)) return
    for (const target of graph.get(file) ?? []) visit(target, [...path, file])
    done.add(file)
  }
  for (const file of graph.keys()) visit(file, [])
})

test(`files are at most ${MAX_FILE_LINES} lines, functions at most ${MAX_FUNCTION_LINES} lines of their own`, () => {
  const long: string[] = []
  for (const file of libFiles()) {
    const source = parse(file)
    const lineOf = (position: number): number => source.getLineAndCharacterOfPosition(position).line
    const span = (node: ts.Node): number => lineOf(node.getEnd()) - lineOf(node.getStart()) + 1
    if (lineOf(source.getEnd()) > MAX_FILE_LINES) long.push(`${file}: ${lineOf(source.getEnd())} lines`)
    const isFunction = (node: ts.Node): node is ts.FunctionLikeDeclaration => ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body !== undefined
    source.forEachChild(function visit (node) {
      if (isFunction(node)) {
        // a function's own lines: the functions it defines inside count for themselves
        let own = span(node)
        ;(node.body as ts.Node).forEachChild(function nested (child) {
          if (isFunction(child)) own -= span(child)
          else child.forEachChild(nested)
        })
        if (own > MAX_FUNCTION_LINES) long.push(`${file}:${lineOf(node.getStart()) + 1} ${node.name?.getText() ?? '(anonymous)'}: ${own} lines`)
      }
      node.forEachChild(visit)
    })
  }
  assert.deepStrictEqual(long, [])
})

test('only session/ reaches into another package: private symbols, replaced methods', () => {
  const reaching = /getOwnPropertySymbols|Object\.defineProperty|'fastify\.Request'/
  const outside = libFiles().filter((file) => roomOf(file) !== 'session' && reaching.test(readFileSync(join(LIB, file), 'utf8')))
  assert.deepStrictEqual(outside, [])
})

/** The lib/ files (through dist/) whose functions ran while `run` did. */
async function filesRunBy (run: () => Promise<unknown>): Promise<string[]> {
  const session = new Session()
  session.connect()
  try {
    await session.post('Profiler.enable')
    await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false })
    await session.post('Profiler.takePreciseCoverage') // resets the counters
    await run()
    const { result } = await session.post('Profiler.takePreciseCoverage')
    const dist = `file://${resolve('dist')}/`
    return result
      .filter((script) => script.url.startsWith(dist) && script.functions.some((fn) => fn.ranges[0] !== undefined && fn.ranges[0].count > 0))
      .map((script) => script.url.slice(dist.length).replace(/\.js$/, '.ts'))
      .sort()
  } finally {
    session.disconnect()
  }
}

test(`a logged-in request passes through at most ${MAX_FILES_PER_LOGGED_IN_REQUEST} files of lib/`, async (t) => {
  const app = Fastify()
  t.after(() => app.close())
  await registerEngine(app)
  const user = { id: '1', isAuthenticated: true, isActive: true, isAnonymous: false, getId: () => '1' }
  await app.register(fastifyLogin, { secret: SECRET, userLoader: (id) => id === '1' ? user : null })
  app.get('/private', { preHandler: app.loginRequired }, async (request) => ({ id: request.currentUser.getId() }))
  const cookie = await app.loginManager.sessionCookieFor(user)
  const get = (): Promise<unknown> => app.inject({ url: '/private', headers: { cookie } })
  assert.deepStrictEqual((await app.inject({ url: '/private', headers: { cookie } })).json(), { id: '1' })
  const files = await filesRunBy(get)
  t.diagnostic(`files: ${files.join(', ')}`)
  assert.ok(files.length <= MAX_FILES_PER_LOGGED_IN_REQUEST, `${files.length} files: ${files.join(', ')}`)
})
