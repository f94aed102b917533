import type { FastifyRequest, RouteOptions } from 'fastify'
import { FST_LOGIN_INVALID_OPTION } from '../core/errors.js'

/**
 * `_fresh` holds the time (seconds since the epoch, with its milliseconds) the login was made or
 * confirmed with credentials, or `false`. `true`, as sessions issued by 0.1 hold, is fresh with no
 * known time; whole seconds, as sessions issued before issue 19 hold, are read as they are.
 */
export function freshValue (fresh: boolean): number | false {
  return fresh ? Date.now() / 1000 : false
}

export interface FreshWindow {
  /** onRoute hook: checks a route's `config.freshFor` when the route is added. */
  onRoute (route: RouteOptions): void
  /** The window of a request: `within`, else the route's `config.freshFor`, else `freshFor`. */
  of (request: FastifyRequest, within: number | undefined): number | null
}

/** A route's `config.freshFor`, checked: undefined when it has none. */
function routeWindow (route: { readonly method?: unknown, readonly url?: string, readonly config?: unknown }): number | undefined {
  const freshFor = (route.config as { freshFor?: unknown } | undefined)?.freshFor
  if (freshFor === undefined || (typeof freshFor === 'number' && Number.isFinite(freshFor) && freshFor > 0)) {
    return freshFor
  }
  throw new FST_LOGIN_INVALID_OPTION(`config.freshFor of ${String(route.method)} ${String(route.url)}`, 'must be a positive number of seconds')
}

export function createFreshWindow (option: number | null): FreshWindow {
  return {
    // routes added after the plugin are checked when they are added; those added before it,
    // when their window is first read (the plugin never sees them being added)
    onRoute (route) {
      routeWindow(route)
    },
    of (request, within) {
      if (within !== undefined) {
        return within
      }
      return routeWindow(request.routeOptions) ?? option
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
  return window === null || Date.now() / 1000 - stored < window
}
