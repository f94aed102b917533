// A loopback TCP proxy in front of a redis-server that can go silent: it keeps every connection
// open but stops forwarding in both directions, as a Redis that hangs (or a network that drops
// packets) looks to a client. Closed in `t.after`.
import type { TestContext } from 'node:test'
import { once } from 'node:events'
import { connect, createServer, type Socket } from 'node:net'

export interface SilentProxy {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** From now on nothing is forwarded; connections stay open, new ones are accepted. */
  silence (): void
}

export async function startSilentProxy (t: Pick<TestContext, 'after'>, redisPort: number): Promise<SilentProxy> {
  let silent = false
  const sockets = new Set<Socket>()
  const track = (socket: Socket): void => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
  }
  const server = createServer((client) => {
    const upstream = connect(redisPort, '127.0.0.1')
    track(client)
    track(upstream)
    client.on('data', (chunk) => { if (!silent) upstream.write(chunk) })
    upstream.on('data', (chunk) => { if (!silent) client.write(chunk) })
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(async () => {
    for (const socket of sockets) socket.destroy()
    server.close()
    await once(server, 'close')
  })
  const { port } = server.address() as { port: number }
  return { url: `redis://127.0.0.1:${port}`, silence: () => { silent = true } }
}
