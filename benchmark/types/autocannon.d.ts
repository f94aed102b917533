// The part of autocannon's programmatic API the runner uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  namespace autocannon {
    interface Options {
      url: string
      connections?: number
      duration?: number
      /** Send exactly this many requests (instead of running for `duration`). */
      amount?: number
      method?: string
      headers?: Record<string, string>
      pipelining?: number
      timeout?: number
    }
    interface Histogram {
      average: number
      mean: number
      stddev: number
      min: number
      max: number
      total: number
      p50: number
      p99: number
    }
    interface Result {
      requests: Histogram
      latency: Histogram
      duration: number
      errors: number
      timeouts: number
      non2xx: number
      statusCodeStats: Record<string, { count: number }>
    }
    interface Instance extends EventEmitter {
      stop (): void
      on (event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void): this
      on (event: string, listener: (...args: any[]) => void): this
    }
  }
  function autocannon (options: autocannon.Options, callback: (err: Error | null, result: autocannon.Result) => void): autocannon.Instance
  export = autocannon
}
