// Starts a benchmark server the way the runner expects: listen on 127.0.0.1 with port 0, print
// `{"port":N}` as the first line of stdout, answer the runner's `cpu-usage` IPC message with
// process.cpuUsage() (CPU time per request, which the load on a shared machine disturbs far less
// than requests per second), and close cleanly on SIGTERM/SIGINT or when the runner goes away
// (IPC disconnect), so that `node --cpu-prof` gets to write its profile on exit.
import type { FastifyInstance } from 'fastify'

/** The IPC message the runner sends to read this process's CPU time. */
export const CPU_USAGE_MESSAGE = 'cpu-usage'

export interface ServeOptions {
  /** Extra clean-up after the server closed (e.g. a Redis client). */
  onClose?: () => Promise<unknown>
}

export async function serve (app: FastifyInstance, options: ServeOptions = {}): Promise<void> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('benchmark server: no TCP address')

  let closing = false
  const stop = (): void => {
    if (closing) return
    closing = true
    app.close()
      .then(() => options.onClose?.())
      .then(() => process.exit(0), (err: unknown) => {
        console.error(err)
        process.exit(1)
      })
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  process.once('disconnect', stop)
  process.on('message', (message) => {
    if (message === CPU_USAGE_MESSAGE) process.send?.({ cpuUsage: process.cpuUsage() })
  })

  process.stdout.write(JSON.stringify({ port: address.port }) + '\n')
}

/** Runs `main` and exits with a message when it fails (a server that cannot start must not hang). */
export function start (main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
}
