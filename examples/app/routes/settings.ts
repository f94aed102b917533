// Changing the password: needs a fresh login (a password typed in the last FRESH_FOR seconds;
// an older login is sent to /reauth and back), and ends every other login of the user.
import type { FastifyInstance } from 'fastify'
import { renderPage } from '../render.js'
import { isUser } from '../user.js'
import type { UsersStore } from '../users-store.js'

interface Options { users: UsersStore }

const MIN_LENGTH = 8
const MAX_LENGTH = 1024

export default async function settingsRoutes (app: FastifyInstance, { users }: Options) {
  app.get('/settings/password', { preHandler: app.freshLoginRequired }, async (request, reply) => {
    return renderPage(request, reply, 'password.ejs', { title: 'Change password', minLength: MIN_LENGTH })
  })

  app.post('/settings/password', { preHandler: [app.freshLoginRequired, app.csrfProtection] }, async (request, reply) => {
    const user = request.currentUser
    if (!isUser(user)) throw new Error('freshLoginRequired let an anonymous user through')
    const body = request.body as Record<string, unknown> | undefined
    const password = typeof body?.password === 'string' ? body.password : ''
    const confirm = typeof body?.confirm === 'string' ? body.confirm : ''
    let problem: string | null = null
    if (password.length < MIN_LENGTH || password.length > MAX_LENGTH) problem = `The new password needs ${MIN_LENGTH} to ${MAX_LENGTH} characters.`
    else if (password !== confirm) problem = 'The two passwords differ.'
    if (problem !== null) {
      request.flash('error', problem)
      return reply.redirect('/settings/password', 303)
    }

    const updated = await users.setPassword(user.id, password)
    if (updated === null) throw new Error(`user ${user.id} vanished`)
    // The session auth hash changed with the password: every other session and
    // remember cookie of this user stops working. Logging in again here binds the
    // new hash to this browser (keeping its remember cookie if it had one).
    await request.loginUser(updated, { remember: request.loginRemembered() })
    // Those other logins cannot come back, so take them off the devices page as well.
    await request.logoutOtherSessions()
    request.flash('success', 'Password changed. Your other browsers have been logged out.')
    return reply.redirect('/profile', 303)
  })
}
