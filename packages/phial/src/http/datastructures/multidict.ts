import { BadRequestKeyError } from '../exceptions.js';

/** What a MultiDict can be built from: pairs (repeated keys add values), a plain object (array values add
 *  every element), or another MultiDict (all of its values). */
export type MultiDictInit<V> =
  | MultiDict<V>
  | Iterable<readonly [string, V]>
  | Readonly<Record<string, V | readonly V[]>>;

/** Options of {@link MultiDict.toObject}. */
export interface ToObjectOptions {
  /** `true` (default): the first value of each key; `false`: an array of every value. */
  flat?: boolean;
}

/**
 * A dictionary that keeps every value of a repeated key, as query strings and forms need (Werkzeug's
 * `MultiDict`). Reads give the first value; `getAll` gives them all. Keys keep their first-insertion order
 * and are stored in a `Map`, so `__proto__` or `constructor` are ordinary keys.
 *
 * Iterating a MultiDict (like a `Map`) yields `[key, firstValue]` pairs; `items(true)` yields every pair.
 */
export class MultiDict<V = string> implements Iterable<[string, V]> {
  /** key → its values (never an empty array). */
  private readonly store = new Map<string, V[]>();

  constructor(init?: MultiDictInit<V> | null) {
    if (init != null) this.update(init);
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.store.size;
  }

  /** The first value of `key`, or `defaultValue`; with `type`, the converted value (a throwing `type`,
   *  or one that yields NaN as `Number('abc')` does, gives `defaultValue`, like Werkzeug's
   *  `get(key, default, type)`). */
  get(key: string): V | undefined;
  get<D>(key: string, defaultValue: D): V | D;
  get<T, D = undefined>(key: string, defaultValue: D, type: (value: V) => T): T | D;
  get<T, D>(key: string, defaultValue?: D, type?: (value: V) => T): V | T | D | undefined {
    const list = this.store.get(key);
    if (list === undefined) return defaultValue;
    if (type === undefined) return list[0];
    try {
      const converted = type(list[0] as V);
      return Number.isNaN(converted) ? (defaultValue as D) : converted;
    } catch {
      return defaultValue;
    }
  }

  /** The first value of `key`, or BadRequestKeyError (400) when it is missing: Werkzeug's `d[key]`, so
   *  `req.form.getOrThrow('name')` answers a bad request, as `request.form['name']` does in Flask. */
  getOrThrow(key: string): V {
    const list = this.store.get(key);
    if (list === undefined) throw new BadRequestKeyError(key);
    return list[0] as V;
  }

  /** Every value of `key` (a fresh array, empty when missing); with `type`, converted values, skipping
   *  the ones `type` rejects by throwing. */
  getAll(key: string): V[];
  getAll<T>(key: string, type: (value: V) => T): T[];
  getAll<T>(key: string, type?: (value: V) => T): (V | T)[] {
    const list = this.store.get(key);
    if (list === undefined) return [];
    if (type === undefined) return list.slice();
    const out: T[] = [];
    for (const v of list) {
      try {
        const converted = type(v);
        if (!Number.isNaN(converted)) out.push(converted);
      } catch {
        // Werkzeug drops values the converter rejects
      }
    }
    return out;
  }

  has(key: string): boolean {
    return this.store.has(key);
  }

  /** Appends a value, keeping the ones already there. */
  add(key: string, value: V): this {
    const list = this.store.get(key);
    if (list === undefined) this.store.set(key, [value]);
    else list.push(value);
    return this;
  }

  /** Replaces every value of `key` with this one. */
  set(key: string, value: V): this {
    this.store.set(key, [value]);
    return this;
  }

  /** Replaces every value of `key` with these (an empty list removes the key). */
  setAll(key: string, values: Iterable<V>): this {
    const list = Array.from(values);
    if (list.length === 0) this.store.delete(key);
    else this.store.set(key, list);
    return this;
  }

