// The devices page's live element: the page opens a WebSocket to LIVE_PATH, a route behind
// loginRequired. The app sends nothing on it; fastify-login (with `sessions`) closes it with
// code 3000 and the reason word when this browser's session ends anywhere, and the page's script
// (public/devices-live.js) then says "You were signed out". A plain GET of the same address
// answers 204 while the browser is logged in (401 once it is not): the script asks it when the
// socket closed for another reason, e.g. it was refused because the session had already ended.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { LIVE_PATH, LIVE_SCRIPT_PATH } from './devices.js'

const SCRIPT = readFileSync(join(__dirname, '..', 'public', 'devices-live.js'))

/**
 * A browser opens a WebSocket to any site with that site's cookies (no CORS, no preflight): an
 * upgrade whose Origin is another site is refused with 403 before the socket opens.
 */
async function sameOrigin (request: FastifyRequest, reply: FastifyReply) {
  const origin = request.headers.origin
  if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) {
    return reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: 'Cross-site WebSocket refused.' })
  }
}

export default async function deviceLiveRoutes (app: FastifyInstance) {
  app.get(LIVE_SCRIPT_PATH, async (_request, reply) => {
    return reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(SCRIPT)
  })

  app.route({
    method: 'GET',
    url: LIVE_PATH,
    preHandler: [sameOrigin, app.loginRequired],
    // a plain request: "still logged in" (an anonymous one got loginRequired's 401 or redirect)
    handler: async (_request, reply) => reply.code(204).send(),
    // nothing to say: the socket stays open for fastify-login to close when the session ends
    wsHandler: () => {}
  })
}
