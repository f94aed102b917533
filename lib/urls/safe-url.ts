// Open-redirect check for `next` URLs: the rules of Django's url_has_allowed_host_and_scheme, on
// top of a port of the parts of Python's urllib.parse.urlsplit those rules depend on (Node's
// WHATWG URL parser splits differently, and the rules were written against urlsplit).
//
// Two additions make it stricter than Django, so that nothing it accepts leaves the site in a
// browser (checked against WHATWG URL by test/security/safe-url.property.test.ts):
// - the `///` test is also applied after urlsplit's clean-up (Django tests only the raw string,
//   so `/\t//evil.example` passes Django and is `//evil.example` to a browser);
// - `//` with an empty authority (`//`, `//?x`, `//#x`) is refused (no host for a browser either).
// Hosts compare case-insensitively (ASCII letters only), userinfo and port are significant.
import { isIPv6 } from 'node:net'
import type { IsSafeUrlOptions } from '../../types/index.js'

/** Longest URL (in code points, after trimming) that can pass; Django's MAX_URL_LENGTH. */
export const MAX_URL_LENGTH = 2048

interface SplitUrl {
  scheme: string
  netloc: string
  /** The string after `\t\r\n` removal and leading C0/space stripping, as urlsplit saw it. */
  cleaned: string
}

// Python's str.strip(): characters for which str.isspace() is true.
const PY_WHITESPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const PY_STRIP_RE = new RegExp(`^[${PY_WHITESPACE}]+|[${PY_WHITESPACE}]+$`, 'g')
// urlsplit: leading WHATWG "C0 control or space" stripped, then tab/CR/LF removed everywhere.
const LEADING_C0_OR_SPACE_RE = /^[\x00-\x20]+/ // eslint-disable-line no-control-regex
const TAB_OR_NEWLINE_RE = /[\t\r\n]/g
const SCHEME_RE = /^[A-Za-z][A-Za-z0-9+.-]*$/
const IPV_FUTURE_RE = /^v[a-fA-F0-9]+\../s
const FIRST_IS_OTHER_RE = /^\p{C}/u
const ASCII_UPPER_RE = /[A-Z]/g
const NFKC_CHECKED_RE = /[@:#?]/g
const NFKC_FORBIDDEN_RE = /[/?#@:]/

function asciiLower (value: string): string {
  return value.replace(ASCII_UPPER_RE, (c) => String.fromCharCode(c.charCodeAt(0) + 32))
}

function longerThan (value: string, max: number): boolean {
  if (value.length <= max) return false
  let count = 0
  for (const _ of value) { // eslint-disable-line @typescript-eslint/no-unused-vars
    if (++count > max) return true
  }
  return false
}

// urlsplit's _check_bracketed_netloc: a bracketed host must be an IPv6 address or IPvFuture.
function bracketedHostIsValid (netloc: string): boolean {
  const hostAndPort = netloc.slice(netloc.lastIndexOf('@') + 1)
  const open = hostAndPort.indexOf('[')
  let hostname: string
  if (open >= 0) {
    if (open > 0) return false
    const close = hostAndPort.indexOf(']')
    hostname = close < 0 ? hostAndPort.slice(1) : hostAndPort.slice(1, close)
    const port = close < 0 ? '' : hostAndPort.slice(close + 1)
    if (port !== '' && !port.startsWith(':')) return false
  } else {
    hostname = hostAndPort.split(':', 1)[0] as string
  }
  return hostname.startsWith('v') ? IPV_FUTURE_RE.test(hostname) : isIPv6(hostname)
}

// urlsplit's _checknetloc: a non-ASCII netloc must not gain URL delimiters under NFKC.
function netlocSurvivesNfkc (netloc: string): boolean {
  if (/^[\x00-\x7f]*$/.test(netloc)) return true // eslint-disable-line no-control-regex
  const bare = netloc.replace(NFKC_CHECKED_RE, '')
  const normalized = bare.normalize('NFKC')
  return normalized === bare || !NFKC_FORBIDDEN_RE.test(normalized)
}

/** The scheme and netloc Python's urlsplit finds, or `null` where it raises ValueError. */
function urlsplit (url: string): SplitUrl | null {
  const cleaned = url.replace(LEADING_C0_OR_SPACE_RE, '').replace(TAB_OR_NEWLINE_RE, '')
  let rest = cleaned
  let scheme = ''
  const colon = rest.indexOf(':')
  if (colon > 0 && SCHEME_RE.test(rest.slice(0, colon))) {
    scheme = asciiLower(rest.slice(0, colon))
    rest = rest.slice(colon + 1)
  }
  let netloc = ''
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/)
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2)
    const open = netloc.includes('[')
    if (open !== netloc.includes(']')) return null
    if (open && !bracketedHostIsValid(netloc)) return null
  }
  if (!netlocSurvivesNfkc(netloc)) return null
  return { scheme, netloc, cleaned }
}

function hostSet (allowedHosts: IsSafeUrlOptions['allowedHosts']): Set<string> {
  const hosts = new Set<string>()
  let list: Iterable<unknown> = []
  if (typeof allowedHosts === 'string') list = [allowedHosts]
  else if (Array.isArray(allowedHosts) || allowedHosts instanceof Set) list = allowedHosts
  for (const host of list) {
    if (typeof host === 'string') hosts.add(asciiLower(host))
  }
  return hosts
}

function check (url: string, hosts: Set<string>, requireHttps: boolean): boolean {
  // Browsers take three or more slashes as scheme-relative; urlsplit sees an empty netloc.
  if (url.startsWith('///') || longerThan(url, MAX_URL_LENGTH)) return false
  const parts = urlsplit(url)
  if (parts === null) return false
  // `http:///evil.example`, `http:evil.example`, `http:999999999`: a scheme and no host.
  if (parts.netloc === '' && parts.scheme !== '') return false
  // Browsers skip some leading control characters and might then see `//host`.
  if (FIRST_IS_OTHER_RE.test(url)) return false
  // Stricter than Django: after tab/newline removal, a scheme-less `//` must start a host
  // (`/\t//evil.example` is `///evil.example` here and `//evil.example` to a browser).
  if (parts.netloc === '' && parts.cleaned.startsWith('//')) return false
  const scheme = parts.scheme === '' && parts.netloc !== '' ? 'http' : parts.scheme
  if (parts.netloc !== '' && !hosts.has(asciiLower(parts.netloc))) return false
  return scheme === '' || scheme === 'https' || (scheme === 'http' && !requireHttps)
}

/**
 * Whether `url` is a safe redirect target: a relative URL, or an `http`/`https` URL whose
 * `host[:port]` is in `allowedHosts`. Django's `url_has_allowed_host_and_scheme`; never throws.
 */
export function isSafeUrl (url: unknown, options?: IsSafeUrlOptions | null): boolean {
  if (typeof url !== 'string') return false
  const trimmed = url.replace(PY_STRIP_RE, '')
  if (trimmed === '') return false
  const hosts = hostSet(options?.allowedHosts)
  const requireHttps = options?.requireHttps === true
  // Browsers read `\` as `/`, but it may also sit inside userinfo: both readings must pass.
  return check(trimmed, hosts, requireHttps) && check(trimmed.replaceAll('\\', '/'), hosts, requireHttps)
}
