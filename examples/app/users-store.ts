// Users in an embedded SQLite database (better-sqlite3), created on first use.
import Database from 'better-sqlite3'
import { createHmac } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { hashPassword, verifyPassword, decoyPasswordHash } from './passwords.js'
import { User, type UserRecord } from './user.js'

export interface SeedUser {
  username: string
  displayName: string
  password: string
  active: boolean
}

interface Row {
  id: number
  username: string
  display_name: string
  active: number
  password_hash: string
  password_changed_at: string | null
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  password_hash TEXT NOT NULL,
  password_changed_at TEXT
)`

export class UsersStore {
  readonly #db: Database.Database
  readonly #hashKey: Buffer

  /** `hashKey` keys the session auth hash (an HMAC of the stored password hash). */
  constructor (dbPath: string, hashKey: Buffer) {
    if (dbPath !== ':memory:') mkdirSync(dirname(dbPath), { recursive: true })
    this.#db = new Database(dbPath)
    this.#db.pragma('journal_mode = WAL')
    this.#db.exec(SCHEMA)
    this.#hashKey = hashKey
  }

  close (): void {
    this.#db.close()
  }

  /** Inserts `users` when the table is empty; returns how many were inserted. */
  async seedIfEmpty (users: readonly SeedUser[]): Promise<number> {
    const { count } = this.#db.prepare('SELECT COUNT(*) AS count FROM users').get() as { count: number }
    if (count > 0) return 0
    const hashes = await Promise.all(users.map((user) => hashPassword(user.password)))
    const insert = this.#db.prepare('INSERT INTO users (username, display_name, active, password_hash) VALUES (?, ?, ?, ?)')
    this.#db.transaction(() => {
      users.forEach((user, i) => insert.run(user.username, user.displayName, user.active ? 1 : 0, hashes[i]))
    })()
    return users.length
  }

  list (): User[] {
    const rows = this.#db.prepare('SELECT * FROM users ORDER BY id').all() as Row[]
    return rows.map((row) => this.#toUser(row))
  }

  findById (id: number): User | null {
    if (!Number.isSafeInteger(id) || id <= 0) return null
    const row = this.#db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined
    return row === undefined ? null : this.#toUser(row)
  }

  /** The user whose username and password match, else `null` (as slow for an unknown username). */
  async authenticate (username: string, password: string): Promise<User | null> {
    const row = this.#db.prepare('SELECT * FROM users WHERE username = ?').get(username) as Row | undefined
    if (row === undefined) {
      await verifyPassword(password, await decoyPasswordHash())
      return null
    }
    return (await verifyPassword(password, row.password_hash)) ? this.#toUser(row) : null
  }

  /** Checks `password` against the stored hash of user `id`. */
  async checkPassword (id: number, password: string): Promise<boolean> {
    const row = this.#db.prepare('SELECT password_hash FROM users WHERE id = ?').get(id) as Pick<Row, 'password_hash'> | undefined
    return row !== undefined && verifyPassword(password, row.password_hash)
  }

  /** Stores a new password hash and returns the updated user (with its new session auth hash). */
  async setPassword (id: number, password: string): Promise<User | null> {
    const hash = await hashPassword(password)
    this.#db.prepare('UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?')
      .run(hash, new Date().toISOString(), id)
    return this.findById(id)
  }

  #toUser (row: Row): User {
    const record: UserRecord = {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      active: row.active === 1,
      passwordChangedAt: row.password_changed_at
    }
    const sessionAuthHash = createHmac('sha256', this.#hashKey)
      .update('session-auth-hash\0').update(row.password_hash)
      .digest('base64url')
    return new User(record, sessionAuthHash)
  }
}
