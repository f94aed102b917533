import { test, type TestContext } from 'node:test'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const CHECKER = resolve(__dirname, '..', 'scripts', 'check-links.mjs')

/** Runs the link checker on `root` (the repository when left out). */
function checkLinks (root?: string): { status: number | null, stdout: string, stderr: string } {
  const result = spawnSync(process.execPath, root === undefined ? [CHECKER] : [CHECKER, root], { encoding: 'utf8' })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** A temporary documentation tree: `files` maps paths to their Markdown. */
function tree (t: TestContext, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'fastify-login-links-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

const GUIDE = [
  '# A guide',
  '',
  '## `isSafeUrl(url, { allowedHosts })` and more',
  '',
  '## Notes',
  '',
  '## Notes',
  '',
  '```md',
  '[not a link](inside-a-code-block.md)',
  '```',
  ''
].join('\n')

test('the link checker lists a link to a missing file and an anchor no heading produces, and fails', (t: TestContext) => {
  const root = tree(t, {
    'README.md': [
      '# Project',
      '',
      '## Install',
      '',
      'See [the guide](docs/guide.md), [its slug](docs/guide.md#issafeurlurl--allowedhosts--and-more),',
      '[the second Notes](docs/guide.md#notes-1) and [install](#install); `[code](span.md)` is no link.',
      '',
      'Broken: [gone](docs/missing.md) and [no such heading](docs/guide.md#nowhere)',
      'and [here either](#not-here).',
      ''
    ].join('\n'),
    'docs/guide.md': GUIDE,
    'CHANGELOG.md': '# Changelog\n\nSee the [README](README.md#install).\n'
  })
  const result = checkLinks(root)
  t.assert.strictEqual(result.status, 1)
  t.assert.deepStrictEqual(result.stderr.trim().split('\n'), [
    'README.md:8: missing file docs/missing.md (link: docs/missing.md)',
    'README.md:8: no heading for #nowhere in docs/guide.md (link: docs/guide.md#nowhere)',
    'README.md:9: no heading for #not-here in README.md (link: #not-here)',
    'check-links: 3 broken links in 3 files'
  ])
})

test('the link checker passes a tree whose links all work', (t: TestContext) => {
  const root = tree(t, {
    'README.md': '# Project\n\n[Guide](docs/guide.md#notes), [example](examples/app/README.md#run-it), <https://fastify.dev>\n',
    'docs/guide.md': GUIDE,
    'examples/app/README.md': '# The example\n\n## Run it\n\nBack to the [README](../../README.md#project).\n'
  })
  const result = checkLinks(root)
  t.assert.strictEqual(result.stderr, '')
  t.assert.strictEqual(result.status, 0)
  t.assert.match(result.stdout, /in 3 files/)
})

test('every relative link and anchor of the repository\'s documentation works', (t: TestContext) => {
  const result = checkLinks()
  t.assert.strictEqual(result.stderr, '')
  t.assert.strictEqual(result.status, 0)
})
