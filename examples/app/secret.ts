// The secret that signs remember cookies and API tokens (and keys the session).
// LOGIN_SECRET wins; otherwise one is generated on first start and kept in the data directory.
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const MIN_SECRET_BYTES = 32

export function checkSecret (secret: string, source: string): string {
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new Error(`${source} must be at least ${MIN_SECRET_BYTES} bytes long (try: openssl rand -hex 32)`)
  }
  return secret
}

export function loadOrCreateSecret (dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOGIN_SECRET !== undefined && env.LOGIN_SECRET !== '') {
    return checkSecret(env.LOGIN_SECRET, 'LOGIN_SECRET')
  }
  const file = join(dataDir, 'secret.key')
  mkdirSync(dataDir, { recursive: true })
  try {
    // 'wx' fails when the file exists, so two processes starting at once keep one secret.
    writeFileSync(file, randomBytes(32).toString('hex') + '\n', { flag: 'wx', mode: 0o600 })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  return checkSecret(readFileSync(file, 'utf8').trim(), file)
}
