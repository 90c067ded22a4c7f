/**
 * Jinja2 3.1's builtin filters with their arguments, defaults, errors and output.
 * Each filter is called `filter(value, ...args, kwargs?)`; filters needing the environment, the
 * eval context or the context are marked and receive that object first.
 */
import { FilterArgumentError, pyError } from '../errors.js';
import {
  Kwargs,
  passContext,
  passEnvironment,
  passEvalContext,
  passKind,
  withPositional,
} from '../runtime/calls.js';
import { escapeString, hasHtml, Markup, markSafe, markupEscape, softStr } from '../runtime/markup.js';
import { add, mod } from '../runtime/operators.js';
import {
  compare,
  dictItems,
  eq,
  isDict,
  isFloat,
  isInt,
  isNumeric,
  isRange,
  isTuple,
  makeFloat,
  PyFloat,
  pyLen,
  pyRepr,
  slice as pySlice,
  pyStr,
  toList,
  toNumber,
  truthy,
  tuple,
  typeName,
} from '../runtime/python.js';
import type { Context, Environment, EvalContext, TemplateFunction } from '../runtime/types.js';
import { isUndefined } from '../runtime/undefined.js';
import { formatFixed } from './format.js';
import { htmlsafeJson, htmlsafeJsonDumps } from './pyjson.js';
import { withAttrs } from './pymethods.js';
import { pyCapitalize, pyCenter, pyReplace, pyRsplit, pySplitlines, pyStrip } from './strings.js';
import { URI_SCHEME_RE, urlize } from './urlize.js';
import { wordwrap } from './wordwrap.js';

// ---------------------------------------------------------------------------------------------
// argument binding

type Params = Record<string, unknown>;
const REQUIRED = Symbol('required');
const SURROGATE = /[\ud800-\udfff]/;
const hasOwnProp = Object.prototype.hasOwnProperty;

const ATTR_SPEC = spec([['name', REQUIRED]]);
const BATCH_SPEC = spec([
  ['linecount', REQUIRED],
  ['fill_with', null],
]);
const CENTER_SPEC = spec([['width', 80]]);
const DEFAULT_SPEC = spec([
  ['default_value', ''],
  ['boolean', false],
]);
const DICTSORT_SPEC = spec([
  ['case_sensitive', false],
  ['by', 'key'],
  ['reverse', false],
]);
const FILESIZEFORMAT_SPEC = spec([['binary', false]]);
const FLOAT_SPEC = spec([['default', new PyFloat(0)]]);
const GROUPBY_SPEC = spec([
  ['attribute', REQUIRED],
  ['default', null],
  ['case_sensitive', false],
]);
const INDENT_SPEC = spec([
  ['width', 4],
  ['first', false],
  ['blank', false],
]);
const INT_SPEC = spec([
  ['default', 0],
  ['base', 10],
]);
const JOIN_SPEC = spec([
  ['d', ''],
  ['attribute', null],
]);
const REPLACE_SPEC = spec([
  ['old', REQUIRED],
  ['new', REQUIRED],
  ['count', null],
]);
const ROUND_SPEC = spec([
  ['precision', 0],
  ['method', 'common'],
]);
const SLICE_SPEC = spec([
  ['slices', REQUIRED],
  ['fill_with', null],
]);
const SORT_SPEC = spec([
  ['reverse', false],
  ['case_sensitive', false],
  ['attribute', null],
]);
const SUM_SPEC = spec([
  ['attribute', null],
  ['start', 0],
]);
const TOJSON_SPEC = spec([['indent', null]]);
const TRIM_SPEC = spec([['chars', null]]);
const TRUNCATE_SPEC = spec([
  ['length', 255],
  ['killwords', false],
  ['end', '...'],
  ['leeway', null],
]);
const UNIQUE_SPEC = spec([
  ['case_sensitive', false],
  ['attribute', null],
]);
const URLIZE_SPEC = spec([
  ['trim_url_limit', null],
  ['nofollow', false],
  ['target', null],
  ['rel', null],
  ['extra_schemes', null],
]);
const WORDWRAP_SPEC = spec([
  ['width', 79],
  ['break_long_words', true],
  ['wrapstring', null],
  ['break_on_hyphens', true],
]);
const XMLATTR_SPEC = spec([['autospace', true]]);

/** A filter's parameters, compiled once into a function building a fixed-shape params object. */
interface Spec {
  readonly entries: readonly (readonly [string, unknown])[];
  /** Index of the first required parameter, or the parameter count when none is required. */
  readonly firstRequired: number;
  /** Builds the params object from the first `npos` positional arguments and the defaults. */
  readonly make: (args: readonly unknown[], npos: number, defaults: readonly unknown[]) => Params;
  readonly defaults: readonly unknown[];
}

function spec(entries: readonly (readonly [string, unknown])[]): Spec {
  const fields = entries.map(([name], i) => `${JSON.stringify(name)}: ${i} < n ? a[${i}] : d[${i}]`);
  let make: Spec['make'];
  try {
    // an object literal keeps one hidden class per filter, so reading params stays monomorphic
    make = new Function('a', 'n', 'd', `return { ${fields.join(', ')} };`) as Spec['make'];
  } catch {
    // code generation is banned (Cloudflare Workers, strict CSP): build the same object by hand
    const names = entries.map(([name]) => name);
    make = (a, n, d) => {
      const out: Params = {};
      for (let i = 0; i < names.length; i++) out[names[i]!] = i < n ? a[i] : d[i];
      return out;
    };
  }
  const req = entries.findIndex((e) => e[1] === REQUIRED);
  return {
    entries,
    firstRequired: req < 0 ? entries.length : req,
    make,
    defaults: entries.map((e) => e[1]),
  };
}

/**
 * Binds `args` (positional, then an optional trailing Kwargs) to named parameters like Python:
 * TypeError for unknown keywords, duplicates, too many positionals or missing required ones.
 */
function bind(fname: string, args: unknown[], sp: Spec): Params {
  const n = args.length;
  const kw = n > 0 && args[n - 1] instanceof Kwargs ? (args[n - 1] as Kwargs) : null;
  const npos = kw ? n - 1 : n;
  const count = sp.entries.length;
  if (npos > count) {
    throw pyError(
      'TypeError',
      `${fname}() takes ${count + 1} positional arguments but ${npos + 1} were given`,
    );
  }
  const out = sp.make(args, npos, sp.defaults);
  // the common case: positional arguments only, every required one given
  if (kw === null && npos >= sp.firstRequired) return out;
  if (kw) {
    for (const key of Object.keys(kw)) {
      const i = sp.entries.findIndex(([name]) => name === key);
      if (i < 0) throw pyError('TypeError', `${fname}() got an unexpected keyword argument '${key}'`);
      if (i < npos) throw pyError('TypeError', `${fname}() got multiple values for argument '${key}'`);
      out[key] = kw[key];
    }
  }
  for (let i = npos; i < count; i++) {
    const name = (sp.entries[i] as readonly [string, unknown])[0];
    if (out[name] === REQUIRED)
      throw pyError('TypeError', `${fname}() missing 1 required positional argument: '${name}'`);
  }
  return out;
}

