// README.md is what a user reads first: the pitch, install, the quick starts, the example, then the
// options and the rest of the reference; what is for developers (the command that runs every
// test, the benchmark) comes after the user material (issue 20, item 4).
import { test, type TestContext } from 'node:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8')

/** The `##` headings, outside code blocks, in order. */
function sections (): string[] {
  let inCode = false
  const headings: string[] = []
  for (const line of README.split('\n')) {
    if (line.startsWith('```')) inCode = !inCode
    else if (!inCode && line.startsWith('## ')) headings.push(line.slice(3))
  }
  return headings
}

/** The text of the `##` section `heading`, up to the next one. */
function section (heading: string): string {
  const start = README.indexOf(`\n## ${heading}\n`)
  if (start === -1) throw new Error(`README.md has no section "${heading}"`)
  const next = README.indexOf('\n## ', start + 1)
  return README.slice(start, next === -1 ? undefined : next)
}

test('README.md: install, the quick starts, the example and the options come first, in that order; the developer sections after the guides', (t: TestContext) => {
  const headings = sections()
  const at = (heading: string): number => {
    const index = headings.indexOf(heading)
    t.assert.notStrictEqual(index, -1, `README.md has a "## ${heading}"`)
    return index
  }
  const userOrder = ['Install', 'Quick start (JavaScript)', 'TypeScript', 'Run the example application', 'Options']
  t.assert.deepStrictEqual(headings.slice(0, userOrder.length), userOrder)
  t.assert.ok(at('Guides') < at('Run every test'), 'every test\'s command after the user material')
  t.assert.ok(at('Run every test') < at('Benchmark'))
  t.assert.deepStrictEqual(headings.slice(at('Run every test')), ['Run every test', 'Benchmark', 'License'])
})

test('README.md gives the command that installs and runs every test, and the example\'s', (t: TestContext) => {
  t.assert.ok(section('Run every test').includes('```sh\nbash scripts/setup.sh && npm test\n```'))
  t.assert.ok(section('Run the example application').includes('```sh\nnpm install && npm start\n```'))
})

test('README.md: the benchmark is one paragraph pointing to benchmark/README.md, with no table of figures', (t: TestContext) => {
  const benchmark = section('Benchmark')
  t.assert.ok(benchmark.includes('](benchmark/README.md)'))
  t.assert.deepStrictEqual(benchmark.split('\n').filter((line) => line.startsWith('|')), [])
  t.assert.strictEqual(benchmark.trim().split('\n\n').length, 2, 'the heading and one paragraph')
})
