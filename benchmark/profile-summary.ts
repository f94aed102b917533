// Summarises a `node --cpu-prof` profile of a benchmark server (BENCH_CPU_PROF=d npm run bench):
// self time by package and the hottest functions, with inclusive time for fastify-login's own.
// Usage: node --import tsx benchmark/profile-summary.ts <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  hitCount?: number
  children?: number[]
}
interface Profile { nodes: ProfileNode[], samples: number[] }

/** Which package a script belongs to: fastify-login's dist, a node_modules package, Node, or other. */
export function packageOf (url: string, functionName = ''): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)'
  if (url.startsWith('node:')) return 'node: internals'
  const modules = url.lastIndexOf('/node_modules/')
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/')
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  if (url.includes('/dist/')) return 'fastify-login (dist)'
  if (url.includes('/benchmark/')) return 'benchmark server'
  return url
}

function main (): void {
  const [file, topArg] = process.argv.slice(2)
  if (file === undefined) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]')
  const top = topArg === undefined ? 25 : Number(topArg)
  if (!Number.isInteger(top) || top < 1) throw new Error(`top must be a positive integer, got ${topArg}`)
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  // Percentages are of the busy samples: the server idles between its own runs.
  const idle = profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').reduce((sum, node) => sum + (node.hitCount ?? 0), 0)
  const total = profile.samples.length - idle
  const pct = (n: number): string => `${((100 * n) / total).toFixed(1).padStart(5)}%`

  const selfByPackage = new Map<string, number>()
  const selfByFunction = new Map<string, number>()
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0
    const { functionName, url, lineNumber } = node.callFrame
    if (hits === 0 || functionName === '(idle)') continue
    const pkg = packageOf(url, functionName)
    selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + hits)
    const name = url === '' ? pkg : `${functionName || '(anonymous)'} ${pkg === url ? url : pkg}:${lineNumber + 1}`
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + hits)
  }

  // Inclusive samples of fastify-login functions (each sample counted once per function).
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const inclusive = new Map<string, number>()
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0
    if (hits === 0) continue
    const seen = new Set<string>()
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame
      if (packageOf(frame.url) !== 'fastify-login (dist)') continue
      const name = `${frame.functionName || '(anonymous)'} ${frame.url.slice(frame.url.indexOf('/dist/') + 1)}:${frame.lineNumber + 1}`
      if (!seen.has(name)) {
        seen.add(name)
        inclusive.set(name, (inclusive.get(name) ?? 0) + hits)
      }
    }
  }

  const sorted = (map: Map<string, number>, n: number): Array<[string, number]> => [...map].sort((x, y) => y[1] - x[1]).slice(0, n)
  const lines = [`${file}: ${total} busy samples (${idle} idle left out)`, '', 'self time by package:']
  for (const [name, hits] of sorted(selfByPackage, 15)) lines.push(`  ${pct(hits)}  ${name}`)
  lines.push('', `hottest functions (self time), top ${top}:`)
  for (const [name, hits] of sorted(selfByFunction, top)) lines.push(`  ${pct(hits)}  ${name}`)
  lines.push('', 'fastify-login functions (inclusive time):')
  for (const [name, hits] of sorted(inclusive, 15)) lines.push(`  ${pct(hits)}  ${name}`)
  process.stdout.write(lines.join('\n') + '\n')
}

main()
