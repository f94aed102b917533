#!/usr/bin/env node
// Checks the relative links of the documentation: README.md, docs/*.md, benchmark/README.md,
// benchmark/results/*.md, examples/**/README.md and CHANGELOG.md. A link to a file that does not
// exist, or a `#anchor` that no heading of the target Markdown file produces (GitHub's slugs), is
// listed and the exit code is 1.
// Links to other sites (`https:`, `mailto:` …) are not checked. Node's standard library only.
// Usage: node scripts/check-links.mjs [root]   (root: the repository, by default this script's parent)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, extname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'))

/** The Markdown files under `dir` whose name is `name` (any depth). */
function findReadmes (dir, name, out = []) {
  if (!existsSync(dir)) return out
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name)
    if (entry.isDirectory() && entry.name !== 'node_modules') findReadmes(full, name, out)
    else if (entry.isFile() && entry.name === name) out.push(full)
  }
  return out
}

/** The Markdown files directly in `dir`, sorted; none when it does not exist. */
function markdownIn (dir) {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.md')).sort().map((name) => join(dir, name)) : []
}

function documents () {
  const listed = [
    join(root, 'README.md'),
    ...markdownIn(join(root, 'docs')),
    join(root, 'benchmark', 'README.md'),
    ...markdownIn(join(root, 'benchmark', 'results')),
    ...findReadmes(join(root, 'examples'), 'README.md').sort(),
    join(root, 'CHANGELOG.md')
  ]
  return listed.filter((file) => existsSync(file))
}

const blank = (text) => text.replace(/[^\n]/g, ' ')

/** The text with fenced code blocks blanked (line numbers kept). */
function withoutFences (text) {
  const lines = text.split('\n')
  let fence = null
  for (let i = 0; i < lines.length; i++) {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(lines[i])
    if (fence === null && marker !== null) {
      fence = marker[1]
      lines[i] = ''
    } else if (fence !== null) {
      if (marker !== null && marker[1][0] === fence[0] && marker[1].length >= fence.length) fence = null
      lines[i] = blank(lines[i])
    }
  }
  return lines.join('\n')
}

/** The text with fenced code blocks and inline code spans blanked: where links can be. */
function prose (text) {
  // code spans never cross a blank line
  return withoutFences(text).split(/(\n[ \t]*\n)/).map((block) =>
    block.replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, blank)).join('')
}

/** GitHub's heading anchor: lower case, punctuation dropped, each space a '-'. */
function slug (heading) {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images keep their text
    .replace(/<[^>]+>/g, '') // HTML tags
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-')
}

const anchorCache = new Map()

/** Every anchor the headings (and explicit `id`/`name` attributes) of a Markdown file produce. */
function anchorsOf (file) {
  if (anchorCache.has(file)) return anchorCache.get(file)
  const text = withoutFences(readFileSync(file, 'utf8'))
  const anchors = new Set()
  const seen = new Map()
  const add = (heading) => {
    const base = slug(heading)
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    anchors.add(count === 0 ? base : `${base}-${count}`)
  }
  const lines = text.split('\n')
  lines.forEach((line, i) => {
    const atx = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)
    if (atx !== null) {
      add(atx[1])
    } else if (i > 0 && /^\s{0,3}(=+|-+)\s*$/.test(line) && /\S/.test(lines[i - 1]) &&
        !/^\s*([|>*+-]|\d+[.)])/.test(lines[i - 1])) {
      add(lines[i - 1])
    }
    for (const match of line.matchAll(/<[a-z][^>]*\s(?:id|name)=["']([^"']+)["']/gi)) {
      anchors.add(match[1])
    }
  })
  anchorCache.set(file, anchors)
  return anchors
}

/** The links of a Markdown file: inline links and images, reference definitions, `href`s. */
function linksOf (text) {
  const links = []
  const lineAt = (index) => text.slice(0, index).split('\n').length
  const clean = prose(text)
  const inline = /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*(<[^>\n]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g
  for (const match of clean.matchAll(inline)) {
    links.push({ target: match[1].replace(/^<|>$/g, ''), line: lineAt(match.index) })
  }
  for (const match of clean.matchAll(/^\s{0,3}\[[^\]\n]+\]:\s*(<[^>\n]*>|\S+)/gm)) {
    links.push({ target: match[1].replace(/^<|>$/g, ''), line: lineAt(match.index) })
  }
  for (const match of clean.matchAll(/<a\s[^>]*href=["']([^"']+)["']/gi)) {
    links.push({ target: match[1], line: lineAt(match.index) })
  }
  return links
}

function decode (text) {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The problem with one link of `file`, or null when it works. */
function check (file, target) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) {
    return null // another site, or mailto: and the like
  }
  const hash = target.indexOf('#')
  const path = decode(hash === -1 ? target : target.slice(0, hash)).replace(/\?.*$/, '')
  const anchor = hash === -1 ? null : decode(target.slice(hash + 1))
  const destination = path === '' ? file : resolve(dirname(file), path)
  if (!existsSync(destination)) {
    return `missing file ${path}`
  }
  if (anchor === null || anchor === '' || extname(destination).toLowerCase() !== '.md' || statSync(destination).isDirectory()) {
    return null
  }
  if (!anchorsOf(destination).has(anchor)) {
    return `no heading for #${anchor} in ${relative(root, destination) || '.'}`
  }
  return null
}

const problems = []
const files = documents()
for (const file of files) {
  for (const { target, line } of linksOf(readFileSync(file, 'utf8'))) {
    const problem = check(file, target)
    if (problem !== null) {
      problems.push(`${relative(root, file)}:${line}: ${problem} (link: ${target})`)
    }
  }
}

if (problems.length > 0) {
  console.error(problems.join('\n'))
  console.error(`check-links: ${problems.length} broken link${problems.length === 1 ? '' : 's'} in ${files.length} files`)
  process.exit(1)
}
console.log(`check-links: every relative link and anchor works in ${files.length} files`)
