// Error and not-found pages: JSON for the API (and for clients that ask for JSON),
// an HTML page for browsers. Errors keep Fastify's shape: { statusCode, code, error, message }.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { STATUS_CODES } from 'node:http'
import { renderPage } from './render.js'

function wantsJson (request: FastifyRequest): boolean {
  if (request.url === '/api' || request.url.startsWith('/api/') || request.url.startsWith('/api?')) return true
  const accept = request.headers.accept ?? ''
  return /json/i.test(accept) && !/text\/html/i.test(accept)
}

function explain (statusCode: number, code: string | undefined): string {
  if (code?.startsWith('FST_CSRF') === true) return 'This form has expired. Go back, reload the page and try again.'
  if (statusCode === 404) return 'There is no page at this address.'
  if (statusCode >= 500) return 'Something went wrong on our side.'
  return 'The request could not be handled.'
}

function sendError (request: FastifyRequest, reply: FastifyReply, statusCode: number, code: string | undefined, message: string) {
  reply.code(statusCode)
  const error = STATUS_CODES[statusCode] ?? 'Error'
  if (wantsJson(request)) return reply.send({ statusCode, ...(code === undefined ? {} : { code }), error, message })
  return renderPage(request, reply, 'error.ejs', { title: error, statusCode, error, message: explain(statusCode, code) })
}

export function installErrorPages (app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const statusCode = err.statusCode !== undefined && err.statusCode >= 400 ? err.statusCode : 500
    if (statusCode >= 500) request.log.error({ err }, 'request failed')
    // never show an internal error's message to the client
    return sendError(request, reply, statusCode, err.code, statusCode >= 500 ? 'Internal Server Error' : err.message)
  })

  app.setNotFoundHandler((request, reply) => {
    return sendError(request, reply, 404, undefined, `Route ${request.method}:${request.url.split('?')[0]} not found`)
  })
}
