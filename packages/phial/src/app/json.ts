/**
 * JSON for the app (Flask's `app.json` provider): what `jsonify`, views returning objects and
 * `request.json` use. `DefaultJSONProvider` follows Flask: keys sorted, ASCII-only output, compact unless
 * debug, dates as HTTP dates, unknown types rejected with a TypeError.
 */
import { Buffer } from 'node:buffer';
import { contentTypeFor, Response } from '../http/response.js';
import { safeHeaderValue } from '../http/security.js';

/** Per-call options of `dumps`. */
export interface DumpsOptions {
  /** Sort object keys (default: the provider's `sortKeys`). */
  sortKeys?: boolean;
  /** Escape non-ASCII characters as `\uXXXX` (default: the provider's `ensureAscii`). */
  ensureAscii?: boolean;
  /** Pretty-print with this indentation (spaces or a string), as Python's `indent`. */
  indent?: number | string | null;
  /** `[itemSeparator, keySeparator]`; default `[', ', ': ']` like Python's `json.dumps`. */
  separators?: readonly [string, string];
  /** Shorthand for `separators: [',', ':']` (what JSON responses use). */
  compact?: boolean;
  /** Python's spelling of `sortKeys` (Jinja's `tojson` policy passes it). */
  sort_keys?: boolean;
  /** Python's spelling of `ensureAscii`. */
  ensure_ascii?: boolean;
}

/** How the app turns values into JSON text and back; replace `app.json` to change it. */
export interface JSONProvider {
  /** The media type of JSON responses. */
  mimetype: string;
  /** Serialises a value (throws TypeError for values JSON cannot hold). */
  dumps(value: unknown, options?: DumpsOptions): string;
  /** Parses JSON text (or UTF-8 bytes). */
  loads(text: string | Uint8Array): unknown;
  /** The body `jsonify(value)` sends: compact (or indented in debug) plus a trailing newline, as Flask. */
  responseBody(value: unknown): string;
  /** A JSON response of `value` (what `jsonify` and views returning objects produce). */
  response(value: unknown): Response;
}

/** What the provider needs to know about its app (only whether it runs in debug mode). */
export interface JSONProviderApp {
  readonly debug: boolean;
}

const NON_ASCII_G = /[\u0080-\uffff]/g;
const utf8 = new TextDecoder('utf-8');
const MAX_NORMALIZE_DEPTH = 512;
/** Thrown inside `normalize` when only the slow writer can produce the output. */
const USE_WRITER: unique symbol = Symbol('USE_WRITER');
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

const COMPACT: readonly [string, string] = [',', ':'];
const PY_SEPARATORS: readonly [string, string] = [', ', ': '];

/** Replaces the `,` and `:` of compact JSON (outside strings) with other separators. */
function respace(json: string, itemSep: string, keySep: string): string {
  let out = '';
  let last = 0;
  const n = json.length;
  for (let i = 0; i < n; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < n; i++) {
        const d = json.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x2c /* , */ || c === 0x3a /* : */) {
      out += json.slice(last, i) + (c === 0x2c ? itemSep : keySep);
      last = i + 1;
    }
  }
  return last === 0 ? json : out + json.slice(last);
}

