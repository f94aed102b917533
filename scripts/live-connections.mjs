// Measures live connections on one process (not a test, not part of npm test):
//   node --expose-gc scripts/live-connections.mjs [sessions=1000] [socketsPerSession=10]
// A child process serves fastify-login with `sessions` (memory store) and @fastify/websocket;
// this process logs `sessions` sessions in (100 users) over HTTP and opens `socketsPerSession`
// WebSockets on each. It prints the server's memory per open connection, then times
// loginManager.revokeAllSessions of one user until every socket of that user saw its close
// (code 3000), and checks that no other socket closed. Needs `npm run build` first.
import { fork } from 'node:child_process'
import { once } from 'node:events'
import http from 'node:http'
import { fileURLToPath } from 'node:url'

const USERS = 100

async function serve () {
  const { default: Fastify } = await import('fastify')
  const { default: fastifyWebsocket } = await import('@fastify/websocket')
  const { default: fastifyLogin, UserMixin } = await import('fastify-login')
  class User extends UserMixin { constructor (id) { super(); this.id = id } }
  const users = new Map(Array.from({ length: USERS }, (_, i) => [`u${i}`, new User(`u${i}`)]))
  const app = Fastify()
  await app.register(fastifyWebsocket)
  await app.register(fastifyLogin, { secret: 'a-benchmark-secret-that-is-32-bytes!!', userLoader: (id) => users.get(id) ?? null, sessions: true })
  app.post('/login/:id', async (request) => ({ ok: await request.loginUser(users.get(request.params.id)) }))
  app.get('/live', { websocket: true, preHandler: app.loginRequired }, (socket) => { socket.send('hi') })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  process.on('message', async (message) => {
    if (message.op === 'memory') {
      globalThis.gc?.()
      process.send({ op: 'memory', usage: process.memoryUsage() })
    } else if (message.op === 'revoke') {
      const started = performance.now()
      const ended = await app.loginManager.revokeAllSessions(message.userId)
      process.send({ op: 'revoked', ended, ms: performance.now() - started })
    } else if (message.op === 'close') {
      await app.close()
      process.exit(0)
    }
  })
  process.send({ op: 'ready', address })
}

function login (address, userId) {
  return new Promise((resolve, reject) => {
    const request = http.request(`${address}/login/${userId}`, { method: 'POST' }, (response) => {
      response.resume()
      resolve(response.headers['set-cookie'].map((cookie) => cookie.split(';')[0]).join('; '))
    })
    request.on('error', reject)
    request.end()
  })
}

async function measure () {
  const { default: WebSocket } = await import('ws')
  const sessions = Number(process.argv[2] ?? 1000)
  const perSession = Number(process.argv[3] ?? 10)
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--expose-gc'] })
  const ask = async (message, reply) => { child.send(message); for (;;) { const [answer] = await once(child, 'message'); if (answer.op === reply) return answer } }
  const [{ address }] = await once(child, 'message')
  const before = (await ask({ op: 'memory' }, 'memory')).usage
  const sockets = []
  for (let s = 0; s < sessions; s++) {
    const userId = `u${s % USERS}`
    const cookie = await login(address, userId)
    const opened = []
    for (let k = 0; k < perSession; k++) {
      const socket = new WebSocket(address.replace('http', 'ws') + '/live', { headers: { cookie } })
      const entry = { userId, socket, closed: null }
      socket.on('close', (code) => { entry.closed = { code, at: performance.now() } })
      opened.push(once(socket, 'message'))
      sockets.push(entry)
    }
    await Promise.all(opened)
  }
  const after = (await ask({ op: 'memory' }, 'memory')).usage
  const perConnection = (key) => ((after[key] - before[key]) / sockets.length / 1024).toFixed(1)
  console.log(`${sockets.length} WebSockets over ${sessions} sessions (${USERS} users)`)
  console.log(`server memory per open connection: heapUsed ${perConnection('heapUsed')} KiB, rss ${perConnection('rss')} KiB`)
  const target = sockets.filter((entry) => entry.userId === 'u0')
  const started = performance.now()
  const revoked = await ask({ op: 'revoke', userId: 'u0' }, 'revoked')
  await Promise.all(target.map((entry) => entry.closed === null ? once(entry.socket, 'close') : null))
  const last = Math.max(...target.map((entry) => entry.closed.at)) - started
  const others = sockets.filter((entry) => entry.userId !== 'u0' && entry.closed !== null).length
  console.log(`revokeAllSessions('u0'): ${revoked.ended} sessions ended in ${revoked.ms.toFixed(1)} ms; its ${target.length} sockets all closed (codes ${[...new Set(target.map((entry) => entry.closed.code))].join(', ')}) ${last.toFixed(1)} ms after the call; other sockets closed: ${others}`)
  for (const entry of sockets) entry.socket.terminate()
  child.send({ op: 'close' })
  await once(child, 'exit')
}

if (process.argv[2] === '--serve') await serve()
else await measure()
