import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'

interface StoredCookie { value: string, expires: number | null }

/** Carries cookies across `fastify.inject` calls as a browser would (Set-Cookie in, Cookie out). */
export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>()

  /** Applies the Set-Cookie headers of a response; returns it for chaining. */
  take (response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies as Array<{ name: string, value: string, maxAge?: number, expires?: Date }>) {
      const expired = cookie.maxAge !== undefined ? cookie.maxAge <= 0 : cookie.expires !== undefined && cookie.expires.getTime() <= Date.now()
      if (expired || cookie.value === '') {
        this.#cookies.delete(cookie.name)
      } else {
        this.#cookies.set(cookie.name, { value: cookie.value, expires: cookie.expires?.getTime() ?? null })
      }
    }
    return response
  }

  get (name: string): string | undefined {
    return this.#cookies.get(name)?.value
  }

  set (name: string, value: string): void {
    this.#cookies.set(name, { value, expires: null })
  }

  delete (name: string): void {
    this.#cookies.delete(name)
  }

  /** Forgets cookies without an expiry, as a browser does when it is closed. */
  closeBrowser (): void {
    for (const [name, cookie] of this.#cookies) {
      if (cookie.expires === null) {
        this.#cookies.delete(name)
      }
    }
  }

  names (): string[] {
    return [...this.#cookies.keys()]
  }

  header (): string {
    return [...this.#cookies].map(([name, { value }]) => `${name}=${encodeURIComponent(value)}`).join('; ')
  }
}

/** A browser on an app: `inject` with the jar's cookies, keeping the response's cookies in the jar. */
export interface Client {
  jar: CookieJar
  request (options: InjectOptions | string): Promise<LightMyRequestResponse>
}

export function client (app: FastifyInstance, jar = new CookieJar()): Client {
  return {
    jar,
    async request (injectOptions) {
      const opts: InjectOptions = typeof injectOptions === 'string' ? { url: injectOptions } : injectOptions
      const cookie = jar.header()
      const headers = { ...(cookie !== '' ? { cookie } : {}), ...(opts.headers ?? {}) }
      return jar.take(await app.inject({ ...opts, headers }))
    }
  }
}
