// Steps 3 and 4 of the lookup (hooks/on-request.ts): requestLoader, then headerLoader.
import { chain, type Found, type Lookup, type MaybePromise } from '../core/state.js'
import { asUser } from '../core/user.js'
import type { LoginContext } from '../context.js'

/**
 * The last steps of the pipeline: requestLoader, then headerLoader when its header is present.
 * Users found here are stateless: nothing about them is written.
 */
export function createRequestLoaders (ctx: LoginContext): (lookup: Lookup) => MaybePromise<Found> {
  const { requestLoader, headerLoader, authHeaderName } = ctx.options

  function fromHeader (lookup: Lookup): MaybePromise<Found> {
    const value = headerLoader === undefined ? undefined : lookup.request.headers[authHeaderName]
    if (typeof value !== 'string' || value === '') {
      return null
    }
    lookup.state.variesByHeader = true
    return chain(lookup, (headerLoader as NonNullable<typeof headerLoader>)(value, lookup.request), headerAnswered)
  }

  function headerAnswered (lookup: Lookup, value: unknown): Found {
    const user = asUser(ctx.options, 'headerLoader', value)
    if (user !== null) {
      lookup.events?.push(['loadedFromHeader', lookup.request, user])
    }
    return user
  }

  function requestAnswered (lookup: Lookup, value: unknown): MaybePromise<Found> {
    const user = asUser(ctx.options, 'requestLoader', value)
    if (user === null) {
      return fromHeader(lookup)
    }
    lookup.events?.push(['loadedFromRequest', lookup.request, user])
    return user
  }

  return function fromRequest (lookup) {
    if (requestLoader === undefined) {
      return fromHeader(lookup)
    }
    return chain(lookup, requestLoader(lookup.request), requestAnswered)
  }
}
