// Keeps the server under test and the load generator off each other's cores. On a small shared
// machine, autocannon and the server otherwise trade one core back and forth and req/s mostly
// measures the scheduler. With `taskset` (util-linux) and at least two allowed CPUs: each server
// process runs on the last allowed CPU; the runner (autocannon) and redis-server run on the others.
// BENCH_PIN=0 turns it off.
import { spawnSync } from 'node:child_process'

export interface CpuPlan {
  /** CPU list (taskset syntax) for the server processes; null when nothing is pinned. */
  readonly server: string | null
  /** CPU list for the runner and redis-server. */
  readonly client: string | null
  /** One line for the log and the recorded environment. */
  readonly description: string
}

const UNPINNED = (why: string): CpuPlan => ({ server: null, client: null, description: `not pinned (${why})` })

/** The CPUs this process may run on, from `taskset -p -c <pid>`; null without taskset. */
function allowedCpus (): number[] | null {
  const result = spawnSync('taskset', ['-p', '-c', String(process.pid)], { encoding: 'utf8' })
  if (result.error !== undefined || result.status !== 0) return null
  const list = /:\s*([\d,\s-]+)$/.exec(result.stdout.trim())?.[1]
  if (list === undefined) return null
  return list.split(',').flatMap((part) => {
    const [from, to] = part.trim().split('-').map(Number) as [number, number | undefined]
    return Array.from({ length: (to ?? from) - from + 1 }, (_, i) => from + i)
  })
}

/** Decides the plan and pins the runner itself (all its threads) to the client CPUs. */
export function pinCpus (): CpuPlan {
  if (process.env.BENCH_PIN === '0') return UNPINNED('BENCH_PIN=0')
  const cpus = allowedCpus()
  if (cpus === null) return UNPINNED('taskset not found')
  if (cpus.length < 2) return UNPINNED(`only CPU ${cpus.join(',')} allowed`)
  const server = String(cpus[cpus.length - 1])
  const client = cpus.slice(0, -1).join(',')
  const pinned = spawnSync('taskset', ['-a', '-p', '-c', client, String(process.pid)], { encoding: 'utf8' })
  if (pinned.status !== 0) return UNPINNED(`taskset failed: ${pinned.stderr.trim()}`)
  return { server, client, description: `servers on CPU ${server}; autocannon and redis-server on CPU ${client}` }
}

/** The command line that runs `command args` on `cpus` (unchanged when cpus is null). */
export function onCpus (cpus: string | null, command: string, args: string[]): [string, string[]] {
  return cpus === null ? [command, args] : ['taskset', ['-c', cpus, command, ...args]]
}
