// Home and profile: what a visitor sees, logged in or not.
import type { FastifyInstance } from 'fastify'
import { renderPage } from '../render.js'
import { isUser } from '../user.js'

export default async function pageRoutes (app: FastifyInstance) {
  app.get('/', async (request, reply) => {
    return renderPage(request, reply, 'home.ejs', { title: 'Home' })
  })

  app.get('/profile', { preHandler: app.loginRequired }, async (request, reply) => {
    const user = request.currentUser
    if (!isUser(user)) throw new Error('loginRequired let an anonymous user through')
    return renderPage(request, reply, 'profile.ejs', { title: 'Profile', user, origin: `${request.protocol}://${request.host}` })
  })
}
