// The Flask integration suite's two servers on loopback ports (the real Flask + Flask-Login app of
// test/flask/fixtures/app.py, and a Fastify app with fastify-login's `flask` option) and one
// cookie jar over real HTTP, as a browser on one host holds one set of cookies for both ports.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { hasExited, stopChild, track } from './child-processes.js'
import { FLASK_APP, type FlaskConfig, FLASK_SECRET, USER_AGENT } from './flask.js'
import { PYTHON } from './python.js'

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Starts the Flask app; resolves with its base URL once it answers, and a stop function. */
export async function startFlask (config: FlaskConfig = {}): Promise<{ url: string, stop: () => Promise<void> }> {
  const port = await freePort()
  const child = spawn(PYTHON, [FLASK_APP, String(port)], {
    env: { ...process.env, FLASK_TEST_CONFIG: JSON.stringify({ secret: FLASK_SECRET, ...config }) },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  track(child)
  let stderr = ''
  child.stderr?.on('data', (chunk) => { stderr += String(chunk) })
  const url = `http://127.0.0.1:${port}`
  for (let attempt = 0; ; attempt++) {
    if (hasExited(child) || attempt > 600) throw new Error(`Flask did not start: ${stderr}`)
    try {
      await fetch(`${url}/legacy/whoami`)
      break
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  return { url, stop: async () => stopChild(child) }
}

/** Listens on a loopback port; resolves with its base URL. */
export async function listen (app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
}

/** One browser: cookies per host (not per port), sent to every server on 127.0.0.1. */
export class Browser {
  readonly cookies = new Map<string, string>()
  userAgent = USER_AGENT

  async get (url: string, userAgent = this.userAgent): Promise<{ status: number, text: string }> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await fetch(url, { headers: { 'user-agent': userAgent, ...(cookie === '' ? {} : { cookie }) }, redirect: 'manual' })
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const name = pair.slice(0, pair.indexOf('='))
      const value = pair.slice(pair.indexOf('=') + 1).replace(/^"(.*)"$/, '$1')
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute) || /^\s*expires=.*1970/i.test(attribute))
      if (expired || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return { status: response.status, text: await response.text() }
  }

  async json (url: string, userAgent?: string): Promise<unknown> {
    return JSON.parse((await this.get(url, userAgent)).text)
  }
}
