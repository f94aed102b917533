// The JSON API: trade credentials for a bearer token, then call /api/me with it.
// Bearer tokens are read by the app's requestLoader (see app.ts); '/api' is mapped
// to no login view, so an anonymous API call gets 401 JSON, never a redirect.
import type { FastifyInstance } from 'fastify'
import { ApiTokens, API_TOKEN_MAX_AGE } from '../api-tokens.js'
import { isUser } from '../user.js'
import type { UsersStore } from '../users-store.js'

interface Options { users: UsersStore, tokens: ApiTokens }

const credentialsSchema = {
  type: 'object',
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 200 },
    password: { type: 'string', minLength: 1, maxLength: 1024 }
  }
} as const

function unauthorized (message: string) {
  return { statusCode: 401, code: 'INVALID_CREDENTIALS', error: 'Unauthorized', message }
}

export default async function apiRoutes (app: FastifyInstance, { users, tokens }: Options) {
  app.post('/api/token', { schema: { body: credentialsSchema } }, async (request, reply) => {
    const { username, password } = request.body as { username: string, password: string }
    const user = await users.authenticate(username.trim(), password)
    if (user === null) return reply.code(401).send(unauthorized('Invalid username or password.'))
    if (!user.isActive) return reply.code(401).send(unauthorized('This account is deactivated.'))
    return { token: tokens.issue(user), tokenType: 'Bearer', expiresIn: API_TOKEN_MAX_AGE }
  })

  app.get('/api/me', { preHandler: app.loginRequired }, async (request) => {
    const user = request.currentUser
    if (!isUser(user)) throw new Error('loginRequired let an anonymous user through')
    return { id: user.id, username: user.username, displayName: user.displayName }
  })
}
