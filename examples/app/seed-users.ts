// The users created on first start. Their passwords are printed on the console
// and listed in the README: this is a demo, not a place for real accounts.
import type { SeedUser } from './users-store.js'

export const SEED_USERS: readonly SeedUser[] = [
  { username: 'alice', displayName: 'Alice Liddell', password: 'wonderland-42', active: true },
  { username: 'bob', displayName: 'Bob Builder', password: 'can-we-fix-it', active: true },
  { username: 'carol', displayName: 'Carol (deactivated)', password: 'inactive-carol', active: false }
]
