import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import fastifyFlash from '@fastify/flash'
import { SESSION_COOKIE, type TestApp } from './app.js'

/** What a browser sends as Accept when it follows a link. */
export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

/**
 * Routes for the flow tests, registered after fastify-login (so the session exists for @fastify/flash):
 * GET /flashes → every flashed message by category (and clears them),
 * GET /next-target → { next: request.safeNextUrl('/fallback') }.
 */
export function flowRoutes (app: FastifyInstance): void {
  app.register(fastifyFlash)
  app.get('/flashes', async (_request, reply) => reply.flash())
  app.get('/next-target', async (request) => ({ next: request.safeNextUrl('/fallback') }))
}

/** Logs user `id` in through the helper app's POST /login/:id (query e.g. 'fresh=0&remember=1'). */
export async function logIn (request: TestApp['request'], id = '1', query = ''): Promise<void> {
  const response = await request({ method: 'POST', url: `/login/${encodeURIComponent(id)}${query === '' ? '' : '?' + query}` })
  if (response.statusCode !== 200 || response.json().ok !== true) {
    throw new Error(`login of ${id} failed: ${response.statusCode} ${response.body}`)
  }
}

/** A login restored from the remember cookie (not fresh): log in with remember, then drop the session cookie. */
export async function logInRemembered (testApp: TestApp, id = '1'): Promise<void> {
  await logIn(testApp.request, id, 'remember=1')
  testApp.jar.delete(SESSION_COOKIE)
}

/** The 401 body of a flow, as the contract writes it. */
export function deniedBody (code: 'FST_LOGIN_UNAUTHORIZED' | 'FST_LOGIN_NEEDS_REFRESH', message: string): object {
  return { statusCode: 401, code, error: 'Unauthorized', message }
}

export const LOGIN_MESSAGE = 'Please log in to access this page.'
export const REFRESH_MESSAGE = 'Please reauthenticate to access this page.'

/** The Location header of a response as a string ('' when absent). */
export function location (response: LightMyRequestResponse): string {
  const value = response.headers.location
  return typeof value === 'string' ? value : ''
}

/**
 * Fails instead of hanging when a request never gets an answer: a pending inject keeps nothing
 * alive, so node:test would otherwise cancel the whole file. Not a timing assertion: the limit
 * only turns "never answered" into a failure.
 */
export async function answeredOrHung (pending: Promise<LightMyRequestResponse>, limitMs = 5000): Promise<LightMyRequestResponse> {
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the request got no answer within ${limitMs} ms (hung)`)), limitMs)
  })
  try {
    return await Promise.race([pending, hung])
  } finally {
    clearTimeout(timer)
  }
}