function splitKwargs(args: unknown[]): [unknown[], Record<string, unknown>] {
  const last = args[args.length - 1];
  if (last instanceof Kwargs) return [args.slice(0, -1), { ...last }];
  return [args, {}];
}

function toInt(v: unknown, what: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isInt(v)) return v;
  throw pyError('TypeError', `'${typeName(v)}' object cannot be interpreted as an integer (${what})`);
}

function isNone(v: unknown): boolean {
  return v === null || v === undefined;
}

/** Jinja's `environment.policies[key]` when the environment has policies, else Jinja's default. */
function policy(env: Environment, key: string, dflt: unknown): unknown {
  const policies = (env as { policies?: Record<string, unknown> | Map<string, unknown> }).policies;
  if (policies instanceof Map) return policies.has(key) ? policies.get(key) : dflt;
  if (policies && Object.hasOwn(policies, key)) return policies[key];
  return dflt;
}

// ---------------------------------------------------------------------------------------------
// attribute getters (Jinja's make_attrgetter / make_multi_attrgetter)

/** Parsed `attribute=` paths by string (templates pass the same few constants on every render). */
const ATTRIBUTE_PARTS = new Map<string, readonly unknown[]>();

function attributeParts(attr: unknown): readonly unknown[] {
  if (isNone(attr)) return [];
  if (typeof attr !== 'string') return [attr];
  let parts = ATTRIBUTE_PARTS.get(attr);
  if (parts === undefined) {
    parts = attr.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    if (ATTRIBUTE_PARTS.size >= 256) ATTRIBUTE_PARTS.clear();
    ATTRIBUTE_PARTS.set(attr, parts);
  }
  return parts;
}

function ignoreCase(v: unknown): unknown {
  if (typeof v === 'string') return v.toLowerCase();
  if (v instanceof Markup) return v.valueOf().toLowerCase();
  return v;
}

function makeAttrGetter(
  env: Environment,
  attribute: unknown,
  postprocess: ((v: unknown) => unknown) | null = null,
  dflt: unknown = null,
): (item: unknown) => unknown {
  const parts = attributeParts(attribute);
  return (item) => {
    let v = item;
    for (const p of parts) v = env.getitem(v, p);
    if (!isNone(dflt) && isUndefined(v)) v = dflt;
    return postprocess ? postprocess(v) : v;
  };
}

function makeMultiAttrGetter(
  env: Environment,
  attribute: unknown,
  postprocess: ((v: unknown) => unknown) | null,
): (item: unknown) => unknown[] {
  const split = typeof attribute === 'string' ? attribute.split(',') : [attribute];
  const parts = split.map(attributeParts);
  return (item) =>
    parts.map((ps) => {
      let v = item;
      for (const p of ps) v = env.getitem(v, p);
      return postprocess ? postprocess(v) : v;
    });
}

/** Python's stable `sorted(items, key=key, reverse=reverse)`. */
function sortBy<T>(items: T[], key: (x: T) => unknown, reverse: boolean): T[] {
  const keyed = items.map((x, i) => ({ k: key(x), x, i }));
  const sign = reverse ? -1 : 1;
  keyed.sort((a, b) => sign * compare(a.k, b.k) || a.i - b.i);
  return keyed.map((e) => e.x);
}

// ---------------------------------------------------------------------------------------------
// number parsing (Python int() / float() on strings)

const INT_BODY: Record<number, RegExp> = {
  2: /^[01]+(?:_?[01]+)*$/,
  8: /^[0-7]+(?:_?[0-7]+)*$/,
  10: /^\d+(?:_?\d+)*$/,
  16: /^[0-9a-f]+(?:_?[0-9a-f]+)*$/i,
};

/** Python's `int(s, base)`; returns null where Python raises ValueError. */
export function parsePyInt(input: string, base: number): number | null {
  let s = input.trim();
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  let b = base;
  const prefix = /^0([xob])_?/i.exec(s);
  if (b === 0) {
    if (prefix) {
      b = { x: 16, o: 8, b: 2 }[prefix[1]!.toLowerCase() as 'x' | 'o' | 'b'];
      s = s.slice(prefix[0].length);
    } else {
      b = 10;
      if (/^0+(?:_?0+)*$/.test(s)) return 0;
      if (s.startsWith('0')) return null;
    }
  } else if (
    prefix &&
    ((b === 16 && /x/i.test(prefix[1]!)) ||
      (b === 8 && /o/i.test(prefix[1]!)) ||
      (b === 2 && /b/i.test(prefix[1]!)))
  ) {
    s = s.slice(prefix[0].length);
  }
  if (b < 2 || b > 36) return null;
  const re = INT_BODY[b];
  if (re) {
    if (!re.test(s)) return null;
  } else {
    const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, b);
    const cls = `[${digits}]`;
    if (!new RegExp(`^${cls}+(?:_?${cls}+)*$`, 'i').test(s)) return null;
  }
  const n = Number.parseInt(s.replace(/_/g, ''), b);
  return Number.isNaN(n) ? null : sign * n;
}

/** Python's `float(s)`; returns null where Python raises ValueError. */
export function parsePyFloat(input: string): number | null {
  const s = input.trim();
  const m =
    /^([+-]?)(?:(inf(?:inity)?)|(nan)|((?:\d(?:_?\d)*)?(?:\.(?:\d(?:_?\d)*)?)?)(?:[eE]([+-]?\d(?:_?\d)*))?)$/i.exec(
      s,
    );
  if (!m) return null;
  const sign = m[1] === '-' ? -1 : 1;
  if (m[2]) return sign * Number.POSITIVE_INFINITY;
  if (m[3]) return Number.NaN;
  const mant = m[4] ?? '';
  if (mant === '' || mant === '.') return null;
  const text = mant.replace(/_/g, '') + (m[5] !== undefined ? `e${m[5].replace(/_/g, '')}` : '');
  const n = Number(text);
  return Number.isNaN(n) ? null : sign * n;
}

function pyFloatOf(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' || v instanceof Markup) return parsePyFloat(v.valueOf());
  // a host object's __float__ (then __int__), as Python's float() asks
  const f = hostMethod(v, '__float__') ?? hostMethod(v, '__int__');
  if (f !== undefined) {
    const x = f();
    return typeof x === 'number' ? x : x instanceof PyFloat ? x.value : null;
  }
  return null;
}

