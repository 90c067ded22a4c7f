/**
 * Python value semantics for compiled templates: how values print (`str`/`repr`), truthiness,
 * arithmetic with the int/float distinction, comparisons, membership and slicing.
 *
 * Value model: None = null, bool = boolean, int = integral JS number, float = non-integral JS number
 * or a `PyFloat` (an integral float such as `1.0`), str = string, Markup, list = array, tuple = array
 * marked with `tuple()`, dict = plain object or Map.
 */

import { dateStr } from '../builtins/datetime.js';
import { pyError, UndefinedError } from '../errors.js';
import { hasHtml, Markup, markupEscape, setStrConverter } from './markup.js';
import { floatRepr, makeFloat, PyFloat } from './pyfloat.js';

export { floatRepr, makeFloat, PyFloat };

import { isUndefined, type Undefined } from './undefined.js';

// ---------------------------------------------------------------------------------------------
// floats and tuples

/** True for Python floats: PyFloat or a JS number that is not an integer (incl. inf/nan). */
export function isFloat(v: unknown): v is number | PyFloat {
  return v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
}

/** True for Python ints (booleans excluded). */
export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** True for Python numbers: int, float, bool. */
export function isNumeric(v: unknown): v is number | boolean | PyFloat {
  return typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat;
}

/** The JS number of a Python number (bool → 0/1); TypeError for anything else. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw pyError('TypeError', `must be real number, not ${typeName(v)}`);
}

/**
 * Makes a Python tuple from an array: the array is frozen (tuples are immutable) and frozen arrays
 * are what `isTuple` recognises. Freezing marks it without an enumerable property (so equality
 * helpers and JSON see a plain array) and costs far less than `Object.defineProperty`.
 * Prints `(1, 2)`, is not equal to a list, and `%` spreads it into arguments.
 */
export function tuple<T>(items: T[]): T[] {
  return Object.freeze(items) as T[];
}

/** True when `v` is a tuple (a frozen array). */
export function isTuple(v: unknown): boolean {
  return Array.isArray(v) && Object.isFrozen(v);
}

const RANGE: unique symbol = Symbol.for('phial.jinja.range');

/**
 * Marks a list produced by `range()` so it prints like Python's range object (`range(0, 3)`);
 * everything else treats it as the list of its numbers.
 */
export function markRange(items: number[], start: number, stop: number, step: number): number[] {
  Object.defineProperty(items, RANGE, { value: [start, stop, step] });
  return items;
}

/** True for a list made by `range()`. */
export function isRange(v: unknown): boolean {
  return Array.isArray(v) && (v as unknown as Record<symbol, unknown>)[RANGE] !== undefined;
}

/** True for Python dicts: plain objects (own prototype Object or null) and Maps. */
export function isDict(v: unknown): v is Record<string, unknown> | Map<unknown, unknown> {
  if (v === null || typeof v !== 'object') return false;
  if (v instanceof Map) return true;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** The keys of a dict in insertion order. */
export function dictKeys(d: Record<string, unknown> | Map<unknown, unknown>): unknown[] {
  return d instanceof Map ? [...d.keys()] : Object.keys(d);
}

/** The `[key, value]` pairs of a dict in insertion order. */
export function dictItems(d: Record<string, unknown> | Map<unknown, unknown>): [unknown, unknown][] {
  return d instanceof Map ? [...d.entries()] : Object.entries(d);
}

/** Python's type name, for error messages. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  switch (typeof v) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'function':
      return 'function';
  }
  if (v instanceof PyFloat) return 'float';
  if (v instanceof Markup) return 'Markup';
  if (Array.isArray(v)) return isTuple(v) ? 'tuple' : 'list';
  if (isDict(v)) return 'dict';
  if (isUndefined(v)) return v.constructor.name;
  return (v as { constructor?: { name?: string } }).constructor?.name ?? 'object';
}

/** Raises the UndefinedError an Undefined operand stands for. */
export function failUndefined(u: Undefined): never {
  u.fail();
  throw new UndefinedError(u.undefinedMessage);
}

// ---------------------------------------------------------------------------------------------
// printing

/** Python's `str(int)` for a JS integer, exact beyond 2**53 (`2 ** 64`). */
export function intStr(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
}

function numStr(n: number): string {
  return Number.isInteger(n) ? intStr(n) : floatRepr(n);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: Python's non-printable set
const NON_PRINTABLE = /[\p{C}\p{Z}\\]/u;

/** Python's `repr(str)`: quote choice and escapes as CPython does. */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote) {
      out += `\\${ch}`;
      continue;
    }
    if (!NON_PRINTABLE.test(ch) || ch === ' ') {
      out += ch;
      continue;
    }
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
    }
    const cp = ch.codePointAt(0)!;
    if (cp < 0x100) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}

