// The URL of the request a login flow interrupted, as the `next` it passes on: absolute
// (`<protocol>://<host><path?query>`) so that a login view on another host can lead back.
import { isIPv6 } from 'node:net'
import type { FastifyRequest } from 'fastify'

// a DNS name or IPv4 address (letters, digits, '-', '_' inside labels), or a bracketed IPv6
// address, with an optional port: nothing else may name the host of a URL we build
const LABEL = '[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?'
const HOST_RE = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[([0-9a-f:.]+)\\])(?::([0-9]{1,5}))?$`, 'i')
const MAX_HOST_LENGTH = 261
// the scheme and authority of an absolute-form request target (`GET http://host/path HTTP/1.1`)
const ABSOLUTE_FORM_RE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i

/** Whether `host` is a well-formed `host[:port]` (a Host header that can go into a URL as it is). */
export function isWellFormedHost (host: string): boolean {
  if (host.length > MAX_HOST_LENGTH) {
    return false
  }
  const match = HOST_RE.exec(host)
  if (match === null) {
    return false
  }
  const [, ipv6, port] = match
  return (ipv6 === undefined || isIPv6(ipv6)) && (port === undefined || Number(port) <= 65535)
}

/** http or https, never what a hostile X-Forwarded-Proto says beyond that. */
export function protocolOf (request: FastifyRequest): 'http' | 'https' {
  return request.protocol === 'https' ? 'https' : 'http'
}

/**
 * The path and query of the request (`request.url`, whose absolute form loses its scheme and
 * host; a target that is no path, such as `*`, is `/`).
 */
export function pathOf (request: FastifyRequest): string {
  const url = request.url
  if (url.startsWith('/')) {
    return url
  }
  const rest = url.replace(ABSOLUTE_FORM_RE, '')
  return rest.startsWith('/') ? rest : '/' + (rest.startsWith('?') ? rest : '')
}

/**
 * The request's absolute URL on `forcedHost`, else on `request.host` when well-formed; the path
 * and query alone when the request names no usable host.
 */
export function currentUrl (request: FastifyRequest, forcedHost: string | null): string {
  const path = pathOf(request)
  const host = forcedHost ?? request.host
  return forcedHost !== null || isWellFormedHost(host)
    ? `${protocolOf(request)}://${host}${path}`
    : path
}
