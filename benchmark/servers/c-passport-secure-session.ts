// (c) @fastify/passport on @fastify/secure-session (setup and routes: fixtures/passport.ts).
import Fastify from 'fastify'
import fastifySecureSession from '@fastify/secure-session'
import { serve, start } from '../fixtures/serve.js'
import { registerPassport } from '../fixtures/passport.js'
import { SECURE_SESSION_OPTIONS } from '../fixtures/config.js'

start(async () => {
  const app = Fastify()
  await app.register(fastifySecureSession, SECURE_SESSION_OPTIONS)
  await registerPassport(app)
  await serve(app)
})