function seqRepr(v: unknown[], seen: Set<unknown>): string {
  const range = (v as unknown as Record<symbol, number[] | undefined>)[RANGE];
  if (range !== undefined) {
    const [start, stop, step] = range as [number, number, number];
    return step === 1 ? `range(${start}, ${stop})` : `range(${start}, ${stop}, ${step})`;
  }
  const parts = v.map((x) => reprInner(x, seen));
  if (isTuple(v)) return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
  return `[${parts.join(', ')}]`;
}

function dictRepr(d: Record<string, unknown> | Map<unknown, unknown>, seen: Set<unknown>): string {
  const parts = dictItems(d).map(([k, v]) => `${reprInner(k, seen)}: ${reprInner(v, seen)}`);
  return `{${parts.join(', ')}}`;
}

function reprInner(v: unknown, seen: Set<unknown>): string {
  if (typeof v === 'string') return strRepr(v);
  if (v !== null && typeof v === 'object') {
    if (v instanceof Markup) return `Markup(${strRepr(v.valueOf())})`;
    if (seen.has(v)) return Array.isArray(v) ? '[...]' : '{...}';
    if (Array.isArray(v) || isDict(v)) {
      seen.add(v);
      const r = Array.isArray(v) ? seqRepr(v, seen) : dictRepr(v, seen);
      seen.delete(v);
      return r;
    }
    const r = (v as { __repr__?: unknown }).__repr__;
    if (typeof r === 'function') return String(r.call(v));
  }
  // Jinja's Undefined classes all repr as "Undefined"
  if (isUndefined(v)) return 'Undefined';
  return pyStr(v);
}

/** Python's `repr()`. */
export function pyRepr(v: unknown): string {
  return reprInner(v, new Set());
}

/** Python's `str()`: None, True, 1.0, 1e-05, [1, 'a'], {'k': 1}; an Undefined prints via its own `str()`. */
export function pyStr(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return numStr(v);
    case 'boolean':
      return v ? 'True' : 'False';
    case 'undefined':
      return '';
    case 'bigint':
      return v.toString();
    case 'function':
      return `<function ${v.name || '<lambda>'}>`;
    case 'symbol':
      return v.toString();
  }
  if (v === null) return 'None';
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (v instanceof Markup) return v.valueOf();
  if (isUndefined(v)) return v.str();
  if (Array.isArray(v) || isDict(v)) return pyRepr(v);
  if (v instanceof Set) return v.size ? `{${[...v].map((x) => pyRepr(x)).join(', ')}}` : 'set()';
  if (v instanceof Date) return dateStr(v);
  const st = (v as { __str__?: unknown }).__str__;
  if (typeof st === 'function') return String(st.call(v));
  const s = String(v);
  if (s === '[object Object]') {
    const name = (v as { constructor?: { name?: string } }).constructor?.name;
    return `<${name || 'object'} object>`;
  }
  return s;
}

setStrConverter(pyStr);

// ---------------------------------------------------------------------------------------------
// truth, iteration, length

/** Python's `bool()`. An Undefined answers through its own `bool()` (StrictUndefined raises). */
export function truthy(v: unknown): boolean {
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'undefined':
      return false;
    case 'function':
      return true;
  }
  if (v === null) return false;
  if (v instanceof PyFloat) return v.value !== 0;
  if (v instanceof Markup) return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isUndefined(v)) return v.bool();
  if (v instanceof Map || v instanceof Set) return v.size > 0;
  if (isDict(v)) {
    for (const _ in v) return true;
    return false;
  }
  // host objects standing for Python objects: __bool__, then __len__ (Python's order)
  const b = (v as { __bool__?: unknown }).__bool__;
  if (typeof b === 'function') return Boolean(b.call(v));
  const l = (v as { __len__?: unknown }).__len__;
  if (typeof l === 'function') return Number(l.call(v)) !== 0;
  return true;
}

