// A short, readable name for a User-Agent header ("Firefox on Windows"), for the devices page.
// Deliberately tiny: the common browsers and systems by their well-known tokens, in the order
// that tells them apart (Edge and Opera also say "Chrome", Chrome also says "Safari", Android
// also says "Linux"). Anything else is "Unknown browser".

const MAX_LENGTH = 512 // real User-Agents are far shorter; the rest is never looked at

const BROWSERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\bHeadlessChrome\//, 'Headless Chrome'],
  [/\b(?:Chrome|CriOS)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/^curl\//, 'curl']
]

const SYSTEMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bWindows\b/, 'Windows'],
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux']
]

function firstMatch (text: string, table: ReadonlyArray<readonly [RegExp, string]>): string | null {
  for (const [pattern, name] of table) {
    if (pattern.test(text)) return name
  }
  return null
}

/** "Chrome on Linux", "Safari on iPhone", "Firefox", or "Unknown browser". */
export function describeUserAgent (userAgent: string): string {
  const text = userAgent.slice(0, MAX_LENGTH)
  const browser = firstMatch(text, BROWSERS)
  const system = firstMatch(text, SYSTEMS)
  if (browser === null) return system === null ? 'Unknown browser' : `A browser on ${system}`
  return system === null ? browser : `${browser} on ${system}`
}
