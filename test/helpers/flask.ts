// The real Flask + Flask-Login application of test/flask/fixtures/app.py, driven through Flask's
// test client with a cookie jar shared with Fastify's inject (as one browser on one host).
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyLogin, { type FlaskOptions } from 'fastify-login'
import type { CookieJar } from './cookie-jar.js'
import { python } from './python.js'
import { User } from './users.js'

export const FLASK_APP = join(__dirname, '..', 'flask', 'fixtures', 'app.py')
export const FLASK_SECRET = 'the Flask SECRET_KEY shared by both applications'
export const USER_AGENT = 'Mozilla/5.0 (test)'

export interface FlaskStep { path: string, userAgent?: string | null, forwardedFor?: string }
export interface FlaskConfig { secret?: string, protection?: 'basic' | 'strong' | null, lifetime?: number }
export interface FlaskResponse { status: number, body: string }

const RUNNER = `
import importlib.util
spec = importlib.util.spec_from_file_location('flask_fixture', data['app'])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
app = module.create_app(data['config'])
client = app.test_client()
for name, value in data['cookies'].items():
    client.set_cookie('localhost', name, value)
responses = []
for step in data['steps']:
    headers = {}
    if step.get('userAgent') is not None:
        headers['User-Agent'] = step['userAgent']
    if step.get('forwardedFor') is not None:
        headers['X-Forwarded-For'] = step['forwardedFor']
    response = client.get(step['path'], headers=headers, environ_base={'REMOTE_ADDR': '127.0.0.1'})
    responses.append({'status': response.status_code, 'body': response.get_data(as_text=True)})
result = {'responses': responses, 'cookies': {cookie.name: cookie.value for cookie in client.cookie_jar}}
`

/** Runs `steps` on the Flask app with the jar's cookies; the jar then holds the cookies Flask left. */
export function flaskRequests (jar: CookieJar, steps: Array<FlaskStep | string>, config: FlaskConfig = {}): FlaskResponse[] {
  const cookies = Object.fromEntries(jar.names().map((name) => [name, jar.get(name) as string]))
  const normalized = steps.map((step) => typeof step === 'string' ? { path: step } : step)
  const result = python(RUNNER, {
    app: FLASK_APP,
    config: { secret: FLASK_SECRET, ...config },
    cookies,
    steps: normalized.map((step) => ({ userAgent: USER_AGENT, ...step }))
  }) as { responses: FlaskResponse[], cookies: Record<string, string> }
  for (const name of jar.names()) jar.delete(name)
  for (const [name, value] of Object.entries(result.cookies)) jar.set(name, value)
  return result.responses
}

/** The Fastify side: fastify-login with `flask`, and the Flask app's routes without `/legacy`. */
export async function fastifyBeside (options: { protection?: 'basic' | 'strong' | false, flask?: Partial<FlaskOptions>, sessions?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify()
  const users = new Set(['1', '2', 'alice'])
  await app.register(fastifyLogin, {
    userLoader: (id) => users.has(id) ? new User(id, id) : id === 'inactive' ? new User(id, id, false) : null,
    sessionProtection: options.protection ?? 'basic',
    flask: { secretKey: FLASK_SECRET, ...options.flask },
    ...(options.sessions === true ? { sessions: true } : {})
  })
  app.get<{ Params: { id: string }, Querystring: { remember?: string, fresh?: string } }>('/login/:id', async (request) => {
    await request.loginUser(new User(request.params.id, request.params.id), { remember: request.query.remember === '1', fresh: request.query.fresh !== '0' })
    return 'logged in'
  })
  app.get('/logout', async (request) => { await request.logoutUser(); return 'logged out' })
  app.get('/confirm', { preHandler: app.loginRequired }, async (request) => { await request.confirmLogin(); return 'confirmed' })
  app.get('/whoami', async (request) => ({ user: request.currentUser.isAuthenticated ? request.currentUser.getId() : null, fresh: request.loginFresh() }))
  app.get('/fresh', { preHandler: app.freshLoginRequired }, async () => 'fresh')
  app.get('/keys/set', async (request) => {
    const session = request.session as unknown as { set: (key: string, value: unknown) => void }
    session.set('from_node', { when: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), raw: Buffer.from([0, 255]), text: 'Müller' })
    return 'set'
  })
  app.get('/keys/get', async (request) => (request.session as unknown as { data: () => Record<string, unknown> }).data())
  return app
}

/** A Fastify client on the shared jar (the browser's User-Agent unless told). */
export function fastifyClient (app: FastifyInstance, jar: CookieJar) {
  return async (url: string, userAgent = USER_AGENT, forwardedFor?: string) => {
    const headers: Record<string, string> = { cookie: jar.header(), 'user-agent': userAgent }
    if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor
    return jar.take(await app.inject({ url, headers }))
  }
}