/** Python's `iter()` collected into an array: str → code points, dict → keys, Undefined → []. */
export function toList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return Array.from(v);
  if (v instanceof Markup) return Array.from(v.valueOf());
  if (isUndefined(v)) return Array.from({ [Symbol.iterator]: () => v.iter() });
  if (v instanceof Map) return [...v.keys()];
  if (isDict(v)) return Object.keys(v);
  if (v !== null && typeof v === 'object') {
    // a host object's Python iteration protocol, then JavaScript's
    const it = (v as { __iter__?: unknown }).__iter__;
    if (typeof it === 'function') return Array.from(it.call(v) as Iterable<unknown>);
    if (Symbol.iterator in v) return Array.from(v as Iterable<unknown>);
  }
  throw pyError('TypeError', `'${typeName(v)}' object is not iterable`);
}

/** True when `v` can be iterated in a template. */
export function isIterable(v: unknown): boolean {
  if (typeof v === 'string') return true;
  if (v === null || typeof v !== 'object') return false;
  return Array.isArray(v) || isDict(v) || Symbol.iterator in v;
}

/** Python's `len()`: code points for strings. */
export function pyLen(v: unknown): number {
  if (typeof v === 'string') return strLen(v);
  if (v instanceof Markup) return strLen(v.valueOf());
  if (Array.isArray(v)) return v.length;
  if (isUndefined(v)) return v.len();
  if (v instanceof Map || v instanceof Set) return v.size;
  if (isDict(v)) return Object.keys(v).length;
  if (v !== null && typeof v === 'object') {
    const l = (v as { __len__?: unknown }).__len__;
    if (typeof l === 'function') return Number(l.call(v));
    if (Symbol.iterator in v) return Array.from(v as Iterable<unknown>).length;
  }
  throw pyError('TypeError', `object of type '${typeName(v)}' has no len()`);
}

const SURROGATE = /[\ud800-\udfff]/;

/** Length in code points. */
export function strLen(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// comparison

/** True for str and Markup. */
export function isStrLike(v: unknown): v is string | Markup {
  return typeof v === 'string' || v instanceof Markup;
}

/** Python `==` (deep for lists, tuples and dicts; 1 == 1.0 == True). */
export function eq(a: unknown, b: unknown): boolean {
  if (a === b) {
    if (isUndefined(a)) return a.eq(b);
    return typeof a !== 'number' || !Number.isNaN(a);
  }
  if (isUndefined(a)) return a.eq(b);
  if (isUndefined(b)) return b.eq(a);
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (isNumeric(a)) return isNumeric(b) && toNumber(a) === toNumber(b);
  if (isStrLike(a)) return isStrLike(b) && a.valueOf() === b.valueOf();
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length || isTuple(a) !== isTuple(b)) return false;
    for (let i = 0; i < a.length; i++) if (!eq(a[i], b[i])) return false;
    return true;
  }
  if (isDict(a)) {
    if (!isDict(b)) return false;
    const ia = dictItems(a);
    if (ia.length !== pyLen(b)) return false;
    for (const [k, v] of ia) {
      if (!dictHas(b, k)) return false;
      if (!eq(v, dictGet(b, k))) return false;
    }
    return true;
  }
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  const e = (a as { __eq__?: unknown }).__eq__;
  if (typeof e === 'function') return Boolean(e.call(a, b));
  return false;
}

/** Python `!=`. */
export function ne(a: unknown, b: unknown): boolean {
  return !eq(a, b);
}

function dictHas(d: Record<string, unknown> | Map<unknown, unknown>, k: unknown): boolean {
  if (d instanceof Map) {
    if (d.has(k)) return true;
    for (const key of d.keys()) if (eq(key, k)) return true;
    return false;
  }
  if (typeof k === 'string') return Object.hasOwn(d, k);
  if (k instanceof Markup) return Object.hasOwn(d, k.valueOf());
  return false;
}

function dictGet(d: Record<string, unknown> | Map<unknown, unknown>, k: unknown): unknown {
  if (d instanceof Map) {
    if (d.has(k)) return d.get(k);
    for (const [key, v] of d) if (eq(key, k)) return v;
    return undefined;
  }
  return d[String(k)];
}

