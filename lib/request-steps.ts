import type { LoginContext } from './context.js'
import { chain, type MaybePromise } from './maybe-promise.js'
import { loadedUser, type Found, type Run } from './load-run.js'

/**
 * The last steps of the pipeline: requestLoader, then headerLoader when its header is present.
 * Users found here are stateless: nothing about them is written.
 */
export function createRequestSteps (ctx: LoginContext): (run: Run) => MaybePromise<Found> {
  const { requestLoader, headerLoader, authHeaderName } = ctx.options

  function fromHeader (run: Run): MaybePromise<Found> {
    const value = headerLoader === undefined ? undefined : run.request.headers[authHeaderName]
    if (typeof value !== 'string' || value === '') {
      return null
    }
    run.state.variesByHeader = true
    return chain(run, (headerLoader as NonNullable<typeof headerLoader>)(value, run.request), headerAnswered)
  }

  function headerAnswered (run: Run, value: unknown): Found {
    const user = loadedUser(ctx, 'headerLoader', value)
    if (user !== null) {
      run.events?.push(['loadedFromHeader', run.request, user])
    }
    return user
  }

  function requestAnswered (run: Run, value: unknown): MaybePromise<Found> {
    const user = loadedUser(ctx, 'requestLoader', value)
    if (user === null) {
      return fromHeader(run)
    }
    run.events?.push(['loadedFromRequest', run.request, user])
    return user
  }

  return function fromRequest (run) {
    if (requestLoader === undefined) {
      return fromHeader(run)
    }
    return chain(run, requestLoader(run.request), requestAnswered)
  }
}
