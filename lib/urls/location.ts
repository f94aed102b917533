// Makes a redirect target fit for a `Location` header (SEC-18). Node refuses CR/LF/NUL and
// characters above U+00FF in a header (a 500), sends U+0080..U+00FF as raw Latin-1 bytes, and a
// browser reads a leading `//` or `/\` as "another host". So: first drop what isSafeUrl and
// browsers ignore (tab, CR and LF anywhere; whitespace and C0 controls at either end), so that
// the Location is the very string that was checked; then percent-encode as UTF-8 everything
// that is not a URI character (controls, space, DEL, non-ASCII, `"<>` and the like), keep valid
// `%XX` escapes, encode a `%` that starts none, and escape the second of two leading slashes the
// way Django's escape_leading_slashes does (`//example.com` -> `/%2Fexample.com`).
//
// Backslashes elsewhere are kept: browsers read them as `/` in http(s) paths, and encoding them
// would change where the redirect goes.

// Runs of characters that are not RFC 3986 unreserved or reserved characters, `\` (see above)
// or `%`; and a `%` not followed by two hex digits.
const ENCODE_RE = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=\\%]+/gu
const TAB_OR_NEWLINE_RE = /[\t\r\n]/g
// WHATWG "C0 control or space" and Python's str.isspace() characters, at either end.
const EDGE_RE = /^[\x00-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\x00-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g // eslint-disable-line no-control-regex
const LEADING_SLASHES_RE = /^[/\\][/\\]/

function percentEncode (run: string): string {
  // Buffer encodes a lone surrogate as U+FFFD instead of throwing like encodeURIComponent.
  let out = ''
  for (const byte of Buffer.from(run, 'utf8')) {
    out += '%' + byte.toString(16).toUpperCase().padStart(2, '0')
  }
  return out
}

/**
 * `url` made safe to send as a `Location` header: tab/CR/LF removed, whitespace and controls at
 * the ends trimmed, then only printable ASCII, valid `%XX` escapes, and never a leading `//` or
 * `/\`. Idempotent; the path, query and fragment keep the meaning a browser gives them.
 */
export function toSafeLocation (url: string): string {
  const encoded = url.replace(TAB_OR_NEWLINE_RE, '').replace(EDGE_RE, '').replace(ENCODE_RE, percentEncode)
  if (!LEADING_SLASHES_RE.test(encoded)) return encoded
  return encoded[0] + (encoded[1] === '/' ? '%2F' : '%5C') + encoded.slice(2)
}