function escapeNonAscii(s: string): string {
  // ASCII iff every character is one UTF-8 byte: node's native count is several times faster than the regex
  if (Buffer.byteLength(s) === s.length) return s;
  return s.replace(NON_ASCII_G, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function typeName(o: object): string {
  const ctor = (o as { constructor?: { name?: string } }).constructor;
  return ctor?.name || 'Object';
}

/** Werkzeug's `http_date`: `Wed, 21 Oct 2015 07:28:00 GMT`. */
export function httpDate(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new TypeError('Invalid Date is not JSON serializable');
  return d.toUTCString();
}

/**
 * Flask's default JSON behaviour. Choices for JavaScript types: `Date` → HTTP date string (Flask);
 * objects with `toJSON` use it (MultiDict → first values); `Map` → object (string/number/boolean keys);
 * `Set` → array; `bigint` → its digits (like a Python int); objects with `__html__` (Markup) → that string;
 * other class instances → their own enumerable properties; bytes (`Uint8Array`, `Buffer`, `ArrayBuffer`)
 * and promises → TypeError (Flask rejects bytes too). `undefined`, functions and symbols are dropped from
 * objects and become `null` in arrays, as `JSON.stringify` does; a top-level `undefined` is a TypeError.
 * Non-finite numbers become `null`. Cycles throw TypeError.
 */
export class DefaultJSONProvider implements JSONProvider {
  /** Sort object keys in output (Flask's `sort_keys`, default true). */
  sortKeys = true;
  /** Escape non-ASCII characters (Flask's `ensure_ascii`, default true). */
  ensureAscii = true;
  /** Compact responses; null means "compact unless the app is in debug mode" (Flask's `compact`). */
  compact: boolean | null = null;
  /** The media type of JSON responses. */
  mimetype = 'application/json';

  constructor(protected readonly app?: JSONProviderApp | null) {}

  /** Converts a value JSON cannot hold natively; override to support more types. Return the value
   *  unchanged to serialise an object's own properties; throw TypeError to reject it. */
  default(o: object): unknown {
    if (o instanceof Date) return httpDate(o);
    const html = (o as { __html__?: unknown }).__html__;
    if (typeof html === 'function') return String((html as () => unknown).call(o));
    if (ArrayBuffer.isView(o) || o instanceof ArrayBuffer || o instanceof Promise) {
      throw new TypeError(`Object of type ${typeName(o)} is not JSON serializable`);
    }
    return o;
  }

  /** Serialises like Flask's `app.json.dumps`: Python's default separators (`{"a": 1, "b": [1, 2]}`)
   *  unless `compact`, `separators` or `indent` say otherwise; keys sorted, non-ASCII escaped. */
  dumps(value: unknown, options?: DumpsOptions): string {
    const sortKeys = options?.sortKeys ?? options?.sort_keys ?? this.sortKeys;
    const ensureAscii = options?.ensureAscii ?? options?.ensure_ascii ?? this.ensureAscii;
    const indentOpt = options?.indent;
    const indent =
      typeof indentOpt === 'number' ? ' '.repeat(Math.max(0, Math.min(10, indentOpt))) : (indentOpt ?? '');
    const out = this.serialize(value, sortKeys, indent);
    let text = out;
    if (!indent) {
      const [itemSep, keySep] = options?.compact ? COMPACT : (options?.separators ?? PY_SEPARATORS);
      if (itemSep !== ',' || keySep !== ':') text = respace(out, itemSep, keySep);
    }
    return ensureAscii ? escapeNonAscii(text) : text;
  }

  /** Compact (or indented) JSON text by the provider's rules, before separators and ASCII escaping. */
  private serialize(value: unknown, sortKeys: boolean, indent: string): string {
    let out: string | undefined;
    try {
      const plain = normalize(this, value, '', sortKeys, 0);
      out = indent ? JSON.stringify(plain, null, indent) : JSON.stringify(plain);
    } catch (e) {
      if (e !== USE_WRITER) throw e;
      out = new Writer(this, sortKeys, indent).write(value, '', '');
    }
    if (out === undefined) throw new TypeError(`Object of type ${typeof value} is not JSON serializable`);
    return out;
  }

  loads(text: string | Uint8Array): unknown {
    return JSON.parse(typeof text === 'string' ? text : utf8.decode(text));
  }

  responseBody(value: unknown): string {
    const compact = this.compact ?? !(this.app?.debug ?? false);
    if (compact && this.dumps === DefaultJSONProvider.prototype.dumps) {
      // what `dumps(value, { compact: true })` returns, without the options object and separator pass
      const text = this.serialize(value, this.sortKeys, '');
      return `${this.ensureAscii ? escapeNonAscii(text) : text}\n`;
    }
    return `${this.dumps(value, compact ? { compact: true } : { indent: 2 })}\n`;
  }

  /** A JSON response of `value` with `mimetype` (Flask's `app.json.response`; `jsonify` calls it). */
  response(value: unknown): Response {
    const mimetype = this.mimetype;
    if (mimetype !== this._lastMimetype) {
      this._lastContentType = safeHeaderValue(contentTypeFor(mimetype));
      this._lastMimetype = mimetype;
    }
    const res = Response._withContentType(this.responseBody(value), this._lastContentType);
    res._jsonSource = value;
    return res;
  }

  /** @internal the Content-Type of the last `mimetype` seen (it rarely changes). */
  private _lastMimetype: string | null = null;
  private _lastContentType = '';
}

function setKey(out: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__')
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

/**
 * The fast path: turns `v` into something `JSON.stringify` serialises exactly as the provider's rules say
 * (keys sorted, dates and maps converted...), returning `v` itself when nothing needs changing so plain
 * already-sorted data costs one walk. Throws USE_WRITER for what only the writer handles (bigint, object
 * keys whose sorted order a JS object cannot keep, very deep or cyclic data).
 */
function normalize(
  p: DefaultJSONProvider,
  v: unknown,
  key: string | number,
  sortKeys: boolean,
  depth: number,
): unknown {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'bigint') throw USE_WRITER;
    return v;
  }
  if (depth > MAX_NORMALIZE_DEPTH) throw USE_WRITER;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const e: unknown = v[i];
      // primitives need no call (and the index becomes a string only if a toJSON asks for it)
      let n = e;
      if (e !== null && typeof e === 'object') n = normalize(p, e, i, sortKeys, depth + 1);
      else if (typeof e === 'bigint') throw USE_WRITER;
      if (out === undefined && n !== e) out = v.slice(0, i);
      if (out !== undefined) out.push(n);
    }
    return out ?? v;
  }
  let o = v as object;
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) {
    if (o instanceof Date) {
      const r = p.default(o);
      return r === o ? o : normalize(p, r, key, sortKeys, depth + 1);
    }
    const toJSON = (o as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function' && !ArrayBuffer.isView(o)) {
      return normalize(p, (toJSON as (k: string) => unknown).call(o, String(key)), key, sortKeys, depth + 1);
    }
    if (o instanceof Map || o instanceof Set) throw USE_WRITER;
    const r = p.default(o);
    if (r !== o) return normalize(p, r, key, sortKeys, depth + 1);
    // a class instance serialised by its own properties: copy them into a plain object
    const copy: Record<string, unknown> = {};
    for (const k of Object.keys(o)) setKey(copy, k, (o as Record<string, unknown>)[k]);
    o = copy;
  } else if (typeof (o as { toJSON?: unknown }).toJSON === 'function') {
    return normalize(
      p,
      (o as { toJSON: (k: string) => unknown }).toJSON(String(key)),
      key,
      sortKeys,
      depth + 1,
    );
  }
  const rec = o as Record<string, unknown>;
  const keys = Object.keys(rec);
  let sorted = true;
  if (sortKeys) {
    for (let i = 1; i < keys.length; i++) {
      if (!((keys[i - 1] as string) < (keys[i] as string))) {
        sorted = false;
        break;
      }
    }
  }
  if (sorted) {
    let out: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const e = rec[k];
      let n = e;
      if (e !== null && typeof e === 'object') n = normalize(p, e, k, sortKeys, depth + 1);
      else if (typeof e === 'bigint') throw USE_WRITER;
      if (out === undefined && n !== e) {
        out = {};
        for (let j = 0; j < i; j++) setKey(out, keys[j] as string, rec[keys[j] as string]);
      }
      if (out !== undefined) setKey(out, k, n);
    }
    return out ?? rec;
  }
  keys.sort();
  let indexKeys = 0;
  for (const k of keys) if (ARRAY_INDEX.test(k) && ++indexKeys > 1) throw USE_WRITER;
  const out: Record<string, unknown> = {};
  for (const k of keys) setKey(out, k, normalize(p, rec[k], k, sortKeys, depth + 1));
  return out;
}

