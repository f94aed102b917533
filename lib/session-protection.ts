import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'

/**
 * Flask-Login 0.7's session identifier: SHA-512 (hex) of `ip|user-agent`. The IP is Fastify's
 * `request.ip`, so `trustProxy` decides whether X-Forwarded-For counts; this plugin never parses it.
 */
export function identifierFor (ip: string, userAgent: string): string {
  return createHash('sha512').update(`${ip}|${userAgent}`, 'utf8').digest('hex')
}

export function sessionIdentifier (request: FastifyRequest): string {
  return identifierFor(request.ip ?? '', request.headers['user-agent'] ?? '')
}
