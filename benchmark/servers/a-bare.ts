// (a) Bare Fastify, no session: the floor. /protected answers the same body with no check at all.
import Fastify from 'fastify'
import { serve, start } from '../fixtures/serve.js'
import { PUBLIC_BODY, profile } from '../fixtures/routes.js'
import { BENCH_USER_ID, users } from '../fixtures/users.js'

start(async () => {
  const app = Fastify()
  const user = users.get(BENCH_USER_ID)!
  app.get('/public', async () => PUBLIC_BODY)
  app.get('/protected', async () => profile(user))
  await serve(app)
})
