// CPU time the hypervisor gave to other guests ("steal", /proc/stat) while a run went on. On a
// shared virtual machine it is what turns a run slow: a round with much steal tells a slow run
// apart from slow code. Linux only; elsewhere every reading is NaN and the column shows "—".
import { readFileSync } from 'node:fs'

export interface CpuTimes {
  readonly steal: number
  readonly total: number
}

/** The counters of `cpu<N>` (or all CPUs when `cpu` is null); null when /proc/stat is unreadable. */
export function readCpuTimes (cpu: string | null): CpuTimes | null {
  let stat: string
  try {
    stat = readFileSync('/proc/stat', 'utf8')
  } catch {
    return null
  }
  const label = cpu === null ? 'cpu' : `cpu${cpu}`
  const line = stat.split('\n').find((l) => l.startsWith(`${label} `))
  if (line === undefined) return null
  // user nice system idle iowait irq softirq steal guest guest_nice
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number)
  return { steal: fields[7] ?? 0, total: fields.reduce((sum, n) => sum + n, 0) }
}

/** Share (0..1) of the CPU's time stolen between two readings; NaN when either is missing. */
export function stealShare (before: CpuTimes | null, after: CpuTimes | null): number {
  if (before === null || after === null || after.total <= before.total) return NaN
  return (after.steal - before.steal) / (after.total - before.total)
}
