// @fastify/session's store outside any request (a revocation, the early reads' watch): found
// through Fastify's request class, which @fastify/session decorates with a `sessionStore` getter.
import type { FastifyInstance } from 'fastify'

/**
 * @fastify/session's store, outside any request: it decorates the request with a `sessionStore`
 * getter, which lives on the prototype of the instance's request class.
 */
export function sessionStoreOf<Store> (fastify: FastifyInstance): Store {
  const symbols: symbol[] = []
  for (let o: object | null = fastify; o !== null; o = Object.getPrototypeOf(o)) {
    symbols.push(...Object.getOwnPropertySymbols(o))
  }
  const requestClass = symbols.find((symbol) => symbol.description === 'fastify.Request') as symbol
  const RequestClass = (fastify as unknown as Record<symbol, unknown>)[requestClass] as { prototype: { sessionStore: Store } }
  return RequestClass.prototype.sessionStore
}
