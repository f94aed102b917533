// Logging in, logging out and re-authenticating (the refresh view).
import type { FastifyInstance } from 'fastify'
import { renderPage, withNext } from '../render.js'
import { isUser } from '../user.js'
import type { UsersStore } from '../users-store.js'

interface Options { users: UsersStore }

type Form = Record<string, unknown> | undefined

function field (body: Form, name: string): string {
  const value = body?.[name]
  return typeof value === 'string' ? value : ''
}

export default async function authRoutes (app: FastifyInstance, { users }: Options) {
  app.get('/login', async (request, reply) => {
    if (request.currentUser.isAuthenticated) return reply.redirect(request.safeNextUrl('/'))
    return renderPage(request, reply, 'login.ejs', { title: 'Log in', action: withNext(request, '/login') })
  })

  app.post('/login', { preHandler: app.csrfProtection }, async (request, reply) => {
    const body = request.body as Form
    const username = field(body, 'username').trim()
    const password = field(body, 'password')
    const back = withNext(request, '/login')
    if (username === '' || password === '') {
      request.flash('error', 'Enter your username and password.')
      return reply.redirect(back, 303)
    }
    const user = await users.authenticate(username, password)
    if (user === null) {
      request.flash('error', 'Invalid username or password.')
      return reply.redirect(back, 303)
    }
    // loginUser refuses an inactive user (isActive false) and returns false.
    if (!await request.loginUser(user, { remember: field(body, 'remember') === 'on' })) {
      request.flash('error', 'This account is deactivated.')
      return reply.redirect(back, 303)
    }
    request.flash('success', `Welcome, ${user.displayName}!`)
    // Only a same-site `next` is followed; anything else ends on the home page.
    return reply.redirect(request.safeNextUrl('/'), 303)
  })

  // GET shows a button (logging out on GET would let any site log you out).
  app.get('/logout', async (request, reply) => {
    if (!request.currentUser.isAuthenticated) return reply.redirect('/')
    return renderPage(request, reply, 'logout.ejs', { title: 'Log out' })
  })

  app.post('/logout', { preHandler: app.csrfProtection }, async (request, reply) => {
    await request.logoutUser()
    request.flash('info', 'You have been logged out.')
    return reply.redirect('/', 303)
  })

  // The refresh view: freshLoginRequired sends a login that is not fresh here (one restored from
  // the remember cookie, or one whose password was typed more than FRESH_FOR seconds ago).
  app.get('/reauth', { preHandler: app.loginRequired }, async (request, reply) => {
    return renderPage(request, reply, 'reauth.ejs', { title: 'Confirm your password', action: withNext(request, '/reauth') })
  })

  app.post('/reauth', { preHandler: [app.loginRequired, app.csrfProtection] }, async (request, reply) => {
    const user = request.currentUser
    if (!isUser(user)) throw new Error('loginRequired let an anonymous user through')
    if (!await users.checkPassword(user.id, field(request.body as Form, 'password'))) {
      request.flash('error', 'That password is not right.')
      return reply.redirect(withNext(request, '/reauth'), 303)
    }
    await request.confirmLogin()
    request.flash('success', 'Thanks, your login is fresh again.')
    return reply.redirect(request.safeNextUrl('/'), 303)
  })
}
