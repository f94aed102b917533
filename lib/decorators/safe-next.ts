import type { FastifyRequest } from 'fastify'
import { takeNext } from '../login/write.js'
import { toSafeLocation } from '../urls/location.js'
import { isSafeUrl } from '../urls/safe-url.js'
import type { LoginContext } from '../context.js'

const MAX_NEXT_LENGTH = 2048

/** request.safeNextUrl(fallback): `next` from the query, the body or the session, when safe. */
export function createSafeNextUrl (ctx: LoginContext) {
  const { options } = ctx
  const field = options.nextField

  function fromObject (value: unknown): unknown {
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined
  }

  return function safeNextUrl (this: FastifyRequest, fallback = '/'): string {
    let candidate = fromObject(this.query) ?? fromObject(this.body)
    if (candidate === undefined) {
      candidate = takeNext(ctx, this)
    }
    if (typeof candidate !== 'string' || candidate.length > MAX_NEXT_LENGTH) {
      return fallback
    }
    const safe = isSafeUrl(candidate, {
      allowedHosts: [this.host, ...options.allowedHosts],
      requireHttps: this.protocol === 'https'
    })
    return safe ? toSafeLocation(candidate.trim()) : fallback
  }
}
