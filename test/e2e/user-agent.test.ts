// The devices page's short names for User-Agent headers (examples/app/user-agent.ts).
import { test } from 'node:test'
import { describeUserAgent } from '../../examples/app/user-agent.js'
import { CHROME_ON_ANDROID, CHROME_ON_LINUX, EDGE_ON_MACOS, FIREFOX_ON_WINDOWS, SAFARI_ON_IPHONE } from '../helpers/e2e/user-agents.js'

const CASES: Array<[string, string]> = [
  [CHROME_ON_LINUX, 'Chrome on Linux'],
  [CHROME_ON_ANDROID, 'Chrome on Android'],
  [FIREFOX_ON_WINDOWS, 'Firefox on Windows'],
  [SAFARI_ON_IPHONE, 'Safari on iPhone'],
  [EDGE_ON_MACOS, 'Edge on macOS'],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 'Safari on macOS'],
  ['Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1', 'Chrome on iPad'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/127.0 Mobile/15E148 Safari/605.1.15', 'Firefox on iPhone'],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0', 'Opera on Windows'],
  ['Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36', 'Samsung Internet on Android'],
  ['Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 'Chrome on ChromeOS'],
  ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36', 'Headless Chrome on Linux'],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox on Linux'],
  ['curl/8.5.0', 'curl'],
  ['Mozilla/5.0 (Windows NT 10.0) SomethingNew/1.0', 'A browser on Windows'],
  ['', 'Unknown browser'],
  ['\u0000\r\n<script>', 'Unknown browser']
]

test('known browsers and systems get a short name, anything else "Unknown browser"', (t) => {
  for (const [userAgent, name] of CASES) {
    t.assert.equal(describeUserAgent(userAgent), name, userAgent)
  }
})

test('only the first 512 characters of a long User-Agent are read', (t) => {
  t.assert.equal(describeUserAgent(`${FIREFOX_ON_WINDOWS}${' x'.repeat(32 * 1024)}`), 'Firefox on Windows')
  t.assert.equal(describeUserAgent(`${'x'.repeat(512)}${FIREFOX_ON_WINDOWS}`), 'Unknown browser')
})
