/**
 * The Python methods templates may call on strings, lists, tuples and dicts (`s.upper()`,
 * `d.items()`, `lst.append(x)`), bound to their receiver. The engine's attribute lookup asks
 * `getPyMethod` before it looks at data, as Jinja does (`d.keys` is the method even when the
 * dict has a `keys` key).
 */
import { pyError } from '../errors.js';
import { Kwargs } from '../runtime/calls.js';
import { Markup, markupEscape } from '../runtime/markup.js';
import {
  compare,
  dictItems,
  dictKeys,
  eq,
  isDict,
  isFloat,
  isInt,
  isRange,
  isTuple,
  makeFloat,
  PyFloat,
  pyRepr,
  toList,
  tuple,
  typeName,
} from '../runtime/python.js';
import { dateMethod } from '../runtime/pytime.js';
import { dateAttribute } from './datetime.js';
import { strFormat } from './format.js';
import {
  cpLen,
  isCased,
  isPySpace,
  pyCapitalize,
  pyCenter,
  pyExpandtabs,
  pyIsLower,
  pyIsTitle,
  pyIsUpper,
  pyLjust,
  pyReplace,
  pyRjust,
  pyRsplit,
  pySplit,
  pySplitlines,
  pyStrip,
  pySwapcase,
  pyTitle,
  pyZfill,
} from './strings.js';

/** A bound Python method. */
export type PyMethod = (...args: unknown[]) => unknown;

interface Args {
  pos: unknown[];
  kw: Record<string, unknown>;
}

function split(args: unknown[]): Args {
  const last = args[args.length - 1];
  if (last instanceof Kwargs) return { pos: args.slice(0, -1), kw: { ...last } };
  return { pos: args, kw: {} };
}

/** Binds positional and keyword arguments to parameter names, Python style. */
function bind(method: string, args: unknown[], names: string[], required = 0): unknown[] {
  const { pos, kw } = split(args);
  if (pos.length > names.length) {
    throw pyError('TypeError', `${method}() takes at most ${names.length} arguments (${pos.length} given)`);
  }
  const out: unknown[] = pos.slice();
  for (const [k, v] of Object.entries(kw)) {
    const i = names.indexOf(k);
    if (i < 0) throw pyError('TypeError', `${method}() got an unexpected keyword argument '${k}'`);
    if (i < pos.length) throw pyError('TypeError', `${method}() got multiple values for argument '${k}'`);
    out[i] = v;
  }
  for (let i = 0; i < required; i++) {
    if (out[i] === undefined)
      throw pyError('TypeError', `${method}() missing required argument '${names[i]}'`);
  }
  return out;
}

function str(v: unknown, method: string): string {
  if (typeof v === 'string') return v;
  if (v instanceof Markup) return v.valueOf();
  throw pyError('TypeError', `${method}() argument must be str, not ${typeName(v)}`);
}

function optStr(v: unknown, method: string): string | null {
  return v === undefined || v === null ? null : str(v, method);
}

function int(v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isInt(v)) return v;
  throw pyError('TypeError', `'${typeName(v)}' object cannot be interpreted as an integer`);
}

// ---------------------------------------------------------------------------------------------
// str

/** Converts code-point slice bounds to a JS (UTF-16) substring window. */
function window(s: string, start: unknown, end: unknown): [string, number] {
  const cps = /[\ud800-\udfff]/.test(s) ? Array.from(s) : null;
  const len = cps ? cps.length : s.length;
  let a = start === undefined || start === null ? 0 : int(start, 0);
  let b = end === undefined || end === null ? len : int(end, len);
  if (a < 0) a = Math.max(0, a + len);
  if (b < 0) b = Math.max(0, b + len);
  a = Math.min(a, len);
  b = Math.min(b, len);
  if (b < a) return ['', a];
  if (!cps) return [s.slice(a, b), a];
  return [cps.slice(a, b).join(''), a];
}

function cpIndex(s: string, unitIndex: number): number {
  return /[\ud800-\udfff]/.test(s) ? cpLen(s.slice(0, unitIndex)) : unitIndex;
}

