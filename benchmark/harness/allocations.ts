// BENCH_ALLOC: allocations per request, per (route, server). For each, the server starts V8's
// sampling heap profiler (fixtures/heap-sampling.ts, asked over IPC), the runner sends exactly
// BENCH_ALLOC requests, the server stops it and sends the profile back, and
// statistics/allocations.ts sums it. A count of requests, not a duration: the figure does not
// depend on how fast the machine is, and other load on it cannot move it.
import type { ChildProcess } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import autocannon from 'autocannon'
import { HEAP_START_MESSAGE, HEAP_STOP_MESSAGE } from '../fixtures/heap-sampling.js'
import { summarizeAllocations, type AllocationSummary, type HeapNode } from '../statistics/allocations.js'

const TIMEOUT_MS = 120_000

/** Sends `message` and resolves with the value of `key` in the child's first answer that has it. */
function ask<T> (child: ChildProcess, message: string, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`a benchmark server did not answer ${message}`)), TIMEOUT_MS)
    function finish (err: Error | null, value?: T): void {
      clearTimeout(timer)
      child.off('message', onMessage)
      if (err === null) resolve(value as T)
      else reject(err)
    }
    function onMessage (answer: unknown): void {
      if (typeof answer === 'object' && answer !== null && key in answer) finish(null, (answer as Record<string, T>)[key])
    }
    child.on('message', onMessage)
    child.send(message)
  })
}

export interface AllocationRun {
  child: ChildProcess
  url: string
  headers: Record<string, string>
  requests: number
  expectStatus: number
}

/** fastify-login's compiled files: `<root>/dist/` (a CommonJS frame names its path, an ES module's its URL). */
export const ownFiles = (root: string): ((url: string) => boolean) => {
  const path = `${root}/dist/`
  const url = pathToFileURL(path).href
  return (frame) => frame.startsWith(path) || frame.startsWith(url)
}

export async function measureAllocations (run: AllocationRun, root: string): Promise<AllocationSummary & { bad: number }> {
  await ask(run.child, HEAP_START_MESSAGE, 'heapStarted')
  let bad = 0
  let responses = 0
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: run.url, headers: run.headers, connections: 10, amount: run.requests, timeout: 10 }, (err, done) => {
      if (err !== null) reject(err)
      else resolve(done)
    })
    instance.on('response', (_client, statusCode) => {
      responses++
      if (Number(statusCode) !== run.expectStatus) bad++
    })
  })
  const profile = await ask<{ head: HeapNode }>(run.child, HEAP_STOP_MESSAGE, 'heapProfile')
  return { ...summarizeAllocations(profile.head, ownFiles(root), `${root}/dist`, responses), bad: bad + result.errors }
}
