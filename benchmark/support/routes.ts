// Replies shared by every benchmark server, so the servers differ only in their login checks.
import type { FastifyReply } from 'fastify'
import { BENCH_USER_ID, findUser, type BenchUser } from './users.js'

export const PUBLIC_BODY = { hello: 'world' } as const

/** What /protected and the other logged-in routes answer. */
export function profile (user: BenchUser): { name: string } {
  return { name: user.name }
}

/** The 401 of the servers without fastify-login (fastify-login sends its own). */
export function unauthorized (reply: FastifyReply): FastifyReply {
  return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Please log in to access this page.' })
}

/** The login route's body: which user to log in as (the runner logs in once per server). */
export interface LoginBody { id?: number }

/** The user named by a login request, defaulting to the benchmark user. */
export function loginTarget (body: LoginBody | undefined): BenchUser | null {
  return findUser(body?.id ?? BENCH_USER_ID)
}