  /** The first value of `key`, storing `defaultValue` first when the key is missing. */
  setDefault(key: string, defaultValue: V): V {
    const list = this.store.get(key);
    if (list !== undefined) return list[0] as V;
    this.store.set(key, [defaultValue]);
    return defaultValue;
  }

  /** Removes the key and all its values; true when it was there. */
  delete(key: string): boolean {
    return this.store.delete(key);
  }

  /** Removes the key and returns its first value (or `defaultValue`). */
  pop(key: string): V | undefined;
  pop<D>(key: string, defaultValue: D): V | D;
  pop<D>(key: string, defaultValue?: D): V | D | undefined {
    const list = this.store.get(key);
    if (list === undefined) return defaultValue;
    this.store.delete(key);
    return list[0];
  }

  /** Removes the key and returns all its values (empty when missing). */
  popAll(key: string): V[] {
    const list = this.store.get(key);
    if (list === undefined) return [];
    this.store.delete(key);
    return list;
  }

  clear(): void {
    this.store.clear();
  }

  /** Adds every value of `other` (Werkzeug's `update` extends, it does not replace). */
  update(other: MultiDictInit<V>): this {
    if (other instanceof MultiDict) {
      for (const [k, list] of other.store) for (const v of list) this.add(k, v);
    } else if (typeof (other as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const [k, v] of other as Iterable<readonly [string, V]>) this.add(k, v);
    } else {
      const obj = other as Readonly<Record<string, V | readonly V[]>>;
      for (const k of Object.keys(obj)) {
        const v = obj[k] as V | readonly V[];
        if (Array.isArray(v)) for (const item of v as readonly V[]) this.add(k, item);
        else this.add(k, v as V);
      }
    }
    return this;
  }

  /** A shallow copy (new lists, same values). */
  copy(): MultiDict<V> {
    return new MultiDict<V>(this);
  }

  keys(): IterableIterator<string> {
    return this.store.keys();
  }

  /** The first value of each key. */
  *values(): IterableIterator<V> {
    for (const list of this.store.values()) yield list[0] as V;
  }

  /** `[key, firstValue]` for each key. */
  *entries(): IterableIterator<[string, V]> {
    for (const [k, list] of this.store) yield [k, list[0] as V];
  }

  /** `[key, firstValue]` per key, or with `multi` every `[key, value]` pair in order. */
  *items(multi = false): IterableIterator<[string, V]> {
    if (!multi) {
      yield* this.entries();
      return;
    }
    for (const [k, list] of this.store) for (const v of list) yield [k, v];
  }

  /** `[key, allValues]` for each key (fresh arrays). */
  *lists(): IterableIterator<[string, V[]]> {
    for (const [k, list] of this.store) yield [k, list.slice()];
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: string, dict: this) => void): void {
    for (const [k, list] of this.store) fn(list[0] as V, k, this);
  }

  /** A null-prototype object: first values, or with `{ flat: false }` arrays of every value. */
  toObject(): Record<string, V>;
  toObject(options: { flat: false }): Record<string, V[]>;
  toObject(options?: ToObjectOptions): Record<string, V> | Record<string, V[]>;
  toObject(options?: ToObjectOptions): Record<string, V> | Record<string, V[]> {
    const out = Object.create(null) as Record<string, V | V[]>;
    if (options?.flat === false) {
      for (const [k, list] of this.store) out[k] = list.slice();
    } else {
      for (const [k, list] of this.store) out[k] = list[0] as V;
    }
    return out as Record<string, V> | Record<string, V[]>;
  }

  /** `JSON.stringify(md)` gives the first values, as `jsonify(request.form)` does in Flask. */
  toJSON(): Record<string, V> {
    return this.toObject();
  }

  get [Symbol.toStringTag](): string {
    return 'MultiDict';
  }

  toString(): string {
    const parts: string[] = [];
    for (const [k, v] of this.items(true)) parts.push(`(${JSON.stringify(k)}, ${String(v)})`);
    return `MultiDict([${parts.join(', ')}])`;
  }
}
