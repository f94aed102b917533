// A loopback TCP proxy in front of a redis-server: each chunk a client sends, and each chunk Redis
// answers, goes through a hook that decides whether (and watches what) is forwarded. The base of
// the silent proxy and the round-trip counter. Closed in `t.after`.
import type { TestContext } from 'node:test'
import { once } from 'node:events'
import { connect, createServer, type Socket } from 'node:net'

export interface ProxyHooks {
  /** A client sent `chunk`: return whether it goes on to Redis. */
  toRedis (chunk: Buffer): boolean
  /** Redis answered `chunk`: return whether it goes on to the client. */
  toClient (chunk: Buffer): boolean
}

export interface RedisProxy {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
}

export async function startRedisProxy (t: Pick<TestContext, 'after'>, redisPort: number, hooks: ProxyHooks): Promise<RedisProxy> {
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
    client.on('data', (chunk: Buffer) => { if (hooks.toRedis(chunk)) upstream.write(chunk) })
    upstream.on('data', (chunk: Buffer) => { if (hooks.toClient(chunk)) client.write(chunk) })
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
  return { url: `redis://127.0.0.1:${port}`, port }
}
