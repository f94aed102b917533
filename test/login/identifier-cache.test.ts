import { test, type TestContext } from 'node:test'
import { buildApp, recordEvents } from '../helpers/app.js'

test('session protection keeps working across more distinct clients than its identifier cache holds', async (t: TestContext) => {
  const { app, request } = await buildApp(t, { sessionProtection: 'basic' })
  await request({ method: 'POST', url: '/login/1', headers: { 'user-agent': 'login-agent' } })
  const events = recordEvents(app)
  const agents = 1100
  for (let i = 0; i < agents; i++) {
    const response = await request({ url: '/whoami', headers: { 'user-agent': `agent-${i}` } })
    t.assert.strictEqual(response.json().name, 'Notch')
  }
  t.assert.strictEqual(events.filter(([name]) => name === 'sessionProtected').length, agents)
  // the login's own client is still recognised after the cache was cleared
  const again = await request({ url: '/whoami', headers: { 'user-agent': 'login-agent' } })
  t.assert.strictEqual(again.json().fresh, false, 'basic protection marked the login not fresh for good')
})