/** Compares two strings by code point (Python order), not UTF-16 unit. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : 1;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

/**
 * Python ordering as a three-way compare: numbers, strings, and lists/tuples lexicographically.
 * Anything else raises TypeError naming the operator.
 */
export function compare(a: unknown, b: unknown, op = '<'): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (isUndefined(a)) failUndefined(a);
  if (isUndefined(b)) failUndefined(b);
  if (isNumeric(a) && isNumeric(b)) {
    const x = toNumber(a);
    const y = toNumber(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (isStrLike(a) && isStrLike(b)) return compareStrings(a.valueOf(), b.valueOf());
  if (a instanceof Date && b instanceof Date) {
    const x = a.getTime();
    const y = b.getTime();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (!eq(a[i], b[i])) return compare(a[i], b[i], op);
    }
    return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
  }
  const host = hostOrder(a, b, op);
  if (host !== undefined) return host;
  throw pyError(
    'TypeError',
    `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`,
  );
}

/** Python's rich comparison methods: the operator's method on `a`, then the reflected one on `b`. */
const RICH: Record<string, readonly [string, string]> = {
  '<': ['__lt__', '__gt__'],
  '<=': ['__le__', '__ge__'],
  '>': ['__gt__', '__lt__'],
  '>=': ['__ge__', '__le__'],
};

/** Sentinel a host `__lt__` & co. may return, as Python's `NotImplemented`, to defer to the other operand. */
export const NotImplemented: unique symbol = Symbol.for('phial.jinja.NotImplemented');

function richCall(obj: unknown, method: string, other: unknown): boolean | undefined {
  if (obj === null || typeof obj !== 'object') return undefined;
  const f = (obj as Record<string, unknown>)[method];
  if (typeof f !== 'function') return undefined;
  const r = f.call(obj, other);
  return r === NotImplemented ? undefined : truthy(r);
}

function richCompare(a: unknown, b: unknown, op: string): boolean | undefined {
  const [fwd, refl] = RICH[op] ?? RICH['<']!;
  return richCall(a, fwd, b) ?? richCall(b, refl, a);
}

/**
 * Orders host objects through `__lt__`, `__le__`, `__gt__`, `__ge__` as a three-way result whose sign
 * answers `op` (sorting, which uses `<`, also asks the reverse question to tell "after" from "equal").
 */
function hostOrder(a: unknown, b: unknown, op: string): number | undefined {
  const r = richCompare(a, b, op);
  if (r === undefined) return undefined;
  switch (op) {
    case '<=':
      return r ? 0 : 1;
    case '>':
      return r ? 1 : 0;
    case '>=':
      return r ? 0 : -1;
    default:
      return r ? -1 : richCompare(b, a, '<') ? 1 : 0;
  }
}

/** Python `<`. */
export function lt(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  return compare(a, b, '<') < 0;
}
/** Python `<=`. */
export function le(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a <= b;
  return compare(a, b, '<=') <= 0;
}
/** Python `>`. */
export function gt(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a > b;
  return compare(a, b, '>') > 0;
}
/** Python `>=`. */
export function ge(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a >= b;
  return compare(a, b, '>=') >= 0;
}

/** Python `item in container`: substring, list membership, dict keys. */
export function contains(container: unknown, item: unknown): boolean {
  if (isStrLike(container)) {
    if (isUndefined(item)) failUndefined(item);
    if (!isStrLike(item)) {
      throw pyError('TypeError', `'in <string>' requires string as left operand, not ${typeName(item)}`);
    }
    return container.valueOf().includes(item.valueOf());
  }
  if (Array.isArray(container)) {
    for (const x of container) if (x === item || eq(x, item)) return true;
    return false;
  }
  if (isDict(container)) {
    if ((Array.isArray(item) && !isTuple(item) && !isRange(item)) || isDict(item)) {
      throw pyError('TypeError', `unhashable type: '${typeName(item)}'`);
    }
    return dictHas(container, item);
  }
  if (container instanceof Set) {
    if (container.has(item)) return true;
    for (const x of container) if (eq(x, item)) return true;
    return false;
  }
  if (isUndefined(container)) {
    for (const x of toList(container)) if (eq(x, item)) return true;
    return false;
  }
  if (container !== null && typeof container === 'object') {
    const c = (container as { __contains__?: unknown }).__contains__;
    if (typeof c === 'function') return Boolean(c.call(container, item));
    if (Symbol.iterator in container) {
      for (const x of container as Iterable<unknown>) if (eq(x, item)) return true;
      return false;
    }
  }
  throw pyError('TypeError', `argument of type '${typeName(container)}' is not iterable`);
}

