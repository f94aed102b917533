// One autocannon run against one (server, scenario): requests per second, exact latency
// percentiles (autocannon's own histogram keeps whole milliseconds only, too coarse for a 1.1×
// p99 target), and the responses whose status was not the expected one.
import autocannon from 'autocannon'

export interface LoadOptions {
  url: string
  headers: Record<string, string>
  /** Seconds. */
  duration: number
  connections: number
  expectStatus: number
}

export interface LoadResult {
  requestsPerSecond: number
  /** Milliseconds. */
  p50: number
  p99: number
  total: number
  /** Responses with another status than `expectStatus`, plus connection errors and timeouts. */
  bad: number
  statuses: Record<string, number>
  /** Server CPU time (user + system) per response, in microseconds; filled in by the runner. */
  cpuPerRequest: number
  /** Share of the server's CPU stolen by the hypervisor during the run (0..1, NaN when unknown); filled in by the runner. */
  steal: number
}

/** Latency samples, grown by doubling; one run keeps well under a million. */
class Samples {
  private values = new Float64Array(1 << 16)
  length = 0

  push (value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2)
      grown.set(this.values)
      this.values = grown
    }
    this.values[this.length++] = value
  }

  /** Nearest-rank percentiles (p in 0..100) of the samples. */
  percentiles (...ps: number[]): number[] {
    const sorted = this.values.subarray(0, this.length).sort()
    return ps.map((p) => sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!)
  }
}

export function runLoad (options: LoadOptions): Promise<LoadResult> {
  const samples = new Samples()
  let unexpected = 0
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url: options.url,
      headers: options.headers,
      connections: options.connections,
      duration: options.duration,
      timeout: 10
    }, (err, result) => {
      if (err !== null) return reject(err)
      const [p50, p99] = samples.percentiles(50, 99)
      const statuses: Record<string, number> = {}
      for (const [code, { count }] of Object.entries(result.statusCodeStats)) statuses[code] = count
      resolve({
        requestsPerSecond: result.requests.average,
        p50: p50!,
        p99: p99!,
        total: samples.length,
        bad: unexpected + result.errors, // autocannon counts timeouts among errors
        statuses,
        cpuPerRequest: NaN,
        steal: NaN
      })
    })
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      samples.push(responseTime)
      if (Number(statusCode) !== options.expectStatus) unexpected++
    })
  })
}
