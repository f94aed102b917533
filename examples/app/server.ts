// Starts the example on http://127.0.0.1:3000 (PORT / HOST override) with its data in
// examples/app/data (DATA_DIR overrides; LOGIN_SECRET overrides the generated secret).
// Logins (the devices page) are kept in memory, or in Redis when REDIS_URL is set.
import { join, resolve } from 'node:path'
import { buildApp } from './app.js'
import { loadOrCreateSecret } from './secret.js'
import { SEED_USERS } from './seed-users.js'

async function main () {
  const dataDir = resolve(process.env.DATA_DIR ?? join(__dirname, 'data'))
  const secret = loadOrCreateSecret(dataDir)
  const port = Number(process.env.PORT ?? 3000)
  const host = process.env.HOST ?? '127.0.0.1'
  const app = await buildApp({
    dbPath: join(dataDir, 'users.db'),
    secret,
    logger: { level: process.env.LOG_LEVEL ?? 'warn' },
    redisUrl: process.env.REDIS_URL
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
  }
  await app.listen({ port, host })

  const address = app.server.address()
  const actualPort = typeof address === 'object' && address !== null ? address.port : port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`
  const sessions = process.env.REDIS_URL === undefined || process.env.REDIS_URL === '' ? 'in memory' : 'in Redis (REDIS_URL)'
  console.log(`\nfastify-login example running at ${url}  (data: ${dataDir}; logins kept ${sessions})\n`)
  console.log('Seeded users (username / password):')
  for (const user of SEED_USERS) {
    console.log(`  ${user.username.padEnd(8)} ${user.password.padEnd(16)} ${user.active ? '' : '(deactivated: cannot log in)'}`)
  }
  console.log('\nPasswords changed in the app are kept in the database; delete the data directory to start over.')
  console.log('Press Ctrl+C to stop.\n')
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
