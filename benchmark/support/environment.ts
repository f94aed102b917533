// What a recorded run needs to say about where it ran: date, Node, package versions, machine.
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

export function describeEnvironment (root: string, redisBinary: string | null, pinning: string): string {
  const packages = ['fastify-login', ...PACKAGES].map((name) => `${name} ${version(root, name)}`).join(', ')
  const redis = redisBinary === null
    ? 'not used'
    : spawnSync(redisBinary, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^Redis server /, '')
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU'
  return [
    `date: ${new Date().toISOString().slice(0, 10)}`,
    `node: ${process.version} (${process.platform} ${process.arch})`,
    `machine: ${cpus().length} cores, ${cpu}`,
    `CPU pinning: ${pinning}`,
    `packages: ${packages}`,
    `redis-server: ${redis}`,
    `load average (1/5/15 min) at the end: ${loadavg().map((n) => n.toFixed(2)).join(' / ')}`
  ].join('\n')
}