/** A host object's Python method (`__abs__`, `__int__`, ...) bound to it, if it has one. */
function hostMethod(v: unknown, name: string): (() => unknown) | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const f = (v as Record<string, unknown>)[name];
  return typeof f === 'function' ? () => f.call(v) : undefined;
}

// ---------------------------------------------------------------------------------------------
// filters

function doAbs(value: unknown): unknown {
  if (typeof value === 'number') return Math.abs(value);
  if (value instanceof PyFloat) return new PyFloat(Math.abs(value.value));
  if (typeof value === 'boolean') return value ? 1 : 0;
  const abs = hostMethod(value, '__abs__');
  if (abs !== undefined) return abs();
  throw pyError('TypeError', `bad operand type for abs(): '${typeName(value)}'`);
}

function doAttr(env: Environment, obj: unknown, ...args: unknown[]): unknown {
  const p = bind('do_attr', args, ATTR_SPEC);
  const name = pyStr(p.name);
  if (isUndefined(obj)) return env.getattr(obj, name);
  // attribute lookup only: a dict's keys are items, not attributes
  if (
    typeof obj === 'string' ||
    obj instanceof Markup ||
    Array.isArray(obj) ||
    isDict(obj) ||
    obj === null ||
    typeof obj !== 'object'
  ) {
    const v = env.getattr(obj, name);
    if (isDict(obj) && !isUndefined(v) && typeof v !== 'function') return env.makeUndefined(null, obj, name);
    return v;
  }
  return env.getattr(obj, name);
}

function doBatch(value: unknown, ...args: unknown[]): unknown[][] {
  const p = bind('do_batch', args, BATCH_SPEC);
  const n = toInt(p.linecount, 'linecount');
  const out: unknown[][] = [];
  let tmp: unknown[] = [];
  for (const item of toList(value)) {
    if (tmp.length === n) {
      out.push(tmp);
      tmp = [];
    }
    tmp.push(item);
  }
  if (tmp.length > 0) {
    if (!isNone(p.fill_with) && tmp.length < n) while (tmp.length < n) tmp.push(p.fill_with);
    out.push(tmp);
  }
  return out;
}

function strOp(value: unknown, fn: (s: string) => string): string | Markup {
  const s = softStr(value);
  if (s instanceof Markup) return new Markup(fn(s.valueOf()));
  return fn(s);
}

function doCapitalize(value: unknown): unknown {
  return strOp(value, pyCapitalize);
}

function doCenter(value: unknown, ...args: unknown[]): unknown {
  const p = bind('do_center', args, CENTER_SPEC);
  const w = toInt(p.width, 'width');
  return strOp(value, (s) => pyCenter(s, w));
}

// The hottest filters read positional arguments directly and only `bind` keyword calls (and
// arity errors), so the common call builds no params object.

/** True when `args` are at most `max` positional arguments (no trailing Kwargs). */
function positional(args: readonly unknown[], max: number): boolean {
  const n = args.length;
  return n === 0 || (n <= max && !(args[n - 1] instanceof Kwargs));
}

/** `default` called with 0, 1 or 2 positional arguments (see withPositional). */
const DEFAULT_VARIANTS = [
  (value: unknown) => (isUndefined(value) ? '' : value),
  (value: unknown, dflt: unknown) => (isUndefined(value) ? dflt : value),
  (value: unknown, dflt: unknown, boolean: unknown) =>
    isUndefined(value) || (boolean !== false && truthy(boolean) && !truthy(value)) ? dflt : value,
];

function doDefault(value: unknown, ...args: unknown[]): unknown {
  const n = args.length;
  let dflt: unknown = '';
  let boolean: unknown = false;
  if (positional(args, 2)) {
    if (n > 0) dflt = args[0];
    if (n > 1) boolean = args[1];
  } else {
    const p = bind('do_default', args, DEFAULT_SPEC);
    dflt = p.default_value;
    boolean = p.boolean;
  }
  if (isUndefined(value) || (boolean !== false && truthy(boolean) && !truthy(value))) return dflt;
  return value;
}

function doDictsort(value: unknown, ...args: unknown[]): unknown[] {
  const p = bind('do_dictsort', args, DICTSORT_SPEC);
  let pos: number;
  if (p.by === 'key') pos = 0;
  else if (p.by === 'value') pos = 1;
  else throw new FilterArgumentError('You can only sort by either "key" or "value"');
  if (!isDict(value)) {
    if (isUndefined(value)) value.fail();
    throw pyError('AttributeError', `'${typeName(value)}' object has no attribute 'items'`);
  }
  const cs = truthy(p.case_sensitive);
  const items = dictItems(value).map(([k, v]) => tuple([k, v]));
  return sortBy(items, (it) => (cs ? it[pos] : ignoreCase(it[pos])), truthy(p.reverse));
}

function doEscape(value: unknown): Markup {
  return markupEscape(value);
}

function doFilesizeformat(value: unknown, ...args: unknown[]): string {
  const p = bind('do_filesizeformat', args, FILESIZEFORMAT_SPEC);
  const bytes = pyFloatOf(value);
  if (bytes === null) {
    if (isUndefined(value)) value.fail();
    if (typeof value === 'string')
      throw pyError('ValueError', `could not convert string to float: ${pyRepr(value)}`);
    throw pyError(
      'TypeError',
      `float() argument must be a string or a real number, not '${typeName(value)}'`,
    );
  }
  const binary = truthy(p.binary);
  const base = binary ? 1024 : 1000;
  const prefixes = binary
    ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB']
    : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  if (bytes === 1) return '1 Byte';
  if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
  let unit = base;
  let prefix = prefixes[0]!;
  for (let i = 0; i < prefixes.length; i++) {
    unit = base ** (i + 2);
    prefix = prefixes[i]!;
    if (bytes < unit) break;
  }
  return `${formatFixed((base * bytes) / unit, 1)} ${prefix}`;
}

function doFirst(env: Environment, value: unknown): unknown {
  const items = toList(value);
  if (items.length === 0) return env.makeUndefined('No first item, sequence was empty.');
  return items[0];
}

function doLast(env: Environment, value: unknown): unknown {
  const items = toList(value);
  if (items.length === 0) return env.makeUndefined('No last item, sequence was empty.');
  return items[items.length - 1];
}

function doFloat(value: unknown, ...args: unknown[]): unknown {
  const p = bind('do_float', args, FLOAT_SPEC);
  if (isUndefined(value)) value.fail();
  const f = pyFloatOf(value);
  if (f === null) return p.default;
  return makeFloat(f);
}

function doForceescape(value: unknown): Markup {
  const v = hasHtml(value) ? value.__html__() : value;
  return markupEscape(pyStr(v));
}

