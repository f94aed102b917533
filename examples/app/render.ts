// Renders a page inside the layout with what every page shows: flashed messages,
// the login state and a CSRF token for forms. `currentUser` comes from fastify-login
// itself (its context processor puts it into reply.locals).
import type { FastifyReply, FastifyRequest } from 'fastify'

export interface FlashMessage { category: string, message: string }

function takeFlashes (request: FastifyRequest, reply: FastifyReply): FlashMessage[] {
  // Only touch the session when something is waiting: reading the flash store
  // empties it, which would otherwise write a session cookie for every visitor.
  const pending = request.session.get('flash')
  if (pending === undefined || Object.keys(pending).length === 0) return []
  const all = reply.flash() as Record<string, string[]>
  return Object.entries(all).flatMap(([category, messages]) =>
    messages.map((message) => ({ category, message })))
}

/** "2025-03-04 10:22 UTC": times on the pages are in UTC, to the minute. */
export function formatTime (date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

// loginFresh(within) with a window longer than any session: was the password typed in this
// session at all (however long ago), as opposed to a login restored from the remember cookie?
const EVER = 100 * 365 * 24 * 60 * 60

export function renderPage (request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>) {
  const { freshFor } = request.server.loginManager.options
  return reply.view(template, {
    ...data,
    flashes: takeFlashes(request, reply),
    loginFresh: request.loginFresh(),
    passwordLogin: request.loginFresh(EVER),
    loginRemembered: request.loginRemembered(),
    freshMinutes: freshFor === null ? null : Math.round(freshFor / 60),
    formatTime,
    csrfToken: () => reply.generateCsrf()
  })
}

/** `path` with `next` kept, for sending a form back to itself after an error. */
export function withNext (request: FastifyRequest, path: string): string {
  const next = (request.query as Record<string, unknown> | undefined)?.next
  return typeof next === 'string' ? request.server.loginManager.loginUrl(path, next) : path
}
