/**
 * Python string formatting: printf-style `'%s' % x` and `str.format()` with the format-spec
 * mini-language, producing the same text CPython does for the value model of `runtime/python.ts`.
 */
import { pyError } from '../errors.js';
import { Markup, markupEscape } from '../runtime/markup.js';
import {
  floatRepr,
  intStr,
  isDict,
  isFloat,
  isTuple,
  PyFloat,
  pyRepr,
  pyStr,
  toNumber,
  typeName,
} from '../runtime/python.js';
import { PyDate, PyTime } from '../runtime/pytime.js';
import { isUndefined } from '../runtime/undefined.js';
import { strftime } from './datetime.js';

// ---------------------------------------------------------------------------------------------
// number helpers

function roundHalfEvenFixed(x: number, prec: number): string {
  // JS toFixed rounds exact ties away from zero; Python rounds them to even.
  if (prec > 100) prec = 100;
  const s =
    Math.abs(x) >= 1e21
      ? BigInt(Math.trunc(x)).toString() + (prec > 0 ? `.${'0'.repeat(prec)}` : '')
      : x.toFixed(prec);
  if (Math.abs(x) >= 1e21) return s;
  if (prec <= 22) {
    // 10**prec is exact and (below 2**52) so is a scaled tie, which shows as a fraction of one half
    const scaled = Math.abs(x) * 10 ** prec;
    if (scaled < 2 ** 52 && scaled - Math.floor(scaled) !== 0.5) return s;
  }
  const longer = Math.min(100, prec + 30);
  const exact = x.toFixed(longer);
  const dot = exact.indexOf('.');
  const tail = exact.slice(dot + 1 + prec);
  if (tail.length > 0 && tail[0] === '5' && /^50*$/.test(tail)) {
    // exact tie: round the kept digits to even
    const kept = prec > 0 ? exact.slice(0, dot + 1 + prec) : exact.slice(0, dot);
    const lastDigit = Number(kept.replace('.', '').slice(-1));
    if (lastDigit % 2 === 0) return kept;
  }
  return s;
}

/** Formats a float in fixed notation with `prec` decimals, rounding ties to even. */
export function formatFixed(x: number, prec: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  return roundHalfEvenFixed(x, prec);
}

/** Python's exponent form: `1.500000e+00`. */
export function formatExp(x: number, prec: number, upper = false): string {
  if (!Number.isFinite(x)) {
    const s = Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
    return upper ? s.toUpperCase() : s;
  }
  let s = x.toExponential(Math.min(prec, 100));
  // toExponential rounds exact ties away from zero; Python rounds them to even
  const longer = x.toExponential(Math.min(100, prec + 30));
  const [lm, le] = longer.split('e') as [string, string];
  const digits = lm.replace('-', '').replace('.', '');
  const tail = digits.slice(prec + 1);
  if (tail.length > 0 && /^50*$/.test(tail) && Number(digits[prec]) % 2 === 0) {
    const kept = digits.slice(0, prec + 1);
    s = `${x < 0 ? '-' : ''}${kept[0]}${prec > 0 ? `.${kept.slice(1)}` : ''}e${le}`;
  }
  const [m, e] = s.split('e') as [string, string];
  const exp = Number(e);
  const out = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return upper ? out.toUpperCase() : out;
}

/** Python's `%g` / `{:g}`. */
export function formatGeneral(x: number, prec: number, alt: boolean, upper = false): string {
  if (!Number.isFinite(x)) {
    const s = Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
    return upper ? s.toUpperCase() : s;
  }
  const p = prec === 0 ? 1 : prec;
  if (x === 0) {
    const z = Object.is(x, -0) ? '-0' : '0';
    return alt ? `${z}.${'0'.repeat(p - 1)}` : z;
  }
  const expStr = x.toExponential(p - 1);
  const exp = Number(expStr.split('e')[1]);
  let out: string;
  if (exp >= -4 && exp < p) {
    out = formatFixed(x, p - 1 - exp);
    if (!alt && out.includes('.')) out = out.replace(/\.?0+$/, '');
  } else {
    out = formatExp(x, p - 1);
    if (!alt) {
      const [m, e] = out.split('e') as [string, string];
      out = `${m.includes('.') ? m.replace(/\.?0+$/, '') : m}e${e}`;
    }
  }
  return upper ? out.toUpperCase() : out;
}

function toInteger(v: unknown, spec: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Math.trunc(v);
  if (v instanceof PyFloat) return v.value;
  throw pyError('TypeError', `%${spec} format: a real number is required, not ${typeName(v)}`);
}

