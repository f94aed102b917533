// Flask's tagged JSON (the session cookie's payload), written from its documented behaviour: a
// one-key object whose key is a tag stands for a Python value (" t" tuple, " b" bytes, " m" Markup,
// " u" UUID, " d" datetime, " di" a one-key dict whose key looks like a tag). Written as Flask
// writes it: compact, keys sorted, non-ASCII escaped. Read from hostile input (SEC-28): a
// `__proto__` key is dropped wherever it appears, and a malformed tag fails the whole payload.

/** A Python tuple: an array that is written back as a tuple. */
export class FlaskTuple<T = unknown> extends Array<T> {}

/** A markupsafe `Markup` string: HTML that is written back as Markup. */
export class FlaskMarkup {
  constructor (readonly html: string) {}
  toString (): string { return this.html }
  toJSON (): string { return this.html }
}

/** A Python `uuid.UUID`, held as its canonical text (8-4-4-4-12 hex). */
export class FlaskUUID {
  readonly value: string
  constructor (hex: string) {
    const digits = hex.replace(/^urn:uuid:/i, '').replace(/[{}-]/g, '').toLowerCase()
    if (!/^[0-9a-f]{32}$/.test(digits)) throw new TypeError('not a UUID')
    this.value = `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}`
  }

  toString (): string { return this.value }
  toJSON (): string { return this.value }
}

const TAGS = new Set([' di', ' t', ' b', ' m', ' u', ' d'])
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/

function asString (value: unknown): string {
  if (typeof value !== 'string') throw new TypeError('a tag holds a string')
  return value
}

function untagged (tag: string, value: unknown): unknown {
  switch (tag) {
    case ' t':
      if (!Array.isArray(value)) throw new TypeError('a tuple holds an array')
      return FlaskTuple.from(value)
    case ' b': {
      const text = asString(value)
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new TypeError('bytes hold base64')
      return Buffer.from(text, 'base64')
    }
    case ' m': return new FlaskMarkup(asString(value))
    case ' u': return new FlaskUUID(asString(value))
    case ' d': {
      const date = new Date(asString(value))
      if (!HTTP_DATE.test(value as string) || Number.isNaN(date.getTime())) throw new TypeError('a datetime is an HTTP date')
      return date
    }
    default: {
      // ' di': { "<tag>__": value } is the dict { "<tag>": value }
      const keys = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : []
      if (keys.length !== 1 || !(keys[0] as string).endsWith('__')) throw new TypeError('a tagged dict holds one key')
      const key = keys[0] as string
      return key === '__proto____' ? {} : { [key.slice(0, -2)]: (value as Record<string, unknown>)[key] }
    }
  }
}

function reviver (this: unknown, key: string, value: unknown): unknown {
  if (key === '__proto__') return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  const keys = Object.keys(value)
  if (keys.length === 1 && TAGS.has(keys[0] as string)) {
    return untagged(keys[0] as string, (value as Record<string, unknown>)[keys[0] as string])
  }
  return value
}

/** The session dict of a Flask payload, or null when it is not one (not JSON, not an object, a bad tag). */
export function parseFlaskJson (text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text, reviver)
    return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !Buffer.isBuffer(value) &&
      !(value instanceof FlaskMarkup) && !(value instanceof FlaskUUID)
      ? value as Record<string, unknown>
      : null
  } catch {
    return null
  }
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' }

/** A JSON string as Python's json.dumps writes it with ensure_ascii: everything outside space..~ escaped. */
function pythonString (text: string): string {
  return '"' + text.replace(/[\\"]|[^ -~]/g, (character) =>
    SHORT_ESCAPES[character] ?? '\\u' + character.charCodeAt(0).toString(16).padStart(4, '0')) + '"'
}

/** Python's sort_keys order: by code point (UTF-8 byte order is the same). */
function byCodePoint (a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

function tagged (tag: string, inner: string): string {
  return `{${pythonString(tag)}:${inner}}`
}

function dumpObject (value: Record<string, unknown>): string {
  const keys = Object.keys(value).filter((key) => value[key] !== undefined && typeof value[key] !== 'function')
  if (keys.length === 1 && TAGS.has(keys[0] as string)) {
    return tagged(' di', `{${pythonString(`${keys[0] as string}__`)}:${dumpFlaskJson(value[keys[0] as string])}}`)
  }
  return '{' + keys.sort(byCodePoint).map((key) => `${pythonString(key)}:${dumpFlaskJson(value[key])}`).join(',') + '}'
}

/** `value` in Flask's tagged JSON, as Flask's session serializer writes it. */
export function dumpFlaskJson (value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'boolean') return String(value)
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null'
  if (typeof value === 'string') return pythonString(value)
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof FlaskTuple) return tagged(' t', `[${value.map(dumpFlaskJson).join(',')}]`)
  if (Array.isArray(value)) return `[${value.map(dumpFlaskJson).join(',')}]`
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return tagged(' b', pythonString(Buffer.from(value).toString('base64')))
  if (value instanceof Date) return tagged(' d', pythonString(value.toUTCString()))
  if (value instanceof FlaskMarkup) return tagged(' m', pythonString(value.html))
  if (value instanceof FlaskUUID) return tagged(' u', pythonString(value.value.replaceAll('-', '')))
  return dumpObject(value as Record<string, unknown>)
}
