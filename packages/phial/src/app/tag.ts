/**
 * Flask's tagged JSON (`flask.json.tag.TaggedJSONSerializer`), the format of the session cookie.
 *
 * Plain JSON cannot hold tuples, bytes, Markup, UUIDs or datetimes, so Flask wraps them in one-key objects
 * whose key is a tag (`{" b": "<base64>"}`). Dumping writes exactly what Flask writes (sorted keys, compact
 * separators, non-ASCII escaped as `\uXXXX`), so Flask reads Phial's cookies and the other way round.
 *
 * Loading (API.md decision 11): tuple → array, bytes → `Uint8Array`, Markup → {@link Markup}, UUID → string,
 * datetime → `Date`. Dumping: arrays → lists, `Uint8Array` → `" b"`, `Date` → `" d"`, anything with
 * `__html__()` → `" m"`.
 */
import { Markup } from '@phial/jinja';

/** A custom tag, like Flask's `JSONTag`: `key` must be unique and should start with a space. */
export interface JSONTag<T = unknown> {
  /** The one key of the wrapping object, e.g. `' b'`. */
  readonly key: string;
  /** True when this tag handles `value` while dumping. */
  check(value: unknown): value is T;
  /** Turns the value into something JSON can hold (it is tagged again recursively). */
  toJSON(value: T): unknown;
  /** Turns the stored form (already untagged inside) back into the value. */
  toValue(stored: unknown): unknown;
}

const UUID_HEX = /^[0-9a-f]{32}$/;

