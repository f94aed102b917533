// (c) @fastify/passport on @fastify/secure-session (setup and routes: support/passport.ts).
import Fastify from 'fastify'
import fastifySecureSession from '@fastify/secure-session'
import { serve, start } from '../support/serve.js'
import { registerPassport } from '../support/passport.js'
import { SECURE_SESSION_OPTIONS } from '../support/config.js'

start(async () => {
  const app = Fastify()
  await app.register(fastifySecureSession, SECURE_SESSION_OPTIONS)
  await registerPassport(app)
  await serve(app)
})
