import { checkHeaderName, safeHeaderValue } from '../security.js';

/** What a `Headers` can be built from: pairs, a record (node's `IncomingHttpHeaders` too), or headers. */
export type HeadersInit =
  | Headers
  | Iterable<readonly [string, string]>
  | Record<string, string | number | readonly string[] | undefined>
  | { forEach(cb: (value: string, key: string) => void): void };

/**
 * Case-insensitive, ordered, multi-valued HTTP headers (Werkzeug's `Headers`, with the Fetch API's method
 * names). Values are made safe when set, so a header can never be split by user input.
 *
 * Stored as three parallel arrays: a response has a handful of headers, and a linear scan over a few
 * lower-case strings beats hashing, with nothing to allocate on the hot path.
 */
export class Headers implements Iterable<[string, string]> {
  /** @internal lower-case names */
  _keys: string[] = [];
  /** @internal names as given */
  _names: string[] = [];
  /** @internal values, already safe */
  _values: string[] = [];

  constructor(init?: HeadersInit | null) {
    if (init) this.extend(init);
  }

  /** Adds every header of `init` (keeping existing ones). */
  extend(init: HeadersInit): this {
    if (init instanceof Headers) {
      for (let i = 0; i < init._keys.length; i++) {
        this._keys.push(init._keys[i] as string);
        this._names.push(init._names[i] as string);
        this._values.push(init._values[i] as string);
      }
    } else if (typeof (init as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const [k, v] of init as Iterable<readonly [string, string]>) this.append(k, v);
    } else if (typeof (init as { forEach?: unknown }).forEach === 'function') {
      (init as { forEach(cb: (value: string, key: string) => void): void }).forEach((v, k) => {
        this.append(k, v);
      });
    } else {
      const rec = init as Record<string, string | number | readonly string[] | undefined>;
      for (const k in rec) {
        const v = rec[k];
        if (v === undefined) continue;
        if (typeof v === 'object') for (const item of v) this.append(k, item);
        else this.append(k, String(v));
      }
    }
    return this;
  }

  /** @internal builds from node's lower-case record without checks (incoming data is read, never written). */
  static fromRaw(raw: Record<string, string | string[] | undefined>): Headers {
    const h = new Headers();
    for (const k in raw) {
      const v = raw[k];
      if (v === undefined) continue;
      if (typeof v === 'string') {
        h._keys.push(k);
        h._names.push(k);
        h._values.push(v);
      } else {
        for (const item of v) {
          h._keys.push(k);
          h._names.push(k);
          h._values.push(item);
        }
      }
    }
    return h;
  }

  /** @internal appends a header known to be valid (constants set by Phial itself). */
  _push(lower: string, name: string, value: string): void {
    this._keys.push(lower);
    this._names.push(name);
    this._values.push(value);
  }

  private indexOf(lower: string): number {
    const keys = this._keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === lower) return i;
    return -1;
  }

  /** The value, several values joined by ", " (as Fetch does), or null. */
  get(name: string): string | null {
    const lower = name.toLowerCase();
    let found: string | null = null;
    const keys = this._keys;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === lower)
        found = found === null ? (this._values[i] as string) : `${found}, ${this._values[i]}`;
    }
    return found;
  }

  /** Every value of a header, in order. */
  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    const out: string[] = [];
    for (let i = 0; i < this._keys.length; i++)
      if (this._keys[i] === lower) out.push(this._values[i] as string);
    return out;
  }

  /** The `Set-Cookie` values, one per cookie (they cannot be joined). */
  getSetCookie(): string[] {
    return this.getAll('set-cookie');
  }

  has(name: string): boolean {
    return this.indexOf(name.toLowerCase()) !== -1;
  }

  /** Replaces every value of `name` with `value`. */
  set(name: string, value: string | number): this {
    const lower = name.toLowerCase();
    const v = safeHeaderValue(typeof value === 'string' ? value : String(value));
    const i = this.indexOf(lower);
    if (i === -1) {
      this._keys.push(lower);
      this._names.push(checkHeaderName(name));
      this._values.push(v);
      return this;
    }
    this._values[i] = v;
    this._names[i] = name;
    for (let j = this._keys.length - 1; j > i; j--) {
      if (this._keys[j] === lower) this.removeAt(j);
    }
    return this;
  }

  /** Sets `name` only when it is not there yet. */
  setDefault(name: string, value: string | number): string {
    const existing = this.get(name);
    if (existing !== null) return existing;
    this.set(name, value);
    return this.get(name) as string;
  }

  /** Adds a value, keeping existing ones. */
  append(name: string, value: string | number): this {
    const lower = name.toLowerCase();
    this._keys.push(lower);
    this._names.push(checkHeaderName(name));
    this._values.push(safeHeaderValue(typeof value === 'string' ? value : String(value)));
    return this;
  }

  /** Alias of `append` (Werkzeug's name). */
  add(name: string, value: string | number): this {
    return this.append(name, value);
  }

  delete(name: string): this {
    const lower = name.toLowerCase();
    for (let j = this._keys.length - 1; j >= 0; j--) if (this._keys[j] === lower) this.removeAt(j);
    return this;
  }

  private removeAt(i: number): void {
    this._keys.splice(i, 1);
    this._names.splice(i, 1);
    this._values.splice(i, 1);
  }

  /** Number of header lines (a repeated header counts once per value). */
  get size(): number {
    return this._keys.length;
  }

  /** `[name, value]` per header line, names in lower case (like Fetch). */
  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this._keys.length; i++) yield [this._keys[i] as string, this._values[i] as string];
  }

  *keys(): IterableIterator<string> {
    for (const k of this._keys) yield k;
  }

  *values(): IterableIterator<string> {
    for (const v of this._values) yield v;
  }

  forEach(cb: (value: string, name: string, headers: Headers) => void): void {
    for (let i = 0; i < this._keys.length; i++) cb(this._values[i] as string, this._keys[i] as string, this);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** `[name, value]` pairs with names as they were set (for writing). */
  items(): [string, string][] {
    const out: [string, string][] = [];
    for (let i = 0; i < this._keys.length; i++)
      out.push([this._names[i] as string, this._values[i] as string]);
    return out;
  }

  /** A plain object, several values joined by ", " (Set-Cookie as an array is `getSetCookie()`). */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = 0; i < this._keys.length; i++) {
      const k = this._keys[i] as string;
      out[k] = k in out ? `${out[k]}, ${this._values[i]}` : (this._values[i] as string);
    }
    return out;
  }

  /** @internal flat `[name, value, name, value...]` array for `writeHead`. */
  toFlat(): string[] {
    const out: string[] = new Array(this._keys.length * 2);
    for (let i = 0; i < this._keys.length; i++) {
      out[2 * i] = this._names[i] as string;
      out[2 * i + 1] = this._values[i] as string;
    }
    return out;
  }

  /** A copy. */
  copy(): Headers {
    return new Headers(this);
  }

  toString(): string {
    let s = '';
    for (let i = 0; i < this._keys.length; i++) s += `${this._names[i]}: ${this._values[i]}\r\n`;
    return s;
  }
}