function doFormat(value: unknown, ...args: unknown[]): unknown {
  const [pos, kw] = splitKwargs(args);
  const hasKw = Object.keys(kw).length > 0;
  if (pos.length > 0 && hasKw) {
    throw new FilterArgumentError("can't handle positional and keyword arguments at the same time");
  }
  return mod(softStr(value), hasKw ? kw : tuple(pos));
}

interface GroupTuple extends Array<unknown> {
  grouper: unknown;
  list: unknown[];
}

function groupTuple(grouper: unknown, list: unknown[]): GroupTuple {
  // attributes first: a tuple is frozen
  const t = withAttrs([grouper, list], { grouper, list });
  Object.defineProperty(t, 'grouper', { value: grouper, enumerable: false });
  Object.defineProperty(t, 'list', { value: list, enumerable: false });
  return tuple(t) as GroupTuple;
}

function doGroupby(env: Environment, value: unknown, ...args: unknown[]): GroupTuple[] {
  const p = bind('do_groupby', args, GROUPBY_SPEC);
  const cs = truthy(p.case_sensitive);
  const expr = makeAttrGetter(env, p.attribute, cs ? null : ignoreCase, p.default);
  const sorted = sortBy(toList(value), expr, false);
  const groups: GroupTuple[] = [];
  let curKey: unknown;
  let cur: unknown[] | null = null;
  for (const item of sorted) {
    const k = expr(item);
    if (cur !== null && eq(k, curKey)) cur.push(item);
    else {
      cur = [item];
      curKey = k;
      groups.push(groupTuple(k, cur));
    }
  }
  if (cs) return groups;
  const output = makeAttrGetter(env, p.attribute, null, p.default);
  return groups.map((g) => groupTuple(output(g.list[0]), g.list));
}

function doIndent(value: unknown, ...args: unknown[]): unknown {
  const p = bind('do_indent', args, INDENT_SPEC);
  if (isUndefined(value)) value.fail();
  const isMarkup = value instanceof Markup;
  // Jinja wraps the indention in Markup (unescaped) when the text is Markup
  const indention =
    typeof p.width === 'string' || p.width instanceof Markup
      ? p.width.valueOf()
      : ' '.repeat(Math.max(0, toInt(p.width, 'width')));
  if (typeof value !== 'string' && !isMarkup) {
    // a list absorbs `+= '\n'` and then has no splitlines(); other types refuse the `+=`
    if (Array.isArray(value) && !isTuple(value) && !isRange(value)) {
      throw pyError('AttributeError', "'list' object has no attribute 'splitlines'");
    }
    throw pyError('TypeError', `unsupported operand type(s) for +=: '${typeName(value)}' and 'str'`);
  }
  const s = `${value.valueOf()}\n`;
  let rv: string;
  const lines = pySplitlines(s);
  if (truthy(p.blank)) rv = lines.join(`\n${indention}`);
  else {
    rv = lines.shift() ?? '';
    if (lines.length > 0) rv += `\n${lines.map((l) => (l ? indention + l : l)).join('\n')}`;
  }
  if (truthy(p.first)) rv = indention + rv;
  return isMarkup ? new Markup(rv) : rv;
}

function doInt(value: unknown, ...args: unknown[]): unknown {
  const p = bind('do_int', args, INT_SPEC);
  if (isUndefined(value)) value.fail();
  if (typeof value === 'string' || value instanceof Markup) {
    const base = typeof p.base === 'number' ? p.base : 10;
    const n = parsePyInt(value.valueOf(), base);
    if (n !== null) return n;
  } else if (typeof value === 'number' || value instanceof PyFloat || typeof value === 'boolean') {
    const x = toNumber(value);
    return Number.isNaN(x) ? p.default : truncToInt(x);
  }
  const int = hostMethod(value, '__int__');
  if (int !== undefined) {
    const n = int();
    if (typeof n === 'number') return truncToInt(n);
  }
  const f = pyFloatOf(value);
  // the float() fallback swallows NaN and infinity too
  if (f === null || !Number.isFinite(f)) return p.default;
  return truncToInt(f);
}

function truncToInt(x: number): number {
  if (Number.isNaN(x)) throw pyError('ValueError', 'cannot convert float NaN to integer');
  if (!Number.isFinite(x)) throw pyError('OverflowError', 'cannot convert float infinity to integer');
  return Math.trunc(x) || 0;
}

function doItems(value: unknown): unknown[] {
  if (isUndefined(value)) return [];
  if (!isDict(value)) throw pyError('TypeError', 'Can only get item pairs from a mapping.');
  return dictItems(value).map(([k, v]) => tuple([k, v]));
}

function doJoin(evalCtx: EvalContext, value: unknown, ...args: unknown[]): unknown {
  const p = bind('do_join', args, JOIN_SPEC);
  let items = toList(value);
  if (!isNone(p.attribute)) items = items.map(makeAttrGetter(evalCtx.environment, p.attribute));
  if (!evalCtx.autoescape) return items.map((x) => pyStr(x)).join(pyStr(p.d));
  if (!hasHtml(p.d)) {
    let doEscape = false;
    const parts = items.map((x) => {
      if (hasHtml(x)) {
        doEscape = true;
        return x;
      }
      return pyStr(x);
    });
    if (doEscape) return markupEscape(p.d).join(parts);
    return parts.join(pyStr(p.d));
  }
  return new Markup(p.d).join(items);
}

function doLength(value: unknown): number {
  return pyLen(value);
}

function doList(value: unknown): unknown[] {
  return toList(value).slice();
}

function doLower(value: unknown): unknown {
  if (typeof value === 'string') return value.toLowerCase();
  return strOp(value, (s) => s.toLowerCase());
}

function doUpper(value: unknown): unknown {
  if (typeof value === 'string') return value.toUpperCase();
  return strOp(value, (s) => s.toUpperCase());
}

function prepareMap(context: Context, args: unknown[]): (item: unknown) => unknown {
  const [pos, kw] = splitKwargs(args);
  const env = context.environment;
  if (pos.length === 0 && 'attribute' in kw) {
    // read in place: deleting keys would turn the object into a slow dictionary
    for (const k in kw) {
      if (k !== 'attribute' && k !== 'default')
        throw new FilterArgumentError(`Unexpected keyword argument ${pyRepr(k)}`);
    }
    return makeAttrGetter(env, kw.attribute, null, kw.default ?? null);
  }
  if (pos.length === 0) throw new FilterArgumentError('map requires a filter argument');
  const name = pyStr(pos[0]);
  const rest = pos.slice(1);
  const kwargs = Object.keys(kw).length > 0 ? kw : null;
  const f = env.filters[name];
  // an unknown filter fails on the first item (callFilter raises), as in Jinja
  if (typeof f !== 'function') return (item) => env.callFilter(name, item, rest, kwargs, context);
  // the arguments are built once (with what the filter asked to receive first); only the item changes
  const kind = passKind(f);
  const all: unknown[] = [];
  if (kind === 'context') all.push(context);
  else if (kind === 'evalContext') all.push(context.evalContext);
  else if (kind === 'environment') all.push(env);
  const at = all.length;
  all.push(undefined, ...rest);
  if (kwargs) all.push(new Kwargs(kwargs));
  return (item) => {
    const args = all.slice();
    args[at] = item;
    return (f as (...a: unknown[]) => unknown)(...args);
  };
}

