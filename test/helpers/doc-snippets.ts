// Snippets of the documentation, run as written: a Markdown file marks a JavaScript block with
// `<!-- snippet: name -->` (and a file it needs with `<!-- snippet: name file home.ejs -->`); a
// test runs the block as the body of an async function whose parameters are the names it uses.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface DocSnippet {
  readonly code: string
  /** The files the snippet needs, path → text. */
  readonly files: ReadonlyMap<string, string>
}

const MARKED_BLOCK = /<!-- snippet: ([\w-]+)(?: file ([\w./-]+))? -->\n```\w*\n([\s\S]*?)\n```/g

/** The marked snippets of a file of the repository (e.g. docs/plugins.md), by name. */
export function docSnippets (file: string): Map<string, DocSnippet> {
  const text = readFileSync(join(__dirname, '..', '..', file), 'utf8')
  const found = new Map<string, { code?: string, files: Map<string, string> }>()
  for (const [, name = '', path, block = ''] of text.matchAll(MARKED_BLOCK)) {
    const snippet = found.get(name) ?? { files: new Map<string, string>() }
    found.set(name, snippet)
    if (path === undefined) snippet.code = block
    else snippet.files.set(path, block)
  }
  const snippets = new Map<string, DocSnippet>()
  for (const [name, { code, files }] of found) {
    if (code === undefined) throw new Error(`${file}: snippet "${name}" has files but no code`)
    snippets.set(name, { code, files })
  }
  return snippets
}

type AsyncBody = new (...parameters: string[]) => (...values: unknown[]) => Promise<void>
const AsyncFunction = (async () => {}).constructor as AsyncBody

/** Runs `code` with the names of `scope` in reach (the snippet's `app`, `secret`, plugins, handlers). */
export async function runSnippet (code: string, scope: Record<string, unknown>): Promise<void> {
  await new AsyncFunction(...Object.keys(scope), code)(...Object.values(scope))
}
