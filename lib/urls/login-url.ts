const SCHEME = /^[a-z][a-z0-9+.-]*:/i
const AUTHORITY = /^(?:[a-z][a-z0-9+.-]*:)?\/\//i
const PLACEHOLDER = 'http://fastify-login.invalid'

function splitFragment (url: string): [string, string] {
  const hash = url.indexOf('#')
  return hash === -1 ? [url, ''] : [url.slice(0, hash), url.slice(hash)]
}

/**
 * `loginView` with `nextField=next` set (or replaced) in its query: the other parameters keep
 * their order and `next` comes last. `next` is written as given.
 */
export function withNextParam (loginView: string, next: string, nextField: string): string {
  const [withoutFragment, fragment] = splitFragment(loginView)
  const question = withoutFragment.indexOf('?')
  const base = question === -1 ? withoutFragment : withoutFragment.slice(0, question)
  const params = new URLSearchParams(question === -1 ? '' : withoutFragment.slice(question + 1))
  params.delete(nextField)
  params.append(nextField, next)
  return `${base}?${params.toString()}${fragment}`
}

/**
 * Flask-Login's `login_url`: `loginView` with `nextField` set to `makeNextParam(loginView, nextUrl)`
 * (the path and query of a `nextUrl` on the view's own origin, or for a relative view; else the
 * whole `nextUrl`). No `nextUrl`: `loginView` as given.
 */
export function loginUrl (loginView: string, nextUrl?: string | null, nextField = 'next'): string {
  if (nextUrl === undefined || nextUrl === null) {
    return loginView
  }
  return withNextParam(loginView, makeNextParam(loginView, nextUrl), nextField)
}

/**
 * Flask-Login's `make_next_param`: the path and query of `currentUrl` when `loginUrl` is relative
 * or on the same scheme and host, else the whole `currentUrl`.
 */
export function makeNextParam (loginUrl: string, currentUrl: string): string {
  const [current] = splitFragment(currentUrl)
  if (!SCHEME.test(current) && !AUTHORITY.test(current)) {
    return current
  }
  try {
    const login = new URL(loginUrl, PLACEHOLDER)
    const target = new URL(current)
    const sameScheme = !SCHEME.test(loginUrl) || login.protocol === target.protocol
    const sameHost = !AUTHORITY.test(loginUrl) || login.host === target.host
    return sameScheme && sameHost ? target.pathname + target.search : current
  } catch {
    return current
  }
}

/** `url` made absolute on `host` (FORCE_HOST_FOR_REDIRECTS): the host never comes from the request. */
export function withForcedHost (url: string, host: string, protocol: string): string {
  if (AUTHORITY.test(url)) {
    const absolute = new URL(url, `${protocol}://${host}`)
    absolute.host = host
    return absolute.href
  }
  // login views are validated to be absolute URLs or paths starting with '/'
  return `${protocol}://${host}${url}`
}
