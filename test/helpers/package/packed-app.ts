// Builds fastify-login from a copy of this working tree, packs it with `npm pack`, and installs the
// tarball into a fresh application directory, the way a user's project gets it from the registry.
// The copy keeps the repository's own dist/ untouched while the other suites use it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { createInterface } from 'node:readline'
import { once } from 'node:events'

export const REPO = join(__dirname, '..', '..', '..')
export const FIXTURES = join(__dirname, '..', '..', 'package', 'fixtures')
const BIN = join(REPO, 'node_modules', '.bin')
const NOT_COPIED = new Set(['node_modules', '.git', 'dist', '.tmp', 'coverage', 'test-results'])

export interface CommandResult {
  readonly status: number | null
  readonly stdout: string
  /** stdout and stderr together, for failure messages. */
  readonly output: string
}

/** Runs a command to completion. */
export function run (command: string, args: readonly string[], cwd: string): CommandResult {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } })
  if (result.error) throw result.error
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` }
}

/** Runs a command that must succeed; returns its stdout. */
function mustRun (command: string, args: readonly string[], cwd: string): string {
  const { status, stdout, output } = run(command, args, cwd)
  if (status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${status} in ${cwd}:\n${output}`)
  return stdout
}

/** A binary of this repository's devDependencies (tsc, publint, attw). */
export function bin (name: string): string {
  return join(BIN, name)
}

/** An application directory with the tarball and one Fastify 5.x installed in node_modules. */
export interface InstalledApp {
  /** e.g. "fastify 5.0.0 (oldest 5.x)" */
  readonly label: string
  /** The Fastify version the application asked for. */
  readonly fastifyVersion: string
  readonly dir: string
}

export interface PackedApp {
  /** Temporary root holding the source copy, the tarball and the applications. */
  readonly root: string
  readonly tarball: string
  /** Paths inside the tarball, without the `package/` prefix. */
  readonly packedFiles: readonly string[]
  /** One application per supported end of Fastify 5: the oldest (5.0.0) and the newest 5.x. */
  readonly apps: readonly InstalledApp[]
  cleanup (): void
}

/** The oldest Fastify 5 and the newest one the registry has (asked, not taken from npm's cache). */
function fastifyVersions (root: string): Array<{ version: string, label: string }> {
  const listed = JSON.parse(mustRun('npm', ['view', 'fastify@5', 'version', '--json'], root)) as string | string[]
  const newest = Array.isArray(listed) ? listed[listed.length - 1] as string : listed
  return [{ version: '5.0.0', label: 'oldest 5.x' }, { version: newest, label: 'newest 5.x' }]
}

export function packAndInstall (): PackedApp {
  const root = mkdtempSync(join(tmpdir(), 'fastify-login-package-'))
  try {
    return packAndInstallIn(root)
  } catch (error) {
    rmSync(root, { recursive: true, force: true })
    throw error
  }
}

/** A fresh application that depends on its own Fastify and on the tarball, with the fixtures copied in. */
function installApp (root: string, tarball: string, version: string, label: string): InstalledApp {
  const dir = join(root, `app-fastify-${version}`)
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'packed-app', version: '1.0.0', private: true }, null, 2))
  // @types/node at the version this repository uses (already in npm's cache): the TypeScript consumer needs it.
  const typesNode = (require(join(REPO, 'node_modules', '@types', 'node', 'package.json')) as { version: string }).version
  mustRun('npm', ['install', `fastify@${version}`, tarball, `@types/node@${typesNode}`, '--prefer-offline', '--no-audit', '--no-fund'], dir)
  for (const fixture of readdirSync(FIXTURES)) cpSync(join(FIXTURES, fixture), join(dir, fixture))
  return { label: `fastify ${version} (${label})`, fastifyVersion: version, dir }
}

/** The tarball alone, for suites that make their own applications (test/package/quick-start.test.ts). */
export interface Tarball {
  readonly root: string
  readonly tarball: string
  readonly packedFiles: readonly string[]
  cleanup (): void
}

export function packTarball (): Tarball {
  const root = mkdtempSync(join(tmpdir(), 'fastify-login-package-'))
  try {
    return { root, ...packInto(root), cleanup: () => rmSync(root, { recursive: true, force: true }) }
  } catch (error) {
    rmSync(root, { recursive: true, force: true })
    throw error
  }
}

/** Builds a copy of the tree in `root` and packs it there. */
function packInto (root: string): { tarball: string, packedFiles: string[] } {
  const source = join(root, 'source')
  mkdirSync(source)
  for (const entry of readdirSync(REPO)) {
    if (NOT_COPIED.has(entry) || entry.endsWith('.tgz')) continue
    cpSync(join(REPO, entry), join(source, entry), { recursive: true })
  }
  symlinkSync(join(REPO, 'node_modules'), join(source, 'node_modules'), 'dir')
  mustRun('npm', ['run', 'build'], source)

  const packOutput = mustRun('npm', ['pack', '--json', '--pack-destination', root], source)
  const [packed] = JSON.parse(packOutput) as Array<{ filename: string, files: Array<{ path: string }> }>
  if (packed === undefined) throw new Error(`npm pack printed no package:\n${packOutput}`)
  return { tarball: join(root, basename(packed.filename)), packedFiles: packed.files.map((file) => file.path) }
}

function packAndInstallIn (root: string): PackedApp {
  const { tarball, packedFiles } = packInto(root)
  return {
    root,
    tarball,
    packedFiles,
    apps: fastifyVersions(root).map(({ version, label }) => installApp(root, tarball, version, label)),
    cleanup: () => rmSync(root, { recursive: true, force: true })
  }
}

/** Every copy of `fastify` that `npm ls` finds in the application (directories). */
export function fastifyCopies (appDir: string): { status: number | null, dirs: string[], output: string } {
  const { status, stdout, output } = run('npm', ['ls', 'fastify', '--all', '--parseable'], appDir)
  const dirs = [...new Set(stdout.split('\n').filter((line) => /[\\/]node_modules[\\/]fastify$/.test(line)))]
  return { status, dirs, output }
}

export interface RunningServer {
  readonly origin: string
  /** What the application reported about the package's exports. */
  readonly exports: Record<string, boolean>
  stop (): Promise<void>
}

/** Starts a fixture server (`node <file>` in the app directory) and waits for its `{ port }` line. */
export async function startServer (appDir: string, file: string): Promise<RunningServer> {
  const child: ChildProcess = spawn(process.execPath, [file], { cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const lines = createInterface({ input: child.stdout! })
  const exited = once(child, 'exit').then(([code]) => { throw new Error(`${file} exited with ${code} before listening:\n${stderr}`) })
  const [line] = await Promise.race([once(lines, 'line'), exited]) as [string]
  lines.close()
  const { port, exports } = JSON.parse(line) as { port: number, exports: Record<string, boolean> }
  return {
    origin: `http://127.0.0.1:${port}`,
    exports,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const done = once(child, 'exit')
      child.kill('SIGTERM')
      await done
    }
  }
}

/** `name=value` pairs of a response's Set-Cookie headers, for a Cookie request header. */
export function cookieHeader (response: Response): string {
  return response.headers.getSetCookie().map((cookie) => cookie.split(';', 1)[0]).join('; ')
}