/** The slow path: walks the value applying the provider's rules. */
class Writer {
  private readonly stack = new Set<object>();

  constructor(
    private readonly provider: DefaultJSONProvider,
    private readonly sortKeys: boolean,
    private readonly indent: string,
  ) {}

  /** JSON text of `v`, or undefined when it must be omitted (undefined, function, symbol). */
  write(v: unknown, key: string, pad: string): string | undefined {
    switch (typeof v) {
      case 'string':
        return JSON.stringify(v);
      case 'number':
        return Number.isFinite(v) ? String(v) : 'null';
      case 'boolean':
        return v ? 'true' : 'false';
      case 'bigint':
        return v.toString();
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
      default:
        break;
    }
    if (v === null) return 'null';
    let o = v as object;
    if (o instanceof Date) {
      const r = this.provider.default(o);
      if (r !== o) return this.write(r, key, pad);
    }
    const toJSON = (o as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function' && !ArrayBuffer.isView(o)) {
      const r = (toJSON as (k: string) => unknown).call(o, key);
      if (r === null || typeof r !== 'object') return this.write(r, key, pad);
      o = r as object;
    }
    if (this.stack.has(o)) throw new TypeError('Converting circular structure to JSON');
    this.stack.add(o);
    try {
      if (Array.isArray(o)) return this.writeArray(o, pad);
      if (o instanceof Set) return this.writeArray(Array.from(o), pad);
      if (o instanceof Map) return this.writeMap(o, pad);
      const proto = Object.getPrototypeOf(o);
      if (proto !== Object.prototype && proto !== null) {
        const r = this.provider.default(o);
        if (r !== o) {
          this.stack.delete(o);
          return this.write(r, key, pad);
        }
      }
      const rec = o as Record<string, unknown>;
      return this.writeObject(Object.keys(rec), (k) => rec[k], pad);
    } finally {
      this.stack.delete(o);
    }
  }

