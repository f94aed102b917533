// "Your devices": every session of the user (fastify-login's tracked sessions), ending one of
// them, and logging out all the others. Ending another device needs a fresh login: a login older
// than FRESH_FOR (or restored from the remember cookie) is sent to /reauth first and comes back
// to the GET of the same address, which asks once more before anything ends. The page keeps a
// WebSocket open (routes/devices-live.ts) that says "You were signed out" when its session ends.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SessionInfo } from 'fastify-login'
import { renderPage } from '../render.js'
import { describeUserAgent } from '../user-agent.js'

export const DEVICES_PATH = '/settings/devices'
/** The devices page's live element (routes/devices-live.ts). */
export const LIVE_PATH = `${DEVICES_PATH}/live`
export const LIVE_SCRIPT_PATH = '/assets/devices-live.js'
const OTHERS_PATH = `${DEVICES_PATH}/log-out-others`

interface IdParams { Params: { id: string } }

export interface DeviceRow {
  id: string
  browser: string
  ip: string
  createdAt: Date
  lastSeenAt: Date
  current: boolean
  remembered: boolean
}

function toRow (session: SessionInfo): DeviceRow {
  const { id, ip, createdAt, lastSeenAt, current, remembered } = session
  return { id, browser: describeUserAgent(session.userAgent), ip, createdAt, lastSeenAt, current, remembered }
}

async function findDevice (request: FastifyRequest, id: string): Promise<DeviceRow | null> {
  const session = (await request.listSessions()).find((candidate) => candidate.id === id)
  return session === undefined ? null : toRow(session)
}

function backToDevices (request: FastifyRequest, reply: FastifyReply, category: string, message: string) {
  request.flash(category, message)
  return reply.redirect(DEVICES_PATH, 303)
}

function plural (count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

export default async function deviceRoutes (app: FastifyInstance) {
  app.get(DEVICES_PATH, { preHandler: app.loginRequired }, async (request, reply) => {
    const devices = (await request.listSessions()).map(toRow)
    return renderPage(request, reply, 'devices.ejs', { title: 'Your devices', devices, othersPath: OTHERS_PATH, livePath: LIVE_PATH, liveScriptPath: LIVE_SCRIPT_PATH })
  })

  // Where /reauth brings the user back to after a POST below asked for the password.
  app.get<IdParams>(`${DEVICES_PATH}/:id/end`, { preHandler: app.freshLoginRequired }, async (request, reply) => {
    const device = await findDevice(request, request.params.id)
    if (device === null) return backToDevices(request, reply, 'error', 'That session has already ended.')
    return renderPage(request, reply, 'device-end.ejs', { title: 'End a session', device })
  })

  app.post<IdParams>(`${DEVICES_PATH}/:id/end`, { preHandler: [app.freshLoginRequired, app.csrfProtection] }, async (request, reply) => {
    const device = await findDevice(request, request.params.id)
    if (device === null || !await request.revokeSession(device.id)) {
      return backToDevices(request, reply, 'error', 'That session has already ended.')
    }
    if (device.current) { // ended like logoutUser: this browser is logged out
      request.flash('info', 'You have been logged out.')
      return reply.redirect('/', 303)
    }
    return backToDevices(request, reply, 'success', `Logged out ${device.browser} (${device.ip}).`)
  })

  app.get(OTHERS_PATH, { preHandler: app.freshLoginRequired }, async (request, reply) => {
    return renderPage(request, reply, 'devices-others.ejs', { title: 'Log out all other devices', othersPath: OTHERS_PATH })
  })

  app.post(OTHERS_PATH, { preHandler: [app.freshLoginRequired, app.csrfProtection] }, async (request, reply) => {
    const ended = await request.logoutOtherSessions()
    if (ended === 0) return backToDevices(request, reply, 'info', 'There were no other devices to log out.')
    return backToDevices(request, reply, 'success', `Logged out ${plural(ended, 'other device')}. This device stays logged in.`)
  })
}
