// Starts the example application on 127.0.0.1, port 0, with its own temporary database.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp, type BuildAppOptions } from '../../../examples/app/app.js'

/** What a test may choose about the app it runs against; the rest is fixed here. */
export type ExampleAppOptions = Pick<BuildAppOptions, 'redisUrl'>

export interface RunningApp {
  baseURL: string
  close (): Promise<void>
}

export async function startExampleApp (options: ExampleAppOptions = {}): Promise<RunningApp> {
  const dir = await mkdtemp(join(tmpdir(), 'fastify-login-e2e-'))
  const app = await buildApp({ ...options, dbPath: join(dir, 'users.db'), secret: randomBytes(32).toString('hex') })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  return {
    baseURL: `http://127.0.0.1:${port}`,
    async close () {
      await app.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
}
