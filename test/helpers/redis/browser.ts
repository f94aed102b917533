// A minimal browser for real HTTP requests: one cookie jar, shared by every instance it talks to
// (as behind a load balancer, where all instances answer on the same host).
// Every request carries an AbortSignal timeout, so a server that hangs fails the test.

/** Longest a single request may take before the test fails. */
export const REQUEST_TIMEOUT_MS = 15_000

export interface Answer {
  status: number
  headers: Headers
  body: any
  /** `Set-Cookie` headers of the answer, raw. */
  setCookies: string[]
}

export interface RequestOptions {
  method?: string
  json?: unknown
  /** Send this `Cookie` header instead of the jar's (the jar still learns the answer's cookies). */
  cookie?: string
}

export class Browser {
  readonly jar = new Map<string, string>()

  /** The `Cookie` header the jar would send. */
  cookieHeader (): string {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  async request (baseUrl: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json' }
    const cookie = options.cookie ?? this.cookieHeader()
    if (cookie !== '') headers.cookie = cookie
    let body: string | undefined
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(options.json)
    }
    const response = await fetch(baseUrl + path, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    })
    const setCookies = response.headers.getSetCookie()
    for (const line of setCookies) this.store(line)
    const text = await response.text()
    const type = response.headers.get('content-type') ?? ''
    return {
      status: response.status,
      headers: response.headers,
      body: type.includes('application/json') && text !== '' ? JSON.parse(text) : text,
      setCookies
    }
  }

  private store (line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
    const eq = pair.indexOf('=')
    if (eq <= 0) return
    const name = pair.slice(0, eq)
    const value = pair.slice(eq + 1)
    const expired = attributes.some((attribute) => {
      const [key = '', raw = ''] = attribute.split('=')
      if (key.toLowerCase() === 'max-age') return Number(raw) <= 0
      if (key.toLowerCase() === 'expires') return Date.parse(raw) <= Date.now()
      return false
    })
    if (expired || value === '') this.jar.delete(name)
    else this.jar.set(name, value)
  }
}

/**
 * The session id inside a `@fastify/session` cookie value (`<id>.<signature>`, URL-encoded):
 * the id that connect-redis stores under `sess:<id>`.
 */
export function sessionIdOf (cookieValue: string | undefined): string {
  if (cookieValue === undefined) throw new Error('no session cookie')
  const signed = decodeURIComponent(cookieValue)
  const dot = signed.lastIndexOf('.')
  if (dot <= 0) throw new Error(`not a signed session cookie: ${cookieValue}`)
  return signed.slice(0, dot)
}
