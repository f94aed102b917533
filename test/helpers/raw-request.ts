import { connect } from 'node:net'
import type { FastifyInstance } from 'fastify'

export interface RawResponse {
  status: number
  /** Lower-cased header names; repeated headers (Set-Cookie) joined with '\n'. */
  headers: Record<string, string>
  body: string
}

/** Sends `head` (request line and headers, without the blank line) over a real socket to `app`. */
export async function rawRequest (app: FastifyInstance, head: string): Promise<RawResponse> {
  const { port } = app.server.address() as { port: number }
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    socket.on('data', (chunk) => { received += chunk.toString('latin1') })
    socket.on('error', reject)
    socket.on('close', () => resolve(received))
    socket.end(`${head}\r\nConnection: close\r\n\r\n`)
  })
  const split = text.indexOf('\r\n\r\n')
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] = headers[name] === undefined ? value : `${headers[name]}\n${value}`
  }
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body: text.slice(split + 4) }
}
