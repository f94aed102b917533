// What a recorded run needs to say about where it ran: date, commit, Node, package versions, machine.
import { readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'

const PACKAGES = ['fastify', '@fastify/secure-session', '@fastify/session', '@fastify/cookie',
  '@fastify/passport', 'connect-redis', 'redis', 'autocannon']

function version (root: string, name: string): string {
  try {
    const path = name === 'fastify-login' ? join(root, 'package.json') : join(root, 'node_modules', name, 'package.json')
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version
  } catch {
    return 'not installed'
  }
}

/** The commit of the tree that was measured, "(modified)" when the work tree differs from it. */
function commit (root: string): string {
  const head = spawnSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' })
  if (head.status !== 0) return 'unknown (not a git checkout)'
  const status = spawnSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' })
  return `${head.stdout.trim()}${status.stdout.trim() === '' ? '' : ' (modified)'}`
}

export function describeEnvironment (root: string, redisBinary: string | null, pinning: string): string {
  const packages = ['fastify-login', ...PACKAGES].map((name) => `${name} ${version(root, name)}`).join(', ')
  const redis = redisBinary === null
    ? 'not used'
    : spawnSync(redisBinary, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^Redis server /, '')
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU'
  return [
    `date: ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC`,
    `commit: ${commit(root)}`,
    `node: ${process.version} (${process.platform} ${process.arch})`,
    `machine: ${cpus().length} cores, ${cpu}`,
    `CPU pinning: ${pinning}`,
    `packages: ${packages}`,
    `redis-server: ${redis}`,
    `load average (1/5/15 min) at the end: ${loadavg().map((n) => n.toFixed(2)).join(' / ')}`
  ].join('\n')
}
