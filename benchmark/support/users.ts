// The user store every benchmark server shares: 1 000 users in a Map, looked up by numeric id.
// The class follows fastify-login's LoginUser protocol without importing the plugin, so the
// servers that do not use fastify-login load exactly what they would in an application.

export class BenchUser {
  readonly isAnonymous = false as const

  constructor (readonly id: number, readonly name: string) {}

  get isActive (): boolean { return true }
  get isAuthenticated (): boolean { return true }
  getId (): string { return String(this.id) }
}

export const USER_COUNT = 1000

export const users: ReadonlyMap<number, BenchUser> = new Map(
  Array.from({ length: USER_COUNT }, (_, i) => [i + 1, new BenchUser(i + 1, `user${i + 1}`)])
)

/** The user the runner logs in as; the scenarios check that responses name this user. */
export const BENCH_USER_ID = 42

/** `users.get` for an id that arrives as a string (session value, token payload); `null` when unknown. */
export function findUser (id: unknown): BenchUser | null {
  return users.get(Number(id)) ?? null
}
