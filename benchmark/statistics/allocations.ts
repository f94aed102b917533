// Allocations per request from a sampling heap profile (V8's HeapProfiler, over a fixed number of
// requests): the whole process's, those made in fastify-login's own functions (self), and those
// made anywhere below one of them on the stack (inclusive: the promises its code creates, the
// engine calls it makes, the application's loaders it calls). Pure: no I/O.

/** The shape of V8's SamplingHeapProfile node (only what is read here). */
export interface HeapNode {
  callFrame: { functionName: string, url: string, lineNumber: number }
  selfSize: number
  children: HeapNode[]
}

export interface FunctionBytes {
  /** `name file:line` (line 1-based). */
  where: string
  bytesPerRequest: number
}

export interface AllocationSummary {
  requests: number
  totalPerRequest: number
  ownPerRequest: number
  inclusivePerRequest: number
  /** fastify-login's functions by the bytes they allocated themselves, largest first. */
  top: FunctionBytes[]
}

/** Where a frame is: the file's name under `root` (its last path parts) and the 1-based line. */
function whereOf (node: HeapNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame
  const file = url.slice(url.indexOf(root) + root.length).replace(/^\/+/, '')
  return `${functionName === '' ? '(anonymous)' : functionName} ${file}:${lineNumber + 1}`
}

/**
 * Sums the profile: `isOwn(url)` tells fastify-login's frames. A frame below an own frame counts
 * toward the inclusive figure once, however many own frames are above it.
 */
export function summarizeAllocations (head: HeapNode, isOwn: (url: string) => boolean, root: string, requests: number, topCount = 8): AllocationSummary {
  let total = 0
  let own = 0
  let inclusive = 0
  const byFunction = new Map<string, number>()
  const walk = (node: HeapNode, underOwn: boolean): void => {
    const mine = isOwn(node.callFrame.url)
    total += node.selfSize
    if (mine) {
      own += node.selfSize
      const where = whereOf(node, root)
      byFunction.set(where, (byFunction.get(where) ?? 0) + node.selfSize)
    }
    if (mine || underOwn) inclusive += node.selfSize
    for (const child of node.children) walk(child, mine || underOwn)
  }
  walk(head, false)
  const per = (bytes: number): number => requests > 0 ? bytes / requests : NaN
  const top = [...byFunction]
    .filter(([, bytes]) => bytes > 0)
    .sort((x, y) => y[1] - x[1])
    .slice(0, topCount)
    .map(([where, bytes]) => ({ where, bytesPerRequest: per(bytes) }))
  return { requests, totalPerRequest: per(total), ownPerRequest: per(own), inclusivePerRequest: per(inclusive), top }
}
