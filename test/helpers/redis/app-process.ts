// Runs test/redis/fixtures/app.ts (or another fixture app) in a child process and waits for the
// port it listens on.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { stopChild, track } from '../child-processes.js'

export interface AppEnv {
  REDIS_URL: string
  SESSION_SECRET: string
  LOGIN_SECRET: string
}

export interface AppProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** What the child wrote on stderr (its log), for failure messages. */
  log (): string
  /** SIGTERM (the app closes Fastify and its Redis client), SIGKILL when it lingers; safe to call twice. */
  stop (): Promise<void>
  /** SIGTERM only: the app closes, and its process exits when nothing is left open. */
  terminate (): void
  /** How the process exited, once it has. */
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

const FIXTURE = join(__dirname, '..', '..', 'redis', 'fixtures', 'app.ts')
const START_WITHIN_MS = 120_000
const STOP_WITHIN_MS = 5_000

/** `fixture`: the path of an app that prints `{"port":N}` as fixtures/app.ts does; `env` may add variables for it. */
export async function startApp (env: AppEnv & Record<string, string>, fixture = FIXTURE): Promise<AppProcess> {
  // stdin stays an open pipe: the app exits when it closes, so it never outlives this process.
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  track(child)
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })

  let log = ''
  child.stderr?.on('data', (chunk: Buffer) => { log = (log + chunk.toString('utf8')).slice(-8000) })

  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    let settled = false
    const fail = (why: string): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      lines.close()
      stopChild(child, STOP_WITHIN_MS).finally(() => reject(new Error(`fixture app ${why}:\n${log}`)))
    }
    const timer = setTimeout(() => fail(`printed no port within ${START_WITHIN_MS} ms`), START_WITHIN_MS)
    child.once('error', (err) => fail(`could not start: ${err.message}`))
    child.once('exit', (code, signal) => fail(`exited before listening (code ${code}, signal ${signal})`))
    lines.on('line', (line) => {
      let message: unknown
      try {
        message = JSON.parse(line)
      } catch {
        return
      }
      const value = (message as { port?: unknown } | null)?.port
      if (typeof value === 'number' && !settled) {
        settled = true
        clearTimeout(timer)
        lines.close()
        child.stdout?.resume() // keep draining, so a stray write can never block the child
        resolve(value)
      }
    })
  })

  return {
    url: `http://127.0.0.1:${port}`,
    log: () => log,
    stop: () => stopChild(child, STOP_WITHIN_MS),
    terminate: () => { child.kill('SIGTERM') },
    exited
  }
}