function doMap(context: Context, value: unknown, ...args: unknown[]): unknown[] {
  if (!truthy(value)) return [];
  const fn = prepareMap(context, args);
  return toList(value).map((x) => fn(x));
}

function minMax(env: Environment, value: unknown, args: unknown[], fname: string, wantMax: boolean): unknown {
  const p = bind(fname, args, UNIQUE_SPEC);
  const items = toList(value);
  if (items.length === 0) return env.makeUndefined('No aggregated item, sequence was empty.');
  const key = makeAttrGetter(env, p.attribute, truthy(p.case_sensitive) ? null : ignoreCase);
  let best = items[0];
  let bestKey = key(best);
  for (let i = 1; i < items.length; i++) {
    const k = key(items[i]);
    const c = compare(k, bestKey, wantMax ? '>' : '<');
    if (wantMax ? c > 0 : c < 0) {
      best = items[i];
      bestKey = k;
    }
  }
  return best;
}

function doMax(env: Environment, value: unknown, ...args: unknown[]): unknown {
  return minMax(env, value, args, 'do_max', true);
}

function doMin(env: Environment, value: unknown, ...args: unknown[]): unknown {
  return minMax(env, value, args, 'do_min', false);
}

/** Python's `pprint.pformat` for the value shapes templates use (sorted dict keys, width 80). */
export function pformat(value: unknown): string {
  const seen = new Set<unknown>();
  const rep = (v: unknown, indent: number): string => {
    const flat = flatRepr(v);
    if (flat.length + indent <= 80) return flat;
    if (seen.has(v)) return flat;
    if (Array.isArray(v) && v.length > 0) {
      seen.add(v);
      const tup = isTuple(v);
      const open = tup ? '(' : '[';
      const close = tup ? (v.length === 1 ? ',)' : ')') : ']';
      const parts = v.map((x) => rep(x, indent + 1));
      seen.delete(v);
      return open + parts.join(`,\n${' '.repeat(indent + 1)}`) + close;
    }
    if (isDict(v) && pyLen(v) > 0) {
      seen.add(v);
      const items = sortBy(dictItems(v), (it) => it[0], false);
      const parts = items.map(([k, x]) => {
        const kr = flatRepr(k);
        return `${kr}: ${rep(x, indent + 1 + kr.length + 2)}`;
      });
      seen.delete(v);
      return `{${parts.join(`,\n${' '.repeat(indent + 1)}`)}}`;
    }
    return flat;
  };
  return rep(value, 0);
}

function flatRepr(v: unknown): string {
  if (isDict(v)) {
    let items: [unknown, unknown][];
    try {
      items = sortBy(dictItems(v), (it) => it[0], false);
    } catch {
      items = dictItems(v);
    }
    return `{${items.map(([k, x]) => `${flatRepr(k)}: ${flatRepr(x)}`).join(', ')}}`;
  }
  if (Array.isArray(v)) {
    if (isRange(v)) return pyRepr(v);
    const parts = v.map(flatRepr);
    if (isTuple(v)) return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
    return `[${parts.join(', ')}]`;
  }
  return pyRepr(v);
}

function doPprint(value: unknown): string {
  return pformat(value);
}

function doRandom(context: Context, value: unknown): unknown {
  const items = toList(value);
  if (items.length === 0) return context.environment.makeUndefined('No random item, sequence was empty.');
  return items[Math.floor(Math.random() * items.length)];
}

function prepareSelect(context: Context, args: unknown[], lookupAttr: boolean): (item: unknown) => boolean {
  const [pos, kw] = splitKwargs(args);
  const env = context.environment;
  let trans: (x: unknown) => unknown = (x) => x;
  let off = 0;
  if (lookupAttr) {
    if (pos.length === 0) throw new FilterArgumentError('Missing parameter for attribute name');
    trans = makeAttrGetter(env, pos[0]);
    off = 1;
  }
  if (pos.length <= off) return (item) => truthy(trans(item));
  const name = pyStr(pos[off]);
  const rest = pos.slice(off + 1);
  const kwargs = Object.keys(kw).length > 0 ? kw : null;
  return (item) => truthy(env.callTest(name, trans(item), rest, kwargs, context));
}

function selectOrReject(
  context: Context,
  value: unknown,
  args: unknown[],
  lookupAttr: boolean,
  keep: boolean,
): unknown[] {
  if (!truthy(value)) return [];
  const fn = prepareSelect(context, args, lookupAttr);
  return toList(value).filter((x) => fn(x) === keep);
}

function doSelect(context: Context, value: unknown, ...args: unknown[]): unknown[] {
  return selectOrReject(context, value, args, false, true);
}
function doReject(context: Context, value: unknown, ...args: unknown[]): unknown[] {
  return selectOrReject(context, value, args, false, false);
}
function doSelectattr(context: Context, value: unknown, ...args: unknown[]): unknown[] {
  return selectOrReject(context, value, args, true, true);
}
function doRejectattr(context: Context, value: unknown, ...args: unknown[]): unknown[] {
  return selectOrReject(context, value, args, true, false);
}

function doReplace(evalCtx: EvalContext, value: unknown, ...args: unknown[]): unknown {
  const p = bind('do_replace', args, REPLACE_SPEC);
  const count = isNone(p.count) ? -1 : toInt(p.count, 'count');
  if (!evalCtx.autoescape) return pyReplace(pyStr(value), pyStr(p.old), pyStr(p.new), count);
  let s: string | Markup;
  if ((hasHtml(p.old) || hasHtml(p.new)) && !hasHtml(value)) s = markupEscape(value);
  else s = softStr(value);
  if (s instanceof Markup) {
    return new Markup(pyReplace(s.valueOf(), pyStr(p.old), markupEscape(p.new).valueOf(), count));
  }
  return pyReplace(s, pyStr(p.old), pyStr(p.new), count);
}

function doReverse(value: unknown): unknown {
  if (typeof value === 'string') return Array.from(value).reverse().join('');
  if (value instanceof Markup) return new Markup(Array.from(value.valueOf()).reverse().join(''));
  const reversed = hostMethod(value, '__reversed__');
  if (reversed !== undefined) return Array.from(reversed() as Iterable<unknown>);
  try {
    return toList(value).slice().reverse();
  } catch (e) {
    if ((e as Error).name === 'TypeError') throw new FilterArgumentError('argument must be iterable');
    throw e;
  }
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5) return 2 * Math.round(x / 2);
  return r;
}

