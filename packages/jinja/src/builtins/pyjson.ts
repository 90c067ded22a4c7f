/**
 * Python's `json.dumps(obj, sort_keys=True, indent=...)` with `ensure_ascii`, as Jinja's `tojson`
 * uses it: `", "`/`": "` separators, floats printed with Python's repr, non-ASCII escaped.
 */
import { pyError } from '../errors.js';
import { Markup } from '../runtime/markup.js';
import {
  compare,
  dictItems,
  floatRepr,
  intStr,
  isDict,
  isRange,
  PyFloat,
  typeName,
} from '../runtime/python.js';
import { isUndefined } from '../runtime/undefined.js';

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function floatJson(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  return floatRepr(x);
}

function keyString(k: unknown): string {
  if (typeof k === 'string') return k;
  if (k instanceof Markup) return k.valueOf();
  if (k === null) return 'null';
  if (k === true) return 'true';
  if (k === false) return 'false';
  if (typeof k === 'number') return Number.isInteger(k) ? intStr(k) : floatJson(k);
  if (k instanceof PyFloat) return floatJson(k.value);
  throw pyError('TypeError', `keys must be str, int, float, bool or None, not ${typeName(k)}`);
}

/** Serialises like `json.dumps(value, sort_keys=sortKeys, indent=indent)`. */
export function pyJsonDumps(value: unknown, indent: number | string | null = null, sortKeys = true): string {
  const ind = indent === null ? null : typeof indent === 'number' ? ' '.repeat(Math.max(0, indent)) : indent;
  const itemSep = ind === null ? ', ' : ',';
  const seen = new Set<unknown>();
  const enc = (v: unknown, level: number): string => {
    if (v === null || v === undefined) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'string') return jsonString(v);
    if (typeof v === 'number') return Number.isInteger(v) ? intStr(v) : floatJson(v);
    if (v instanceof PyFloat) return floatJson(v.value);
    if (v instanceof Markup) return jsonString(v.valueOf());
    if (isUndefined(v))
      throw pyError('TypeError', `Object of type ${v.constructor.name} is not JSON serializable`);
    if (typeof v === 'object') {
      if (seen.has(v)) throw pyError('ValueError', 'Circular reference detected');
      let parts: string[];
      let open: string;
      let close: string;
      seen.add(v);
      if (isRange(v)) throw pyError('TypeError', 'Object of type range is not JSON serializable');
      if (Array.isArray(v)) {
        parts = v.map((x) => enc(x, level + 1));
        open = '[';
        close = ']';
      } else if (isDict(v)) {
        let items = dictItems(v);
        // Python sorts the original keys, so mixed key types raise TypeError
        if (sortKeys) items = items.slice().sort((a, b) => compare(a[0], b[0]));
        parts = items.map(([k, x]) => `${jsonString(keyString(k))}: ${enc(x, level + 1)}`);
        open = '{';
        close = '}';
      } else {
        const toJSON = (v as { toJSON?: unknown }).toJSON;
        seen.delete(v);
        if (typeof toJSON === 'function') return enc(toJSON.call(v), level);
        throw pyError('TypeError', `Object of type ${typeName(v)} is not JSON serializable`);
      }
      seen.delete(v);
      if (parts.length === 0) return open + close;
      if (ind === null) return open + parts.join(itemSep) + close;
      const pad = `\n${ind.repeat(level + 1)}`;
      return `${open}${pad}${parts.join(itemSep + pad)}\n${ind.repeat(level)}${close}`;
    }
    throw pyError('TypeError', `Object of type ${typeName(v)} is not JSON serializable`);
  };
  return enc(value, 0);
}

/** Jinja's `htmlsafe_json_dumps`: JSON with `<`, `>`, `&` and `'` escaped, marked safe. */
export function htmlsafeJsonDumps(
  value: unknown,
  indent: number | string | null = null,
  sortKeys = true,
): Markup {
  return htmlsafeJson(pyJsonDumps(value, indent, sortKeys));
}

/** Escapes `<`, `>`, `&` and `'` in JSON text so it is safe inside HTML and marks it safe. */
export function htmlsafeJson(json: string): Markup {
  const s = json
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/'/g, '\\u0027');
  return new Markup(s);
}
