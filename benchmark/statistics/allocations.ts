// Allocations per request from a sampling heap profile (V8's HeapProfiler, over a fixed number of
// requests): the whole process's, those made in fastify-login's own functions (self), and those
// plus what V8's built-ins allocate when its functions call them (promises, `then`, Map and
// string built-ins: frames without a script). Not everything below its frames: a hook's `done()`
// runs the rest of Fastify's request, which is not the plugin's. Pure: no I/O.

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
  /** Own, plus V8 built-ins called from fastify-login's functions. */
  withBuiltinsPerRequest: number
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
 * Sums the profile: `isOwn(url)` tells fastify-login's frames; a built-in frame (no url) called
 * from one, directly or through other built-ins, counts toward the with-built-ins figure.
 */
export function summarizeAllocations (head: HeapNode, isOwn: (url: string) => boolean, root: string, requests: number, topCount = 8): AllocationSummary {
  let total = 0
  let own = 0
  let builtins = 0
  const byFunction = new Map<string, number>()
  const walk = (node: HeapNode, calledFromOwn: boolean): void => {
    const mine = isOwn(node.callFrame.url)
    const builtin = calledFromOwn && node.callFrame.url === ''
    total += node.selfSize
    if (mine) {
      own += node.selfSize
      const where = whereOf(node, root)
      byFunction.set(where, (byFunction.get(where) ?? 0) + node.selfSize)
    }
    if (builtin) builtins += node.selfSize
    for (const child of node.children) walk(child, mine || builtin)
  }
  walk(head, false)
  const per = (bytes: number): number => requests > 0 ? bytes / requests : NaN
  const top = [...byFunction]
    .filter(([, bytes]) => bytes > 0)
    .sort((x, y) => y[1] - x[1])
    .slice(0, topCount)
    .map(([where, bytes]) => ({ where, bytesPerRequest: per(bytes) }))
  return { requests, totalPerRequest: per(total), ownPerRequest: per(own), withBuiltinsPerRequest: per(own + builtins), top }
}
