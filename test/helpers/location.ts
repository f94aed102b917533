// The test-side definition of a safe Location header (SEC-18): what the plugin's redirects and
// toSafeLocation must always produce.
const UNSAFE_CHAR_RE = /[^\x21-\x7e]/
const LEADING_SLASHES_RE = /^[/\\][/\\]/

/**
 * Whether `value` can go out as a `Location` as it is: no control character, space, DEL or raw
 * non-ASCII, and no leading `//`, `/\`, `\/` or `\\` (which browsers read as another host).
 */
export function isSafeLocation (value: string): boolean {
  return typeof value === 'string' && !UNSAFE_CHAR_RE.test(value) && !LEADING_SLASHES_RE.test(value)
}