// ---------------------------------------------------------------------------------------------
// printf-style

const PERCENT_RE = /%(?:\(([^)]*)\))?([#0\- +]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?([diouxXeEfFgGcrsa%])?/g;

type Conv = (v: unknown) => string;

/**
 * `fmt % values` (Python printf-style formatting). A tuple supplies several arguments, a dict
 * supplies `%(name)s` fields, anything else is a single argument. With `escapeArgs` the string and
 * repr conversions are HTML-escaped (Markup's `%`).
 */
export function percentFormat(fmt: string, values: unknown, escapeArgs: boolean): string {
  const strConv: Conv = escapeArgs ? (v) => markupEscape(v).valueOf() : (v) => pyStr(v);
  const reprConv: Conv = escapeArgs ? (v) => markupEscape(pyRepr(v)).valueOf() : (v) => pyRepr(v);
  let args: unknown[];
  let mapping: unknown = null;
  if (isTuple(values)) args = values as unknown[];
  else {
    args = [values];
    // Python treats anything subscriptable except tuples and strings as a possible mapping
    if (
      values !== null &&
      typeof values === 'object' &&
      !(values instanceof Markup) &&
      !isUndefined(values) &&
      !(values instanceof PyFloat)
    ) {
      mapping = values;
    }
  }
  let argi = 0;
  let usedMapping = false;
  const next = (): unknown => {
    if (argi >= args.length) throw pyError('TypeError', 'not enough arguments for format string');
    return args[argi++];
  };
  let out = '';
  let last = 0;
  PERCENT_RE.lastIndex = 0;
  for (let m = PERCENT_RE.exec(fmt); m !== null; m = PERCENT_RE.exec(fmt)) {
    out += fmt.slice(last, m.index);
    last = PERCENT_RE.lastIndex;
    const [, key, flags = '', widthS, precS, type] = m;
    if (type === undefined) throw pyError('ValueError', `incomplete format`);
    if (type === '%' && key === undefined && !flags && !widthS && precS === undefined) {
      out += '%';
      continue;
    }
    let value: unknown;
    let width = 0;
    let prec: number | null = null;
    if (widthS === '*') width = toInteger(next(), '*');
    else if (widthS) width = Number(widthS);
    if (precS === '*') prec = toInteger(next(), '*');
    else if (precS !== undefined) prec = precS === '' ? 0 : Number(precS);
    if (key !== undefined) {
      if (mapping === null) throw pyError('TypeError', 'format requires a mapping');
      usedMapping = true;
      value = lookupKey(mapping, key);
    } else if (type !== '%') value = next();
    let left = flags.includes('-');
    if (width < 0) {
      left = true;
      width = -width;
    }
    const zero = flags.includes('0') && !left;
    const plus = flags.includes('+');
    const space = flags.includes(' ');
    const alt = flags.includes('#');
    let body: string;
    let numeric = true;
    switch (type) {
      case '%':
        body = '%';
        numeric = false;
        break;
      case 's':
        body = strConv(value);
        if (prec !== null) body = Array.from(body).slice(0, prec).join('');
        numeric = false;
        break;
      case 'r':
      case 'a':
        body = reprConv(value);
        if (prec !== null) body = Array.from(body).slice(0, prec).join('');
        numeric = false;
        break;
      case 'c':
        if (typeof value === 'string' && Array.from(value).length === 1) body = value;
        else if ((typeof value === 'number' && Number.isInteger(value)) || typeof value === 'boolean') {
          body = charOf(Number(value));
        } else throw pyError('TypeError', '%c requires an int or a unicode character');
        numeric = false;
        break;
      case 'd':
      case 'i':
      case 'u': {
        const n = toInteger(value, type);
        body = intStr(Math.abs(n));
        if (prec !== null) body = body.padStart(prec, '0');
        body = signed(n < 0, body, plus, space);
        break;
      }
      case 'o':
      case 'x':
      case 'X': {
        if (isFloat(value) || !(typeof value === 'number' || typeof value === 'boolean')) {
          throw pyError('TypeError', `%${type} format: an integer is required, not ${typeName(value)}`);
        }
        const n = toInteger(value, type);
        let digits = Math.abs(n).toString(type === 'o' ? 8 : 16);
        if (type === 'X') digits = digits.toUpperCase();
        if (prec !== null) digits = digits.padStart(prec, '0');
        if (alt) digits = (type === 'o' ? '0o' : type === 'x' ? '0x' : '0X') + digits;
        body = signed(n < 0, digits, plus, space);
        break;
      }
      default: {
        if (!(typeof value === 'number' || typeof value === 'boolean' || value instanceof PyFloat)) {
          throw pyError('TypeError', `must be real number, not ${typeName(value)}`);
        }
        const x = toNumber(value);
        const p = prec ?? 6;
        const ax = Math.abs(x);
        let s: string;
        if (type === 'f' || type === 'F') s = formatFixed(ax, p);
        else if (type === 'e' || type === 'E') s = formatExp(ax, p, type === 'E');
        else s = formatGeneral(ax, p, alt, type === 'G');
        if (type === 'F') s = s.toUpperCase();
        if (alt && !s.includes('.') && (type === 'f' || type === 'F') && p === 0) s += '.';
        body = signed(x < 0 || Object.is(x, -0), s, plus, space);
      }
    }
    if (body.length < width) {
      if (left) body = body.padEnd(width, ' ');
      else if (zero && numeric) {
        const signLen = /^[-+ ]/.test(body) ? 1 : 0;
        const prefixLen = /^[-+ ]?0[xXo]/.test(body) && alt ? signLen + 2 : signLen;
        body = body.slice(0, prefixLen) + body.slice(prefixLen).padStart(width - prefixLen, '0');
      } else body = body.padStart(width, ' ');
    }
    out += body;
  }
  out += fmt.slice(last);
  if (argi < args.length && !usedMapping && !(mapping !== null && argi === 0)) {
    throw pyError('TypeError', 'not all arguments converted during string formatting');
  }
  return out;
}

function charOf(n: number): string {
  if (n < 0 || n > 0x10ffff) throw pyError('OverflowError', '%c arg not in range(0x110000)');
  return String.fromCodePoint(n);
}

function signed(negative: boolean, body: string, plus: boolean, space: boolean): string {
  if (negative) return `-${body}`;
  if (plus) return `+${body}`;
  if (space) return ` ${body}`;
  return body;
}

function lookupKey(mapping: unknown, key: string): unknown {
  if (Array.isArray(mapping)) throw pyError('TypeError', 'list indices must be integers or slices, not str');
  if (mapping instanceof Map) {
    if (!mapping.has(key)) throw pyError('KeyError', `'${key}'`);
    return mapping.get(key);
  }
  const obj = mapping as Record<string, unknown>;
  if (!Object.hasOwn(obj, key)) throw pyError('KeyError', `'${key}'`);
  return obj[key];
}

// ---------------------------------------------------------------------------------------------
// str.format

/** How `str.format` reads `{0.attr}` and `{0[key]}`; the engine may pass its sandbox-aware getattr. */
export interface FieldAccess {
  getattr(obj: unknown, name: string): unknown;
  getitem(obj: unknown, key: unknown): unknown;
}

const defaultAccess: FieldAccess = {
  getattr(obj, name) {
    // never expose internals (`{0.constructor}`, `{0.__proto__}`, `_private`) through format strings
    const hidden = name.startsWith('_') || name === 'constructor' || name === 'prototype';
    if (
      !hidden &&
      obj !== null &&
      typeof obj === 'object' &&
      !isDict(obj) &&
      !Array.isArray(obj) &&
      name in obj
    ) {
      return (obj as Record<string, unknown>)[name];
    }
    throw pyError('AttributeError', `'${typeName(obj)}' object has no attribute '${name}'`);
  },
  getitem(obj, key) {
    if (Array.isArray(obj)) {
      if (typeof key !== 'number')
        throw pyError('TypeError', 'list indices must be integers or slices, not str');
      const v = obj[key < 0 ? obj.length + key : key];
      if (v === undefined) throw pyError('IndexError', 'list index out of range');
      return v;
    }
    if (obj instanceof Map) {
      if (!obj.has(key)) throw pyError('KeyError', pyRepr(key));
      return obj.get(key);
    }
    if (isDict(obj)) {
      const k = String(key);
      const d = obj as Record<string, unknown>;
      if (!Object.hasOwn(d, k)) throw pyError('KeyError', pyRepr(key));
      return d[k];
    }
    throw pyError('TypeError', `'${typeName(obj)}' object is not subscriptable`);
  },
};

/** Python's `str.format(*args, **kwargs)`. */
export function strFormat(
  fmt: string,
  args: readonly unknown[],
  kwargs: Record<string, unknown>,
  access: FieldAccess = defaultAccess,
  escapeArgs = false,
): string {
  let auto = 0;
  let manual = false;
  const render = (s: string, depth: number): string => {
    let out = '';
    let i = 0;
    while (i < s.length) {
      const ch = s[i]!;
      if (ch === '{') {
        if (s[i + 1] === '{') {
          out += '{';
          i += 2;
          continue;
        }
        // find the matching close brace, allowing one level of nesting in the spec
        let j = i + 1;
        let level = 1;
        while (j < s.length && level > 0) {
          if (s[j] === '{') level++;
          else if (s[j] === '}') level--;
          if (level > 0) j++;
        }
        if (level !== 0) throw pyError('ValueError', "expected '}' before end of string");
        const field = s.slice(i + 1, j);
        out += renderField(field, depth);
        i = j + 1;
        continue;
      }
      if (ch === '}') {
        if (s[i + 1] === '}') {
          out += '}';
          i += 2;
          continue;
        }
        throw pyError('ValueError', "Single '}' encountered in format string");
      }
      out += ch;
      i++;
    }
    return out;
  };
  const renderField = (field: string, depth: number): string => {
    if (depth > 1) throw pyError('ValueError', 'Max string recursion exceeded');
    let name = field;
    let conv: string | null = null;
    let spec = '';
    // the spec starts at the first ':' outside brackets; the conversion at '!'
    let k = 0;
    let bracket = false;
    for (; k < field.length; k++) {
      const c = field[k];
      if (c === '[') bracket = true;
      else if (c === ']') bracket = false;
      else if (!bracket && (c === ':' || c === '!')) break;
    }
    name = field.slice(0, k);
    let rest = field.slice(k);
    if (rest.startsWith('!')) {
      conv = rest[1] ?? '';
      rest = rest.slice(2);
      if (rest !== '' && !rest.startsWith(':'))
        throw pyError('ValueError', "expected ':' after conversion specifier");
    }
    if (rest.startsWith(':')) spec = render(rest.slice(1), depth + 1);
    // resolve the field name
    const m = /^([^.[]*)(.*)$/.exec(name)!;
    const first = m[1]!;
    let value: unknown;
    if (first === '') {
      if (manual)
        throw pyError(
          'ValueError',
          'cannot switch from manual field specification to automatic field numbering',
        );
      if (auto >= args.length)
        throw pyError('IndexError', `Replacement index ${auto} out of range for positional args tuple`);
      value = args[auto++];
    } else if (/^\d+$/.test(first)) {
      if (auto > 0)
        throw pyError(
          'ValueError',
          'cannot switch from automatic field numbering to manual field specification',
        );
      manual = true;
      const idx = Number(first);
      if (idx >= args.length)
        throw pyError('IndexError', `Replacement index ${idx} out of range for positional args tuple`);
      value = args[idx];
    } else {
      if (!Object.hasOwn(kwargs, first)) throw pyError('KeyError', `'${first}'`);
      value = kwargs[first];
    }
    let tail = m[2]!;
    while (tail.length > 0) {
      const a = /^\.([^.[]+)/.exec(tail);
      if (a) {
        value = access.getattr(value, a[1]!);
        tail = tail.slice(a[0].length);
        continue;
      }
      const b = /^\[([^\]]+)\]/.exec(tail);
      if (b) {
        const key = /^\d+$/.test(b[1]!) ? Number(b[1]) : b[1]!;
        value = access.getitem(value, key);
        tail = tail.slice(b[0].length);
        continue;
      }
      throw pyError('ValueError', "Only '.' or '[' may follow ']' in format field specifier");
    }
    if (conv === 'r' || conv === 'a') value = pyRepr(value);
    else if (conv === 's') value = pyStr(value);
    else if (conv !== null) throw pyError('ValueError', `Unknown conversion specifier ${conv}`);
    const text = formatValue(value, spec);
    return escapeArgs ? markupEscape(value instanceof Markup && spec === '' ? value : text).valueOf() : text;
  };
  return render(fmt, 0);
}

const SPEC_RE = /^(?:(.)?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/su;

function group(intDigits: string, sep: string, every = 3): string {
  let out = '';
  for (let i = intDigits.length; i > 0; i -= every) {
    const part = intDigits.slice(Math.max(0, i - every), i);
    out = out ? `${part}${sep}${out}` : part;
  }
  return out;
}

/** Python's `format(value, spec)` for str, int, float, bool and None. */
export function formatValue(value: unknown, spec: string): string {
  if (spec === '') return pyStr(value);
  // datetime, date and time format with strftime; host objects through their __format__
  if (value instanceof Date) return strftime(value, spec);
  if (value instanceof PyDate || value instanceof PyTime) return value.strftime(spec);
  if (value !== null && typeof value === 'object') {
    const f = (value as { __format__?: unknown }).__format__;
    if (typeof f === 'function') return String(f.call(value, spec));
  }
  const m = SPEC_RE.exec(spec);
  if (!m)
    throw pyError('ValueError', `Invalid format specifier '${spec}' for object of type '${typeName(value)}'`);
  let [, fill, align, sign, , alt, zero, widthS, grouping, precS, type] = m;
  const width = widthS ? Number(widthS) : 0;
  const prec = precS !== undefined ? Number(precS) : null;
  if (zero && !align) {
    fill = fill ?? '0';
    align = '=';
  }
  fill = fill ?? ' ';
  const isStr = typeof value === 'string' || value instanceof Markup;
  const isNum = typeof value === 'number' || typeof value === 'boolean' || value instanceof PyFloat;
  let body: string;
  let signStr = '';
  let prefix = '';
  if (isStr) {
    if (type && type !== 's')
      throw pyError('ValueError', `Unknown format code '${type}' for object of type 'str'`);
    if (sign) throw pyError('ValueError', 'Sign not allowed in string format specifier');
    if (grouping) throw pyError('ValueError', `Cannot specify '${grouping}' with 's'.`);
    body = String(value);
    if (prec !== null) body = Array.from(body).slice(0, prec).join('');
    align = align ?? '<';
  } else if (isNum) {
    const x = toNumber(value);
    const floaty = isFloat(value);
    const t = type;
    if (!floaty && t && 'bcdoxXn'.includes(t)) {
      const n = Math.trunc(x);
      const a = Math.abs(n);
      switch (t) {
        case 'b':
          body = a.toString(2);
          if (alt) prefix = '0b';
          break;
        case 'o':
          body = a.toString(8);
          if (alt) prefix = '0o';
          break;
        case 'x':
        case 'X':
          body = a.toString(16);
          if (t === 'X') body = body.toUpperCase();
          if (alt) prefix = t === 'X' ? '0X' : '0x';
          break;
        case 'c':
          body = charOf(n);
          break;
        default:
          body = intStr(a);
      }
      if (grouping && t !== 'c') body = group(body, grouping, 'bcdn'.includes(t) ? 3 : 4);
      if (n < 0) signStr = '-';
    } else if (!floaty && !t) {
      body = intStr(Math.abs(x));
      if (grouping) body = group(body, grouping);
      if (x < 0) signStr = '-';
    } else {
      if (t && 'bcdoxX'.includes(t)) {
        throw pyError('ValueError', `Unknown format code '${t}' for object of type 'float'`);
      }
      const ax = Math.abs(x);
      const neg = x < 0 || Object.is(x, -0);
      if (t === '%') {
        body = `${formatFixed(ax * 100, prec ?? 6)}%`;
      } else if (t === 'f' || t === 'F') {
        body = formatFixed(ax, prec ?? 6);
        if (t === 'F') body = body.toUpperCase();
      } else if (t === 'e' || t === 'E') {
        body = formatExp(ax, prec ?? 6, t === 'E');
      } else if (t === 'g' || t === 'G' || t === 'n') {
        body = formatGeneral(ax, prec ?? 6, !!alt, t === 'G');
      } else if (prec !== null) {
        // no type with a precision: like 'g' but always at least one digit after the point
        body = formatGeneral(ax, prec, !!alt);
        if (/^\d+$/.test(body)) body += '';
      } else {
        body = floaty ? floatRepr(ax) : intStr(ax);
      }
      if (grouping) {
        const dot = body.search(/[.eE%]/);
        const intPart = dot === -1 ? body : body.slice(0, dot);
        if (/^\d+$/.test(intPart)) body = group(intPart, grouping) + (dot === -1 ? '' : body.slice(dot));
      }
      if (neg && !Number.isNaN(x)) signStr = '-';
    }
    if (!signStr) {
      if (sign === '+') signStr = '+';
      else if (sign === ' ') signStr = ' ';
    }
    align = align ?? '>';
  } else {
    if (
      value === null ||
      value === undefined ||
      isUndefined(value) ||
      Array.isArray(value) ||
      isDict(value)
    ) {
      throw pyError('TypeError', `unsupported format string passed to ${typeName(value)}.__format__`);
    }
    body = pyStr(value);
    align = align ?? '<';
  }
  const full = signStr + prefix + body;
  const len = Array.from(full).length;
  if (len >= width) return full;
  const pad = width - len;
  switch (align) {
    case '<':
      return full + fill.repeat(pad);
    case '>':
      return fill.repeat(pad) + full;
    case '^':
      return fill.repeat(Math.floor(pad / 2)) + full + fill.repeat(pad - Math.floor(pad / 2));
    default:
      return signStr + prefix + fill.repeat(pad) + body;
  }
}