/** `a ~ b ~ ...` without autoescape (Jinja's `str_join`): every part through `str()`. */
export function concat(...parts: unknown[]): string {
  let s = '';
  for (const p of parts) s += typeof p === 'string' ? p : pyStr(p);
  return s;
}

/**
 * `a ~ b ~ ...` with autoescape on (Jinja's `markup_join`): when any part is safe HTML the result is
 * Markup with the other parts escaped; otherwise a plain string.
 */
export function markupJoin(...parts: unknown[]): string | Markup {
  if (!parts.some((p) => hasHtml(p))) return concat(...parts);
  let s = '';
  for (const p of parts) s += markupEscape(p).valueOf();
  return new Markup(s);
}

// ---------------------------------------------------------------------------------------------
// slicing

function sliceIndex(v: unknown, what: string): number | null {
  if (v === null || v === undefined) return null;
  if (isUndefined(v)) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isInt(v)) return v;
  throw pyError('TypeError', `slice indices must be integers or None or have an __index__ method (${what})`);
}

/** Python's `slice.indices(len)` followed by the index list it selects. */
export function sliceIndices(len: number, start: unknown, stop: unknown, step: unknown): number[] {
  const st = sliceIndex(step, 'step') ?? 1;
  if (st === 0) throw pyError('ValueError', 'slice step cannot be zero');
  let s = sliceIndex(start, 'start');
  let e = sliceIndex(stop, 'stop');
  if (st > 0) {
    s = s === null ? 0 : s < 0 ? Math.max(0, s + len) : Math.min(s, len);
    e = e === null ? len : e < 0 ? Math.max(0, e + len) : Math.min(e, len);
  } else {
    s = s === null ? len - 1 : s < 0 ? Math.max(-1, s + len) : Math.min(s, len - 1);
    e = e === null ? -1 : e < 0 ? Math.max(-1, e + len) : Math.min(e, len - 1);
  }
  const out: number[] = [];
  if (st > 0) for (let i = s; i < e; i += st) out.push(i);
  else for (let i = s; i > e; i += st) out.push(i);
  return out;
}

function sliceString(str: string, start: unknown, stop: unknown, step: unknown): string {
  const simple = !SURROGATE.test(str);
  const chars = simple ? null : Array.from(str);
  const len = simple ? str.length : chars!.length;
  const st = step === null || step === undefined ? 1 : step;
  if (simple && st === 1) {
    // step 1 selects one contiguous run: clamp the bounds like slice.indices, no index list
    const a = sliceIndex(start, 'start');
    const b = sliceIndex(stop, 'stop');
    const s0 = a === null ? 0 : a < 0 ? Math.max(0, a + len) : Math.min(a, len);
    const e0 = b === null ? len : b < 0 ? Math.max(0, b + len) : Math.min(b, len);
    return e0 > s0 ? str.slice(s0, e0) : '';
  }
  const idx = sliceIndices(len, start, stop, st);
  let out = '';
  for (const i of idx) out += simple ? str[i] : chars![i];
  return out;
}

/** `obj[start:stop:step]` for strings (by code point), Markup, lists and tuples. */
export function slice(obj: unknown, start?: unknown, stop?: unknown, step?: unknown): unknown {
  if (typeof obj === 'string') return sliceString(obj, start, stop, step);
  if (obj instanceof Markup) return new Markup(sliceString(obj.valueOf(), start, stop, step));
  if (Array.isArray(obj)) {
    const out = sliceIndices(obj.length, start, stop, step).map((i) => obj[i]);
    return isTuple(obj) ? tuple(out) : out;
  }
  // an Undefined answers the subscript itself (ChainableUndefined returns itself, others raise)
  if (isUndefined(obj)) return obj.getitem(null);
  throw pyError('TypeError', `'${typeName(obj)}' object is not subscriptable`);
}