function hasHtml(v: object): v is { __html__(): unknown } {
  return typeof (v as { __html__?: unknown }).__html__ === 'function';
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function fromBase64(stored: unknown): Uint8Array {
  if (typeof stored !== 'string' || !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(stored)) {
    throw new TypeError('Tagged bytes must be base64 text');
  }
  return new Uint8Array(Buffer.from(stored, 'base64'));
}

function toUuid(stored: unknown): string {
  if (typeof stored !== 'string') throw new TypeError('A tagged UUID must be text');
  const hex = stored
    .trim()
    .toLowerCase()
    .replace(/^urn:uuid:/, '')
    .replace(/^\{|\}$/g, '')
    .replace(/-/g, '');
  if (!UUID_HEX.test(hex)) throw new TypeError(`Badly formed UUID: ${stored}`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function toDate(stored: unknown): Date {
  if (typeof stored !== 'string') throw new TypeError('A tagged datetime must be text');
  const d = new Date(stored);
  if (Number.isNaN(d.getTime())) throw new TypeError(`Invalid HTTP date: ${stored}`);
  return d;
}

/** Python's `str.__lt__`: code point order (differs from UTF-16 order only beyond U+FFFF). */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** An object whose first key starts with a space or an escape: possibly a tag. */
const MAYBE_TAGGED = /\{\s*"[ \\]/;
const NEEDS_ESCAPE = /[\u007f-\uffff]/;
const NEEDS_ESCAPE_G = /[\u007f-\uffff]/g;

/** A JSON string literal as Python's `json.dumps(ensure_ascii=True)` writes it. */
export function pyJsonString(s: string): string {
  const quoted = JSON.stringify(s);
  if (!NEEDS_ESCAPE.test(quoted)) return quoted;
  return quoted.replace(NEEDS_ESCAPE_G, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortKeys(keys: string[]): string[] {
  for (const k of keys) {
    // Only astral characters (surrogates) sort differently in Python than in UTF-16.
    if (/[\ud800-\udfff]/.test(k)) return keys.sort(compareCodePoints);
  }
  return keys.sort();
}

/**
 * Flask's `TaggedJSONSerializer`. `dumps` writes Flask's exact bytes; `loads` restores the tagged types.
 * Also usable as the `serializer` of `URLSafeTimedSerializer` (`stringify` / `parse`).
 */
export class TaggedJSONSerializer {
  /** Custom tags, checked before the built-in ones when dumping. */
  readonly #custom: JSONTag[] = [];
  readonly #loaders = new Map<string, (stored: unknown) => unknown>();
  readonly #markup: (html: string) => unknown;
  /** True while every tag key starts with a space (enables the fast path of {@link loads}). */
  #spacedKeys = true;

  constructor(options: { markup?: (html: string) => unknown } = {}) {
    this.#markup = options.markup ?? ((html) => new Markup(html));
    this.#loaders.set(' di', (stored) => {
      if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) {
        throw new TypeError('An escaped dict must be an object');
      }
      const keys = Object.keys(stored);
      if (keys.length !== 1) throw new TypeError('An escaped dict has exactly one key');
      const key = keys[0] as string;
      return { [key.slice(0, -2)]: (stored as Record<string, unknown>)[key] };
    });
    this.#loaders.set(' t', (stored) => {
      if (!Array.isArray(stored)) throw new TypeError('A tagged tuple must be a list');
      return stored;
    });
    this.#loaders.set(' b', fromBase64);
    this.#loaders.set(' m', (stored) => {
      if (typeof stored !== 'string') throw new TypeError('Tagged Markup must be text');
      return this.#markup(stored);
    });
    this.#loaders.set(' u', toUuid);
    this.#loaders.set(' d', toDate);
  }

  /** Adds a custom tag (Flask's `register`); `force` replaces a tag with the same key. */
  register(tag: JSONTag, options: { force?: boolean } = {}): void {
    if (this.#loaders.has(tag.key) && !options.force)
      throw new Error(`Tag "${tag.key}" is already registered.`);
    const i = this.#custom.findIndex((t) => t.key === tag.key);
    if (i >= 0) this.#custom.splice(i, 1);
    this.#custom.push(tag);
    if (!tag.key.startsWith(' ')) this.#spacedKeys = false;
    this.#loaders.set(tag.key, (stored) => tag.toValue(stored));
  }

  /** The tagged JSON text of `value`, byte-for-byte as Flask writes it. */
  dumps(value: unknown): string {
    const out = this.#dump(value, 0);
    if (out === undefined) throw new TypeError(`Object of type ${typeof value} is not JSON serializable`);
    return out;
  }

  /** The value of tagged JSON text; throws SyntaxError / TypeError on malformed input. */
  loads(text: string): unknown {
    // Fast path: every tag key starts with a space, so text in which no object starts with a key that
    // begins with a space (or an escape) holds no tags and needs no reviver.
    if (this.#spacedKeys && !MAYBE_TAGGED.test(text)) return JSON.parse(text);
    const loaders = this.#loaders;
    return JSON.parse(text, function revive(this: unknown, _key: string, value: unknown) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      let only: string | undefined;
      for (const k in value) {
        if (only !== undefined) return value;
        only = k;
      }
      if (only === undefined) return value;
      const load = loaders.get(only);
      return load ? load((value as Record<string, unknown>)[only]) : value;
    });
  }

  /** Alias of {@link dumps} so this object is a `TextSerializer`. */
  stringify(value: unknown): string {
    return this.dumps(value);
  }

  /** Alias of {@link loads} so this object is a `TextSerializer`. */
  parse(text: string): unknown {
    return this.loads(text);
  }

  #dump(value: unknown, depth: number): string | undefined {
    switch (typeof value) {
      case 'string':
        return pyJsonString(value);
      case 'number':
        return Number.isFinite(value) ? String(value) : 'null';
      case 'boolean':
        return value ? 'true' : 'false';
      case 'bigint':
        return value.toString();
      case 'object':
        break;
      default:
        return undefined; // undefined, functions and symbols are left out, as JSON.stringify does
    }
    if (value === null) return 'null';
    if (depth > 500) throw new RangeError('Session data is nested too deeply (or is circular)');
    for (const tag of this.#custom) {
      if (tag.check(value)) return this.#tagged(tag.key, tag.toJSON(value), depth);
    }
    if (Array.isArray(value)) {
      let s = '[';
      for (let i = 0; i < value.length; i++) {
        if (i > 0) s += ',';
        s += this.#dump(value[i], depth + 1) ?? 'null';
      }
      return `${s}]`;
    }
    if (value instanceof Uint8Array) return this.#tagged(' b', toBase64(value), depth);
    if (hasHtml(value)) return this.#tagged(' m', String(value.__html__()), depth);
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw new TypeError('Cannot store an invalid Date in the session');
      return this.#tagged(' d', value.toUTCString(), depth);
    }
    if (value instanceof Map) {
      const obj: Record<string, unknown> = Object.create(null);
      for (const [k, v] of value) obj[String(k)] = v;
      return this.#dict(obj, depth);
    }
    if (value instanceof Set || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      throw new TypeError(`Object of type ${value.constructor.name} is not JSON serializable`);
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return this.#dump(toJSON.call(value), depth + 1);
    return this.#dict(value as Record<string, unknown>, depth);
  }

  #tagged(key: string, stored: unknown, depth: number): string {
    return `{${pyJsonString(key)}:${this.#dump(stored, depth + 1) ?? 'null'}}`;
  }

  #dict(obj: Record<string, unknown>, depth: number): string {
    const keys = Object.keys(obj);
    if (keys.length === 1 && this.#loaders.has(keys[0] as string)) {
      const key = keys[0] as string;
      // A one-key dict whose key is a tag name would load as that tag: escape it (Flask's TagDict).
      return `{" di":${this.#dict({ [`${key}__`]: obj[key] }, depth + 1)}}`;
    }
    let s = '{';
    let first = true;
    for (const k of sortKeys(keys)) {
      const v = this.#dump(obj[k], depth + 1);
      if (v === undefined) continue;
      s += `${first ? '' : ','}${pyJsonString(k)}:${v}`;
      first = false;
    }
    return `${s}}`;
  }
}

/** The serializer the session cookie uses. */
export const sessionJsonSerializer = new TaggedJSONSerializer();
