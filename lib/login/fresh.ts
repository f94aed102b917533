import type { FastifyRequest, RouteOptions } from 'fastify'
import { FST_LOGIN_INVALID_OPTION } from '../core/errors.js'
import { nowSeconds } from './keys.js'

/**
 * `_fresh` holds the time (seconds since the epoch) the login was made or confirmed with
 * credentials, or `false`. `true`, as sessions issued by 0.1 hold, is fresh with no known time.
 */
export function freshValue (fresh: boolean): number | false {
  return fresh ? nowSeconds() : false
}

export interface FreshWindow {
  /** onRoute hook: checks a route's `config.freshFor` when the route is added. */
  onRoute (route: RouteOptions): void
  /** The window of a request: `within`, else the route's `config.freshFor`, else `freshFor`. */
  of (request: FastifyRequest, within: number | undefined): number | null
}

export function createFreshWindow (option: number | null): FreshWindow {
  // request.routeOptions builds an object per read: read it only once a route has a window
  let routesHaveWindows = false
  return {
    onRoute (route) {
      const freshFor = (route.config as { freshFor?: unknown } | undefined)?.freshFor
      if (freshFor === undefined) {
        return
      }
      if (!(typeof freshFor === 'number' && Number.isFinite(freshFor) && freshFor > 0)) {
        throw new FST_LOGIN_INVALID_OPTION(`config.freshFor of ${String(route.method)} ${route.url}`, 'must be a positive number of seconds')
      }
      routesHaveWindows = true
    },
    of (request, within) {
      if (within !== undefined) {
        return within
      }
      if (!routesHaveWindows) {
        return option
      }
      return (request.routeOptions.config as { freshFor?: number }).freshFor ?? option
    }
  }
}

/** Whether a stored `_fresh` value is fresh within `window` seconds (null: no window). */
export function isFresh (stored: unknown, window: number | null): boolean {
  if (stored === true) {
    return window === null
  }
  if (typeof stored !== 'number') {
    return false
  }
  return window === null || nowSeconds() - stored < window
}