function strMethod(s: string, name: string, wrap: (r: string) => unknown): PyMethod | undefined {
  switch (name) {
    case 'upper':
      return () => wrap(s.toUpperCase());
    case 'lower':
      return () => wrap(s.toLowerCase());
    case 'casefold':
      return () => wrap(s.toLowerCase().replace(/ß/g, 'ss'));
    case 'title':
      return () => wrap(pyTitle(s));
    case 'capitalize':
      return () => wrap(pyCapitalize(s));
    case 'swapcase':
      return () => wrap(pySwapcase(s));
    case 'strip':
    case 'lstrip':
    case 'rstrip':
      return (...a) => {
        const [chars] = bind(name, a, ['chars']);
        return wrap(pyStrip(s, optStr(chars, name), name !== 'rstrip', name !== 'lstrip'));
      };
    case 'split':
    case 'rsplit':
      return (...a) => {
        const [sep, maxsplit] = bind(name, a, ['sep', 'maxsplit']);
        const f = name === 'split' ? pySplit : pyRsplit;
        return f(s, optStr(sep, name), int(maxsplit, -1)).map(wrap);
      };
    case 'splitlines':
      return (...a) => {
        const [keepends] = bind(name, a, ['keepends']);
        return pySplitlines(s, Boolean(keepends)).map(wrap);
      };
    case 'join':
      return (...a) => {
        const [items] = bind(name, a, ['iterable'], 1);
        const list = toList(items);
        const parts = list.map((x, i) => {
          if (typeof x === 'string') return x;
          if (x instanceof Markup) return x.valueOf();
          throw pyError('TypeError', `sequence item ${i}: expected str instance, ${typeName(x)} found`);
        });
        return wrap(parts.join(s));
      };
    case 'replace':
      return (...a) => {
        const [old, rep, count] = bind(name, a, ['old', 'new', 'count'], 2);
        return wrap(pyReplace(s, str(old, name), str(rep, name), int(count, -1)));
      };
    case 'startswith':
    case 'endswith':
      return (...a) => {
        const [prefix, start, end] = bind(name, a, ['prefix', 'start', 'end'], 1);
        const [w] = window(s, start, end);
        const options = Array.isArray(prefix) ? prefix : [prefix];
        return options.some((p) => {
          const t = str(p, name);
          return name === 'startswith' ? w.startsWith(t) : w.endsWith(t);
        });
      };
    case 'find':
    case 'rfind':
    case 'index':
    case 'rindex':
      return (...a) => {
        const [sub, start, end] = bind(name, a, ['sub', 'start', 'end'], 1);
        const [w, offset] = window(s, start, end);
        const t = str(sub, name);
        const i = name === 'find' || name === 'index' ? w.indexOf(t) : w.lastIndexOf(t);
        if (i < 0) {
          if (name === 'index' || name === 'rindex') throw pyError('ValueError', 'substring not found');
          return -1;
        }
        return offset + cpIndex(w, i);
      };
    case 'count':
      return (...a) => {
        const [sub, start, end] = bind(name, a, ['sub', 'start', 'end'], 1);
        const [w] = window(s, start, end);
        const t = str(sub, name);
        if (t === '') return cpLen(w) + 1;
        return w.split(t).length - 1;
      };
    case 'format':
      return (...a) => {
        const { pos, kw } = split(a);
        return wrap(strFormat(s, pos, kw));
      };
    case 'format_map':
      return (m) => wrap(strFormat(s, [], isDict(m) ? Object.fromEntries(dictItems(m)) : {}));
    case 'center':
    case 'ljust':
    case 'rjust':
      return (...a) => {
        const [width, fill] = bind(name, a, ['width', 'fillchar'], 1);
        const f = fill === undefined ? ' ' : str(fill, name);
        if (cpLen(f) !== 1)
          throw pyError('TypeError', 'The fill character must be exactly one character long');
        const fn = name === 'center' ? pyCenter : name === 'ljust' ? pyLjust : pyRjust;
        return wrap(fn(s, int(width, 0), f));
      };
    case 'zfill':
      return (...a) => {
        const [width] = bind(name, a, ['width'], 1);
        return wrap(pyZfill(s, int(width, 0)));
      };
    case 'expandtabs':
      return (...a) => {
        const [tabsize] = bind(name, a, ['tabsize']);
        return wrap(pyExpandtabs(s, int(tabsize, 8)));
      };
    case 'partition':
    case 'rpartition':
      return (...a) => {
        const [sep] = bind(name, a, ['sep'], 1);
        const t = str(sep, name);
        if (t === '') throw pyError('ValueError', 'empty separator');
        const i = name === 'partition' ? s.indexOf(t) : s.lastIndexOf(t);
        if (i < 0)
          return tuple(name === 'partition' ? [wrap(s), wrap(''), wrap('')] : [wrap(''), wrap(''), wrap(s)]);
        return tuple([wrap(s.slice(0, i)), wrap(t), wrap(s.slice(i + t.length))]);
      };
    case 'removeprefix':
      return (p) => {
        const t = str(p, name);
        return wrap(t && s.startsWith(t) ? s.slice(t.length) : s);
      };
    case 'removesuffix':
      return (p) => {
        const t = str(p, name);
        return wrap(t && s.endsWith(t) ? s.slice(0, -t.length) : s);
      };
    case 'isdigit':
    case 'isdecimal':
      return () => s.length > 0 && /^\p{Nd}+$/u.test(s);
    case 'isnumeric':
      return () => s.length > 0 && /^\p{N}+$/u.test(s);
    case 'isalpha':
      return () => s.length > 0 && /^\p{L}+$/u.test(s);
    case 'isalnum':
      return () => s.length > 0 && /^[\p{L}\p{N}]+$/u.test(s);
    case 'isspace':
      return () => s.length > 0 && Array.from(s).every(isPySpace);
    case 'isupper':
      return () => pyIsUpper(s);
    case 'islower':
      return () => pyIsLower(s);
    case 'istitle':
      return () => pyIsTitle(s);
    case 'isascii':
      return () => !/[^\p{ASCII}]/u.test(s);
    case 'isidentifier':
      return () => /^[\p{L}_][\p{L}\p{N}_]*$/u.test(s);
    case 'isprintable':
      return () => !/[\p{C}\p{Z}]/u.test(s.replace(/ /g, ''));
    case 'encode':
      return () => new TextEncoder().encode(s);
  }
  void isCased;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// list / tuple

function listMethod(list: unknown[], name: string): PyMethod | undefined {
  const immutable = isTuple(list) || isRange(list);
  switch (name) {
    case 'index':
      return (...a) => {
        const [x, start, end] = bind(name, a, ['value', 'start', 'stop'], 1);
        const s = start === undefined ? 0 : int(start, 0);
        const e = end === undefined ? list.length : int(end, list.length);
        const from = s < 0 ? Math.max(0, s + list.length) : s;
        const to = e < 0 ? Math.max(0, e + list.length) : Math.min(e, list.length);
        for (let i = from; i < to; i++) if (eq(list[i], x)) return i;
        throw pyError(
          'ValueError',
          immutable ? 'tuple.index(x): x not in tuple' : `${pyRepr(x)} is not in list`,
        );
      };
    case 'count':
      return (x) => list.filter((y) => eq(y, x)).length;
  }
  if (immutable) return undefined;
  switch (name) {
    case 'append':
      return (x) => {
        list.push(x);
        return null;
      };
    case 'extend':
      return (xs) => {
        list.push(...toList(xs));
        return null;
      };
    case 'insert':
      return (i, x) => {
        let idx = int(i, 0);
        if (idx < 0) idx = Math.max(0, idx + list.length);
        list.splice(Math.min(idx, list.length), 0, x);
        return null;
      };
    case 'pop':
      return (...a) => {
        const [i] = bind(name, a, ['index']);
        if (list.length === 0) throw pyError('IndexError', 'pop from empty list');
        let idx = int(i, -1);
        if (idx < 0) idx += list.length;
        if (idx < 0 || idx >= list.length) throw pyError('IndexError', 'pop index out of range');
        return list.splice(idx, 1)[0];
      };
    case 'remove':
      return (x) => {
        const i = list.findIndex((y) => eq(y, x));
        if (i < 0) throw pyError('ValueError', 'list.remove(x): x not in list');
        list.splice(i, 1);
        return null;
      };
    case 'reverse':
      return () => {
        list.reverse();
        return null;
      };
    case 'clear':
      return () => {
        list.length = 0;
        return null;
      };
    case 'copy':
      return () => list.slice();
    case 'sort':
      return (...a) => {
        const [key, reverse] = bind(name, a, ['key', 'reverse']);
        const k = typeof key === 'function' ? (key as (x: unknown) => unknown) : (x: unknown) => x;
        const keyed = list.map((x, i) => [k(x), x, i] as const);
        const sign = reverse ? -1 : 1;
        keyed.sort((p, q) => sign * compare(p[0], q[0]) || p[2] - q[2]);
        list.splice(0, list.length, ...keyed.map((p) => p[1]));
        return null;
      };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// dict

function dictMethod(d: Record<string, unknown> | Map<unknown, unknown>, name: string): PyMethod | undefined {
  const isMap = d instanceof Map;
  // a tuple key is the same key as an equal tuple already in the dict (Python hashes tuples by value)
  const key = (k: unknown): unknown => {
    if (!isMap || d.has(k) || !isTuple(k)) return k;
    for (const existing of d.keys()) if (isTuple(existing) && eq(existing, k)) return existing;
    return k;
  };
  const has = (k: unknown): boolean => (isMap ? d.has(key(k)) : Object.hasOwn(d, String(k)));
  const get = (k: unknown): unknown => (isMap ? d.get(key(k)) : (d as Record<string, unknown>)[String(k)]);
  const set = (k: unknown, v: unknown): void => {
    if (isMap) d.set(key(k), v);
    else (d as Record<string, unknown>)[String(k)] = v;
  };
  const del = (k: unknown): void => {
    if (isMap) d.delete(key(k));
    else delete (d as Record<string, unknown>)[String(k)];
  };
  switch (name) {
    case 'items':
      return () => dictItems(d).map(([k, v]) => tuple([k, v]));
    case 'keys':
      return () => dictKeys(d);
    case 'values':
      return () => dictItems(d).map(([, v]) => v);
    case 'get':
      return (...a) => {
        const [k, dflt] = bind(name, a, ['key', 'default'], 1);
        return has(k) ? get(k) : (dflt ?? null);
      };
    case 'setdefault':
      return (...a) => {
        const [k, dflt] = bind(name, a, ['key', 'default'], 1);
        if (!has(k)) set(k, dflt ?? null);
        return get(k);
      };
    case 'pop':
      return (...a) => {
        const { pos } = split(a);
        const k = pos[0];
        if (has(k)) {
          const v = get(k);
          del(k);
          return v;
        }
        if (pos.length > 1) return pos[1];
        throw pyError('KeyError', pyRepr(k));
      };
    case 'popitem':
      return () => {
        const items = dictItems(d);
        if (items.length === 0) throw pyError('KeyError', "'popitem(): dictionary is empty'");
        const [k, v] = items[items.length - 1]!;
        del(k);
        return tuple([k, v]);
      };
    case 'update':
      return (...a) => {
        const { pos, kw } = split(a);
        const other = pos[0];
        if (other !== undefined && other !== null) {
          if (isDict(other)) for (const [k, v] of dictItems(other)) set(k, v);
          else
            for (const pair of toList(other)) {
              const p = toList(pair);
              if (p.length !== 2)
                throw pyError('ValueError', 'dictionary update sequence element has wrong length');
              set(p[0], p[1]);
            }
        }
        for (const [k, v] of Object.entries(kw)) set(k, v);
        return null;
      };
    case 'copy':
      return () => (isMap ? new Map(d) : { ...d });
    case 'clear':
      return () => {
        for (const k of dictKeys(d)) del(k);
        return null;
      };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

const MARKUP_EXTRA = new Set(['unescape', 'striptags', '__html__']);

const ATTRS = Symbol.for('phial.jinja.attrs');

// MarkupSafe 3 escapes only the inserted text: `replace`'s new string and the padding fill character
// (argument index 1). Search arguments (`old`, `sep`, `chars`, ...) are used as given.
const MARKUP_ESCAPES_ARGS = new Set(['replace', 'ljust', 'rjust', 'center']);

/**
 * Gives an array named attributes (Python's namedtuple fields, e.g. groupby's `grouper`/`list`).
 * `getPyMethod` answers them, since templates look attributes of lists up through it.
 */
export function withAttrs<T extends object>(obj: T, attrs: Record<string, unknown>): T {
  Object.defineProperty(obj, ATTRS, { value: attrs, enumerable: false });
  return obj;
}

/** Methods and attributes of Python's int and float (`7.0.is_integer()`, `n.real`, `n.bit_length()`). */
function numberMethod(obj: number | PyFloat, name: string): PyMethod | undefined {
  const x = typeof obj === 'number' ? obj : obj.value;
  const float = isFloat(obj);
  switch (name) {
    case 'real':
      return obj as unknown as PyMethod;
    case 'imag':
      return (float ? makeFloat(0) : 0) as unknown as PyMethod;
    case 'numerator':
      return (float ? undefined : obj) as unknown as PyMethod | undefined;
    case 'denominator':
      return (float ? undefined : 1) as unknown as PyMethod | undefined;
    case 'conjugate':
      return () => obj;
    case 'is_integer':
      return () => Number.isInteger(x);
    case 'bit_length':
      return float ? undefined : () => (x === 0 ? 0 : Math.abs(x).toString(2).length);
  }
  return undefined;
}

/**
 * The Python method `name` of `obj` bound to it, or `undefined` when `obj` has no such method.
 * Methods on Markup return Markup and escape their string arguments, like MarkupSafe.
 */
export function getPyMethod(obj: unknown, name: string): PyMethod | undefined {
  if (typeof obj === 'string') return strMethod(obj, name, (r) => r);
  if (obj instanceof Markup) {
    if (MARKUP_EXTRA.has(name)) {
      if (name === 'unescape') return () => obj.unescape();
      if (name === 'striptags') return () => obj.striptags();
      return () => obj.valueOf();
    }
    const s = obj.valueOf();
    const inner = strMethod(s, name, (r) => new Markup(r));
    if (!inner) return undefined;
    if (name === 'join') return (items) => obj.join(toList(items));
    if (name === 'format') {
      return (...a) => {
        const { pos, kw } = split(a);
        return new Markup(strFormat(s, pos, kw, undefined, true));
      };
    }
    // MarkupSafe escapes the arguments only of the methods whose result embeds them
    if (!MARKUP_ESCAPES_ARGS.has(name)) return inner;
    return (...a) => {
      const last = a[a.length - 1];
      const kw = last instanceof Kwargs ? last : null;
      const pos = kw ? a.slice(0, -1) : a.slice();
      if (typeof pos[1] === 'string') pos[1] = markupEscape(pos[1]);
      if (kw) {
        const out = new Kwargs({ ...kw });
        for (const key of ['new', 'fillchar'])
          if (typeof out[key] === 'string') out[key] = markupEscape(out[key]);
        pos.push(out);
      }
      return inner(...pos);
    };
  }
  if (Array.isArray(obj)) {
    const attrs = (obj as unknown as Record<symbol, Record<string, unknown> | undefined>)[ATTRS];
    if (attrs !== undefined && Object.hasOwn(attrs, name)) return attrs[name] as PyMethod;
    return listMethod(obj, name);
  }
  if (isDict(obj)) return dictMethod(obj, name);
  if (obj instanceof Date) return (dateAttribute(obj, name) ?? dateMethod(obj, name)) as PyMethod | undefined;
  if (typeof obj === 'number' || obj instanceof PyFloat) return numberMethod(obj, name);
  return undefined;
}