  private writeArray(a: readonly unknown[], pad: string): string {
    if (a.length === 0) return '[]';
    const inner = pad + this.indent;
    const parts: string[] = [];
    for (let i = 0; i < a.length; i++) parts.push(this.write(a[i], String(i), inner) ?? 'null');
    return this.indent ? `[\n${inner}${parts.join(`,\n${inner}`)}\n${pad}]` : `[${parts.join(',')}]`;
  }

  private writeMap(m: Map<unknown, unknown>, pad: string): string {
    const values = new Map<string, unknown>();
    for (const [k, val] of m) {
      const t = typeof k;
      if (t !== 'string' && t !== 'number' && t !== 'boolean') {
        throw new TypeError(`keys must be str, int, float or bool, not ${k === null ? 'null' : t}`);
      }
      values.set(String(k), val);
    }
    return this.writeObject(Array.from(values.keys()), (k) => values.get(k), pad);
  }

  private writeObject(keys: string[], get: (k: string) => unknown, pad: string): string {
    if (this.sortKeys) keys.sort();
    const inner = pad + this.indent;
    const sep = this.indent ? ': ' : ':';
    const parts: string[] = [];
    for (const k of keys) {
      const s = this.write(get(k), k, inner);
      if (s !== undefined) parts.push(`${JSON.stringify(k)}${sep}${s}`);
    }
    if (parts.length === 0) return '{}';
    return this.indent ? `{\n${inner}${parts.join(`,\n${inner}`)}\n${pad}}` : `{${parts.join(',')}}`;
  }
}