const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** Python's `round(x, n)` for floats (correctly rounded, ties to even). */
export function pyRoundFloat(x: number, n: number): number {
  if (!Number.isFinite(x)) return x;
  let r: number;
  if (n >= 0 && n <= 22) {
    // Fast path: scale by the exact power of ten; unless the scaled value lies within its rounding
    // error of a half, Math.round picks the same integer k as the correctly rounded decimal, and
    // k / 10**n (both exact) is correctly rounded, i.e. what parsing the decimal string gives.
    const p = POW10[n] as number;
    const y = x * p;
    const ay = y < 0 ? -y : y;
    if (ay < 2 ** 52) {
      const frac = ay - Math.floor(ay);
      const d = frac - 0.5;
      if ((d < 0 ? -d : d) > ay * 2 ** -50 + 2 ** -60) {
        const k = frac < 0.5 ? Math.floor(ay) : Math.floor(ay) + 1;
        r = (y < 0 ? -k : k) / p;
        return r === 0 && (x < 0 || Object.is(x, -0)) ? -0 : r;
      }
    }
  }
  if (n >= 0) {
    if (n > 300) return x;
    r = Number(formatFixed(x, n));
  } else {
    const m = 10 ** -n;
    r = roundHalfEven(x / m) * m;
  }
  // a result of zero keeps the sign of the input (round(-0.4) == -0.0)
  return r === 0 && (x < 0 || Object.is(x, -0)) ? -0 : r;
}

function doRound(value: unknown, ...args: unknown[]): unknown {
  const n = args.length;
  let precision: unknown = 0;
  let method: unknown = 'common';
  if (positional(args, 2)) {
    if (n > 0) precision = args[0];
    if (n > 1) method = args[1];
  } else {
    const p = bind('do_round', args, ROUND_SPEC);
    precision = p.precision;
    method = p.method;
  }
  return roundValue(value, precision, method);
}

/**
 * `round(x, precision)` (method 'common') for a JS number and a numeric precision: the same result as
 * `roundValue` with the checks and conversions a plain number and a small int precision do not need.
 */
function roundNumber(x: number, precision: number): unknown {
  if ((precision | 0) === precision && precision >= 0 && precision <= 22) {
    // a Python int stays the same int; a float rounds to a float (PyFloat when integral)
    if (Number.isInteger(x)) return x;
    if (Number.isFinite(x)) return makeFloat(pyRoundFloat(x, precision));
  }
  return roundValue(x, precision, 'common');
}

function roundValue(value: unknown, precision: unknown, method: unknown): unknown {
  if (method !== 'common' && method !== 'ceil' && method !== 'floor') {
    throw new FilterArgumentError('method must be common, ceil or floor');
  }
  if (!isNumeric(value)) {
    if (method === 'common') {
      throw pyError('TypeError', `type ${typeName(value)} doesn't define __round__ method`);
    }
    // ceil/floor multiply first: an Undefined refuses that, anything else reaches math.ceil/floor
    if (isUndefined(value)) value.fail();
    throw pyError('TypeError', `must be real number, not ${typeName(value)}`);
  }
  const prec = toInt(precision, 'precision');
  const x = toNumber(value);
  if (method === 'common') {
    if (!isFloat(value)) {
      if (prec >= 0) return x;
      const m = 10 ** -prec;
      return roundHalfEven(x / m) * m;
    }
    return makeFloat(pyRoundFloat(x, prec));
  }
  const m = 10 ** prec;
  const f = method === 'ceil' ? Math.ceil(x * m) : Math.floor(x * m);
  return makeFloat(f / m);
}

function doSafe(value: unknown): Markup {
  return markSafe(value);
}

function doSlice(value: unknown, ...args: unknown[]): unknown[][] {
  const p = bind('do_slice', args, SLICE_SPEC);
  const seq = toList(value);
  const slices = toInt(p.slices, 'slices');
  if (slices === 0) throw pyError('ZeroDivisionError', 'integer division or modulo by zero');
  const per = Math.floor(seq.length / slices);
  const extra = seq.length % slices;
  let offset = 0;
  const out: unknown[][] = [];
  for (let i = 0; i < slices; i++) {
    const start = offset + i * per;
    if (i < extra) offset += 1;
    const end = offset + (i + 1) * per;
    const tmp = seq.slice(start, end);
    if (!isNone(p.fill_with) && i >= extra) tmp.push(p.fill_with);
    out.push(tmp);
  }
  return out;
}

function doSort(env: Environment, value: unknown, ...args: unknown[]): unknown[] {
  const p = bind('do_sort', args, SORT_SPEC);
  const key = makeMultiAttrGetter(env, p.attribute, truthy(p.case_sensitive) ? null : ignoreCase);
  return sortBy(toList(value).slice(), key, truthy(p.reverse));
}

function doString(value: unknown): unknown {
  return softStr(value);
}

function doStriptags(value: unknown): string {
  const v = hasHtml(value) ? value.__html__() : value;
  return new Markup(pyStr(v)).striptags();
}

function doSum(env: Environment, value: unknown, ...args: unknown[]): unknown {
  const p = bind('do_sum', args, SUM_SPEC);
  let items = toList(value);
  if (!isNone(p.attribute)) items = items.map(makeAttrGetter(env, p.attribute));
  let total = p.start;
  for (const x of items) total = add(total, x);
  return total;
}

