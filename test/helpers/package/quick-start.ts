// The README's quick starts, as a new user runs them: read from README.md (each block is marked
// with an HTML comment, `<!-- quick-start js: commands -->`, `… file server.js -->`, `… run -->`),
// run in an empty directory with bash, and the server they start driven over real HTTP.
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { delimiter, join } from 'node:path'
import { REPO } from './packed-app.js'

export interface QuickStart {
  /** The shell commands to run first, as written. */
  readonly commands: string
  /** The files to write, path → text, as written. */
  readonly files: ReadonlyMap<string, string>
  /** The command that starts the server, as written. */
  readonly run: string
}

const MARKED_BLOCK = /<!-- quick-start (\w+): (commands|run|file ([\w./-]+)) -->\n```\w*\n([\s\S]*?)\n```/g

/** The marked quick starts of README.md, by name (`js`, `ts`). */
export function readmeQuickStarts (readme = readFileSync(join(REPO, 'README.md'), 'utf8')): Map<string, QuickStart> {
  const parts = new Map<string, { commands: string[], files: Map<string, string>, run: string[] }>()
  for (const [, name = '', kind = '', path, text = ''] of readme.matchAll(MARKED_BLOCK)) {
    const part = parts.get(name) ?? { commands: [], files: new Map<string, string>(), run: [] }
    parts.set(name, part)
    if (path !== undefined) part.files.set(path, `${text}\n`)
    else part[kind as 'commands' | 'run'].push(text)
  }
  const quickStarts = new Map<string, QuickStart>()
  for (const [name, { commands, files, run }] of parts) {
    if (commands.length !== 1 || run.length !== 1 || files.size === 0) {
      throw new Error(`README.md's quick start "${name}" needs one commands block, one run block and a file (found ${commands.length}, ${run.length}, ${files.size})`)
    }
    quickStarts.set(name, { commands: commands[0] as string, files, run: run[0] as string })
  }
  return quickStarts
}

/**
 * The one substitution the test makes: in an `npm install` line, the word `fastify-login` becomes
 * the packed tarball's path (the package is not in the registry). Throws unless exactly one
 * `npm install` line names it.
 */
export function installingTarball (commands: string, tarball: string): string {
  let replaced = 0
  const lines = commands.split('\n').map((line) => {
    if (!/^\s*npm install\s/.test(line)) return line
    return line.split(' ').map((word) => {
      if (word !== 'fastify-login') return word
      replaced++
      return tarball
    }).join(' ')
  })
  if (replaced !== 1) throw new Error(`expected one "npm install … fastify-login …" in the commands, found ${replaced}:\n${commands}`)
  return lines.join('\n')
}

/**
 * The environment of a user's shell: this one, without what `npm run` adds (its package's
 * variables, the repository's node_modules/.bin on PATH); npm answers from its cache when it can.
 */
export function userEnvironment (): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_(package|lifecycle)_/.test(name)) env[name] = value
  }
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.includes(join('node_modules', '.bin'))).join(delimiter)
  return { ...env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' }
}

const ENV_MARK = '--- the environment after the commands ---'

/**
 * Runs `commands` with bash in `dir`, stopping at the first that fails; returns the environment
 * the shell ends with (what the commands exported, e.g. LOGIN_SECRET), as the next command of
 * the same terminal sees it.
 */
export function runCommands (commands: string, dir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const script = `${commands}\nprintf '\\n%s\\n' '${ENV_MARK}'\nenv -0`
  const result = spawnSync('bash', ['-e', '-c', script], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (result.error) throw result.error
  if (result.status !== 0) throw new Error(`the quick start's commands exited with ${result.status}:\n${result.stdout}\n${result.stderr}`)
  const dump = result.stdout.slice(result.stdout.lastIndexOf(`${ENV_MARK}\n`) + ENV_MARK.length + 1)
  const after: NodeJS.ProcessEnv = {}
  for (const entry of dump.split('\0')) {
    const at = entry.indexOf('=')
    if (at > 0) after[entry.slice(0, at)] = entry.slice(at + 1)
  }
  return after
}

/** A port nobody listens on now (the quick starts read PORT). */
export async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

export interface Started {
  readonly origin: string
  /** What the server printed so far. */
  output (): string
  stop (): Promise<void>
}

/** Runs the quick start's run command with bash in `dir` and waits until it answers HTTP. */
export async function startRun (run: string, dir: string, env: NodeJS.ProcessEnv, port: number): Promise<Started> {
  const child = spawn('bash', ['-e', '-c', run], { cwd: dir, env: { ...env, PORT: String(port) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  const exited = once(child, 'exit')
  const hasExited = () => child.exitCode !== null || child.signalCode !== null
  const started: Started = {
    origin: `http://localhost:${port}`,
    output: () => output,
    stop: async () => {
      if (hasExited()) return
      process.kill(-(child.pid as number), 'SIGTERM')
      await exited
    }
  }
  // a hang guard only: compiling and starting on a loaded machine may take long
  const deadline = Date.now() + 300_000
  while (!hasExited() && Date.now() < deadline) {
    try {
      await fetch(`${started.origin}/`, { redirect: 'manual' })
      return started
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  await started.stop()
  throw new Error(`the quick start's server did not answer on port ${port}:\n${output}`)
}

/** Cookies across fetch calls, as a browser keeps them (Set-Cookie in, Cookie out). */
export class FetchCookies {
  readonly #cookies = new Map<string, string>()

  take (response: Response): Response {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
      const name = pair.slice(0, pair.indexOf('='))
      const deleted = pair.endsWith('=') || attributes.some((attribute) =>
        /^max-age=0$/i.test(attribute) || (/^expires=/i.test(attribute) && Date.parse(attribute.slice(8)) <= Date.now()))
      if (deleted) this.#cookies.delete(name)
      else this.#cookies.set(name, pair)
    }
    return response
  }

  names (): string[] {
    return [...this.#cookies.keys()].sort()
  }

  async fetch (url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.#cookies.size > 0) headers.set('cookie', [...this.#cookies.values()].join('; '))
    return this.take(await fetch(url, { ...init, headers, redirect: 'manual' }))
  }
}
