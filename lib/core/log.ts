import type { FastifyRequest } from 'fastify'

/** A debug line in the request's log, prefixed with the plugin's name. */
export function debug (request: FastifyRequest, message: string): void {
  request.log.debug(`fastify-login: ${message}`)
}