const TITLE_SPLIT = /([-\s({[<]+)/u;

function doTitle(value: unknown): string {
  const s = softStr(value).valueOf();
  return s
    .split(TITLE_SPLIT)
    .filter((item) => item)
    .map((item) => {
      const c = item.charCodeAt(0);
      // split off the first code point (two UTF-16 units only for a surrogate pair)
      const n = c >= 0xd800 && c <= 0xdbff && item.length > 1 ? 2 : 1;
      return item.slice(0, n).toUpperCase() + item.slice(n).toLowerCase();
    })
    .join('');
}

function doTojson(evalCtx: EvalContext, value: unknown, ...args: unknown[]): Markup {
  const p = bind('do_tojson', args, TOJSON_SPEC);
  const env = evalCtx.environment;
  const dumps = policy(env, 'json.dumps_function', null);
  const kwargs = {
    ...((policy(env, 'json.dumps_kwargs', null) as Record<string, unknown> | null) ?? { sort_keys: true }),
  };
  if (!isNone(p.indent)) kwargs.indent = p.indent;
  if (typeof dumps === 'function') return htmlsafeJson(String(dumps(value, kwargs)));
  const indent = isNone(kwargs.indent)
    ? null
    : typeof kwargs.indent === 'string'
      ? kwargs.indent
      : toInt(kwargs.indent, 'indent');
  return htmlsafeJsonDumps(value, indent, kwargs.sort_keys !== false);
}

function doTrim(value: unknown, ...args: unknown[]): unknown {
  const p = bind('do_trim', args, TRIM_SPEC);
  const chars = isNone(p.chars) ? null : pyStr(p.chars);
  return strOp(value, (s) => pyStrip(s, chars, true, true));
}

/**
 * `truncate(length)`: a small function for the common case (a plain string, integer length and leeway,
 * no surrogates) that the engine can inline; everything else goes through `truncate`.
 */
function truncateTo(env: Environment, value: unknown, length: unknown): unknown {
  const leeway = truncateLeeway(env);
  if (
    typeof value !== 'string' ||
    typeof length !== 'number' ||
    typeof leeway !== 'number' ||
    (length | 0) !== length ||
    (leeway | 0) !== leeway ||
    length < 3 ||
    leeway < 0
  ) {
    return truncate(env, value, length, false, '...', null);
  }
  if (value.length <= length + leeway) return value;
  if (SURROGATE.test(value)) return truncate(env, value, length, false, '...', null);
  const cut = value.slice(0, length - 3);
  const space = cut.lastIndexOf(' ');
  return `${space >= 0 ? cut.slice(0, space) : cut}...`;
}

/** `policy(env, 'truncate.leeway', 5)` with the usual plain policies object read by its fixed key. */
function truncateLeeway(env: Environment): unknown {
  const policies = (env as { policies?: unknown }).policies;
  if (typeof policies !== 'object' || policies === null || policies instanceof Map) {
    return policy(env, 'truncate.leeway', 5);
  }
  const v = (policies as Record<string, unknown>)['truncate.leeway'];
  // only an own property counts (as in policy)
  return typeof v === 'number' && hasOwnProp.call(policies, 'truncate.leeway')
    ? v
    : policy(env, 'truncate.leeway', 5);
}

function doTruncate(env: Environment, value: unknown, ...args: unknown[]): unknown {
  const n = args.length;
  if (positional(args, 4)) {
    return truncate(
      env,
      value,
      n > 0 ? args[0] : 255,
      n > 1 ? args[1] : false,
      n > 2 ? args[2] : '...',
      n > 3 ? args[3] : null,
    );
  }
  const p = bind('do_truncate', args, TRUNCATE_SPEC);
  return truncate(env, value, p.length, p.killwords, p.end, p.leeway);
}

function truncate(
  env: Environment,
  value: unknown,
  lengthArg: unknown,
  killwords: unknown,
  end: unknown,
  leewayArg: unknown,
): unknown {
  const leeway = toInt(isNone(leewayArg) ? policy(env, 'truncate.leeway', 5) : leewayArg, 'leeway');
  const length = toInt(lengthArg, 'length');
  const endLen = end === '...' ? 3 : pyLen(end);
  if (!(length >= endLen)) throw pyError('AssertionError', `expected length >= ${endLen}, got ${length}`);
  if (!(leeway >= 0)) throw pyError('AssertionError', `expected leeway >= 0, got ${leeway}`);
  // a string no longer in UTF-16 units than the limit is no longer in code points either
  if (typeof value === 'string' && value.length <= length + leeway) return value;
  if (typeof value === 'string' && !SURROGATE.test(value)) {
    // plain string without surrogate pairs: code points are UTF-16 units
    let cut = value.slice(0, length - endLen);
    if (killwords === false || !truthy(killwords)) {
      const space = cut.lastIndexOf(' ');
      if (space >= 0) cut = cut.slice(0, space);
    }
    return cut + (typeof end === 'string' ? end : pyStr(end));
  }
  if (pyLen(value) <= length + leeway) return value;
  const head = pySlice(value, null, length - endLen) as string | Markup;
  const isMarkup = head instanceof Markup;
  let result = head.valueOf();
  if (!truthy(killwords)) result = pyRsplit(result, ' ', 1)[0]!;
  if (isMarkup) return new Markup(result + markupEscape(end).valueOf());
  return result + pyStr(end);
}

function hashKey(v: unknown, objects: Map<unknown, number>): string {
  if (typeof v === 'string') return `s${v}`;
  if (v instanceof Markup) return `s${v.valueOf()}`;
  if (isNumeric(v)) return `n${toNumber(v)}`;
  if (v === null || v === undefined) return 'N';
  // every Undefined hashes alike and compares equal to another of its class
  if (isUndefined(v)) return `U${v.constructor.name}`;
  if (Array.isArray(v)) {
    if (!isTuple(v)) throw pyError('TypeError', "unhashable type: 'list'");
    return `t(${v.map((x) => hashKey(x, objects)).join(',')})`;
  }
  if (isDict(v)) throw pyError('TypeError', "unhashable type: 'dict'");
  let id = objects.get(v);
  if (id === undefined) {
    id = objects.size;
    objects.set(v, id);
  }
  return `o${id}`;
}

function doUnique(env: Environment, value: unknown, ...args: unknown[]): unknown[] {
  const p = bind('do_unique', args, UNIQUE_SPEC);
  const getter = makeAttrGetter(env, p.attribute, truthy(p.case_sensitive) ? null : ignoreCase);
  const seen = new Set<string>();
  const objects = new Map<unknown, number>();
  const out: unknown[] = [];
  for (const item of toList(value)) {
    const k = hashKey(getter(item), objects);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(item);
    }
  }
  return out;
}

function urlQuote(v: unknown, forQs: boolean): string {
  const s = typeof v === 'string' ? v : pyStr(v);
  let q = encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  if (!forQs) q = q.replace(/%2F/g, '/');
  else q = q.replace(/%20/g, '+');
  return q;
}

function doUrlencode(value: unknown): string {
  if (
    typeof value === 'string' ||
    value instanceof Markup ||
    !(
      isDict(value) ||
      Array.isArray(value) ||
      (value !== null && typeof value === 'object' && Symbol.iterator in value)
    )
  ) {
    return urlQuote(value instanceof Markup ? value.valueOf() : value, false);
  }
  const items = isDict(value)
    ? dictItems(value)
    : toList(value).map((x) => {
        const pair = toList(x);
        if (pair.length !== 2) {
          throw pyError(
            'ValueError',
            pair.length > 2
              ? 'too many values to unpack (expected 2)'
              : `not enough values to unpack (expected 2, got ${pair.length})`,
          );
        }
        return pair as [unknown, unknown];
      });
  return items.map(([k, v]) => `${urlQuote(k, true)}=${urlQuote(v, true)}`).join('&');
}

function doUrlize(evalCtx: EvalContext, value: unknown, ...args: unknown[]): unknown {
  const p = bind('do_urlize', args, URLIZE_SPEC);
  const relParts = new Set((isNone(p.rel) ? '' : pyStr(p.rel)).split(/\s+/).filter((x) => x));
  if (truthy(p.nofollow)) relParts.add('nofollow');
  const env = evalCtx.environment;
  const relPolicy = policy(env, 'urlize.rel', 'noopener');
  for (const part of (isNone(relPolicy) ? '' : pyStr(relPolicy)).split(/\s+/)) if (part) relParts.add(part);
  const rel = [...relParts].sort().join(' ') || null;
  const target = isNone(p.target) ? policy(env, 'urlize.target', null) : p.target;
  const extra = isNone(p.extra_schemes) ? policy(env, 'urlize.extra_schemes', null) : p.extra_schemes;
  const schemes = isNone(extra) ? [] : toList(extra).map((x) => pyStr(x));
  for (const scheme of schemes ?? []) {
    if (!URI_SCHEME_RE.test(scheme))
      throw new FilterArgumentError(`${pyRepr(scheme)} is not a valid URI scheme prefix.`);
  }
  const rv = urlize(markupEscape(value).valueOf(), {
    trimUrlLimit: isNone(p.trim_url_limit) ? null : toInt(p.trim_url_limit, 'trim_url_limit'),
    rel,
    target: isNone(target) ? null : pyStr(target),
    extraSchemes: schemes,
  });
  return evalCtx.autoescape ? new Markup(rv) : rv;
}

function doWordcount(value: unknown): number {
  const m = pyStr(value).match(/[\p{L}\p{N}_]+/gu);
  return m ? m.length : 0;
}

function doWordwrap(env: Environment, value: unknown, ...args: unknown[]): string {
  const p = bind('do_wordwrap', args, WORDWRAP_SPEC);
  if (isUndefined(value)) value.fail();
  if (typeof value !== 'string' && !(value instanceof Markup)) {
    throw pyError('AttributeError', `'${typeName(value)}' object has no attribute 'splitlines'`);
  }
  const nl = (env as { newlineSequence?: string }).newlineSequence ?? '\n';
  const wrapstring = isNone(p.wrapstring) ? nl : pyStr(p.wrapstring);
  return wordwrap(
    pyStr(value),
    toInt(p.width, 'width'),
    truthy(p.break_long_words),
    wrapstring,
    truthy(p.break_on_hyphens),
  );
}

const ATTR_KEY_RE = /[\s/>=]/;

function doXmlattr(evalCtx: EvalContext, value: unknown, ...args: unknown[]): unknown {
  const autospace = args.length === 0 ? true : truthy(bind('do_xmlattr', args, XMLATTR_SPEC).autospace);
  if (isUndefined(value)) value.fail();
  if (!isDict(value)) throw pyError('AttributeError', `'${typeName(value)}' object has no attribute 'items'`);
  let rv = '';
  // plain objects (keyword arguments) are walked in place; Maps by their entries
  if (value instanceof Map) {
    for (const [k, v] of value) rv = xmlattrItem(rv, k, v);
  } else {
    for (const k in value) rv = xmlattrItem(rv, k, (value as Record<string, unknown>)[k]);
  }
  if (autospace && rv) rv = ` ${rv}`;
  return evalCtx.autoescape ? new Markup(rv) : rv;
}

/** `rv` with one `key="value"` of xmlattr added (None and undefined values are skipped). */
function xmlattrItem(rv: string, k: unknown, v: unknown): string {
  if (isNone(v) || isUndefined(v)) return rv;
  if (typeof k !== 'string' && !(k instanceof Markup)) {
    throw pyError('TypeError', 'expected string or bytes-like object');
  }
  const key = k.valueOf();
  if (ATTR_KEY_RE.test(key)) throw pyError('ValueError', `Invalid character in attribute name: ${pyRepr(k)}`);
  const ks = typeof k === 'string' ? escapeString(k) : key;
  const vs = typeof v === 'string' ? escapeString(v) : markupEscape(v).valueOf();
  return rv ? `${rv} ${ks}="${vs}"` : `${ks}="${vs}"`;
}

/** Every Jinja2 builtin filter by name (aliases included). */
export const DEFAULT_FILTERS: Record<string, TemplateFunction> = {
  abs: doAbs,
  attr: passEnvironment(doAttr),
  batch: doBatch,
  capitalize: doCapitalize,
  center: doCenter,
  count: doLength,
  d: withPositional(doDefault, DEFAULT_VARIANTS),
  default: withPositional(doDefault, DEFAULT_VARIANTS),
  dictsort: doDictsort,
  e: doEscape,
  escape: doEscape,
  filesizeformat: doFilesizeformat,
  first: passEnvironment(doFirst),
  float: doFloat,
  forceescape: doForceescape,
  format: doFormat,
  groupby: passEnvironment(doGroupby),
  indent: doIndent,
  int: doInt,
  items: doItems,
  join: passEvalContext(doJoin),
  last: passEnvironment(doLast),
  length: doLength,
  list: doList,
  lower: doLower,
  map: passContext(doMap),
  max: passEnvironment(doMax),
  min: passEnvironment(doMin),
  pprint: doPprint,
  random: passContext(doRandom),
  reject: passContext(doReject),
  rejectattr: passContext(doRejectattr),
  replace: passEvalContext(doReplace),
  reverse: doReverse,
  round: withPositional(doRound, [
    (v: unknown) => roundValue(v, 0, 'common'),
    (v: unknown, precision: unknown) =>
      typeof v === 'number' && typeof precision === 'number'
        ? roundNumber(v, precision)
        : roundValue(v, precision, 'common'),
    (v: unknown, precision: unknown, method: unknown) => roundValue(v, precision, method),
  ]),
  safe: doSafe,
  select: passContext(doSelect),
  selectattr: passContext(doSelectattr),
  slice: doSlice,
  sort: passEnvironment(doSort),
  string: doString,
  striptags: doStriptags,
  sum: passEnvironment(doSum),
  title: doTitle,
  tojson: passEvalContext(doTojson),
  trim: doTrim,
  truncate: withPositional(passEnvironment(doTruncate), [
    (env: Environment, v: unknown) => truncate(env, v, 255, false, '...', null),
    truncateTo,
    (env: Environment, v: unknown, length: unknown, killwords: unknown) =>
      truncate(env, v, length, killwords, '...', null),
  ]),
  unique: passEnvironment(doUnique),
  upper: doUpper,
  urlencode: doUrlencode,
  urlize: passEvalContext(doUrlize),
  wordcount: doWordcount,
  wordwrap: passEnvironment(doWordwrap),
  xmlattr: passEvalContext(doXmlattr),
} as unknown as Record<string, TemplateFunction>;
