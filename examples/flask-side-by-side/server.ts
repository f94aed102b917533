// Flask and Fastify behind one Node reverse proxy on http://127.0.0.1:3000 (PORT overrides):
// /legacy/* goes to the Flask application (legacy.py), everything else to the Fastify one.
// `npm run example:flask`; Debian's python3 with python3-flask and python3-flask-login.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import proxy from '@fastify/http-proxy'
import { buildFastify } from './app.js'

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function startFlask (secret: string): Promise<{ child: ChildProcess, url: string }> {
  const port = await freePort()
  const child = spawn(process.env.FLASK_PYTHON ?? '/usr/bin/python3', [join(__dirname, 'legacy.py'), String(port)], {
    env: { ...process.env, FLASK_SECRET_KEY: secret },
    stdio: ['ignore', 'ignore', process.env.FLASK_LOG === undefined ? 'ignore' : 'inherit']
  })
  const url = `http://127.0.0.1:${port}`
  for (let attempt = 0; attempt < 600 && child.exitCode === null; attempt++) {
    try {
      await fetch(`${url}/legacy/`)
      return { child, url }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  child.kill()
  throw new Error('the Flask application did not start (python3-flask and python3-flask-login installed?)')
}

export interface SideBySide { url: string, close: () => Promise<void> }

/** Starts the three servers; the proxy listens on `port` (0: any free port). */
export async function startSideBySide (port: number, secret = process.env.FLASK_SECRET_KEY ?? randomBytes(32).toString('hex')): Promise<SideBySide> {
  const flask = await startFlask(secret)
  const fastify = await buildFastify(secret)
  await fastify.listen({ host: '127.0.0.1', port: 0 })
  const front: FastifyInstance = Fastify()
  await front.register(proxy, { upstream: flask.url, prefix: '/legacy', rewritePrefix: '/legacy' })
  await front.register(proxy, { upstream: `http://127.0.0.1:${(fastify.server.address() as { port: number }).port}` })
  await front.listen({ host: '127.0.0.1', port })
  return {
    url: `http://127.0.0.1:${(front.server.address() as { port: number }).port}`,
    close: async () => {
      await front.close()
      await fastify.close()
      const exited = new Promise((resolve) => flask.child.once('exit', resolve))
      flask.child.kill()
      await exited
    }
  }
}

if (require.main === module) {
  startSideBySide(Number(process.env.PORT ?? 3000)).then((running) => {
    console.log(`Flask and Fastify side by side at ${running.url} (Flask under ${running.url}/legacy/)`)
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => { running.close().then(() => process.exit(0), () => process.exit(1)) })
    }
  }, (error: Error) => {
    console.error(error.message)
    process.exit(1)
  })
}
