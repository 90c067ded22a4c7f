/**
 * URL converters: what a `<conv(args):name>` placeholder matches, how the matched text becomes a value
 * (`toJs`) and how a value goes back into a URL (`toUrl`). Same names, arguments, regexes and weights
 * as Werkzeug's, so rules and ordering behave identically.
 */
import type { UrlMap } from './map.js';
import { quotePath } from './urls.js';

/**
 * Thrown by a converter's `toJs` (or `toUrl`) to say "this rule does not fit these values": matching
 * moves on to the next rule, building to the next rule of the endpoint.
 */
export class ValidationError extends Error {
  constructor(message = 'The value did not pass the converter.') {
    super(message);
    this.name = 'ValidationError';
  }
}

/** What the router needs from a converter instance. */
export interface Converter {
  /** Regular expression (JavaScript syntax, no anchors) for the text this placeholder accepts. */
  regex: string;
  /** Ordering weight among converters: lower is tried first (int/float 50, default 100, path 200). */
  weight?: number;
  /** False when the regex may span `/` (like `path`); defaults to "the regex has no `/`". */
  partIsolating?: boolean;
  /** Matched text → value handed to the view. Throw `ValidationError` to reject the match. */
  toJs(value: string): unknown;
  /** Value → URL text (already quoted). Throw `ValidationError` to reject the value. */
  toUrl(value: unknown): string;
}

/**
 * A converter class as registered in `urlMap.converters`. It receives the map, then the positional
 * arguments from the rule, then (when the rule has `key=value` arguments) one plain object of those.
 * (The arguments are typed `never` so a class may declare whatever parameter types it expects.)
 */
export type ConverterClass = new (map: UrlMap, ...args: never[]) => Converter;

/** Keyword arguments from a rule (`<int(min=1):n>` → `{ min: 1 }`), passed as a converter's last argument. */
export type ConverterKwargs = Record<string, unknown>;

/** Base class for custom converters: one path segment, values quoted with `String(value)`. */
export class BaseConverter implements Converter {
  /** One path segment. */
  regex = '[^/]+';
  /** Werkzeug's default weight. */
  weight = 100;
  /** Derived from `regex` when left undefined. */
  partIsolating?: boolean;
  /** The map this converter belongs to. */
  readonly map: UrlMap;

  constructor(map: UrlMap, ..._args: unknown[]) {
    this.map = map;
  }

  /** The matched text as is. */
  toJs(value: string): unknown {
    return value;
  }

  /** `String(value)`, percent-quoted for a path (slashes kept, as Werkzeug). */
  toUrl(value: unknown): string {
    return quotePath(String(value));
  }
}

function isKwargs(v: unknown): v is ConverterKwargs {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Resolves positional and keyword arguments against a parameter list, like a Python call does.
 * `aliases` maps accepted alternative spellings (camelCase) to the canonical name.
 */
function bindArgs(
  conv: string,
  params: readonly string[],
  args: readonly unknown[],
  aliases: Record<string, string> = {},
): Record<string, unknown> {
  let positional = args;
  let kwargs: ConverterKwargs = {};
  const last = args[args.length - 1];
  if (args.length > 0 && isKwargs(last)) {
    positional = args.slice(0, -1);
    kwargs = last;
  }
  if (positional.length > params.length) {
    throw new Error(
      `the '${conv}' converter takes at most ${params.length} argument${params.length === 1 ? '' : 's'}, got ${positional.length}`,
    );
  }
  const out: Record<string, unknown> = {};
  positional.forEach((v, i) => {
    out[params[i] as string] = v;
  });
  for (const key of Object.keys(kwargs)) {
    const name = aliases[key] ?? key;
    if (!params.includes(name))
      throw new Error(`the '${conv}' converter got an unexpected argument '${key}'`);
    if (Object.hasOwn(out, name))
      throw new Error(`the '${conv}' converter got multiple values for argument '${name}'`);
    out[name] = kwargs[key];
  }
  return out;
}

function optInteger(conv: string, name: string, v: unknown, min = 0): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(
      `argument '${name}' of the '${conv}' converter must be an integer >= ${min}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function optNumber(conv: string, name: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new Error(
      `argument '${name}' of the '${conv}' converter must be a number, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function optBool(conv: string, name: string, v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  throw new Error(
    `argument '${name}' of the '${conv}' converter must be True or False, got ${JSON.stringify(v)}`,
  );
}

/** `string` / `default`: one path segment; `minlength`, `maxlength`, `length`. */
export class StringConverter extends BaseConverter {
  constructor(map: UrlMap, ...args: unknown[]) {
    super(map);
    const a = bindArgs('string', ['minlength', 'maxlength', 'length'], args, {
      minLength: 'minlength',
      maxLength: 'maxlength',
    });
    const min = optInteger('string', 'minlength', a.minlength) ?? 1;
    const max = optInteger('string', 'maxlength', a.maxlength);
    const length = optInteger('string', 'length', a.length);
    if (length !== null) this.regex = `[^/]{${length}}`;
    else if (max !== null) {
      if (max < min) throw new Error(`the 'string' converter got maxlength ${max} < minlength ${min}`);
      this.regex = `[^/]{${min},${max}}`;
    } else if (min !== 1) this.regex = `[^/]{${min},}`;
  }
}

/** Python's `str.zfill`: pad with zeros after the sign. */
function zfill(s: string, width: number): string {
  if (s.length >= width) return s;
  const sign = s[0] === '-' || s[0] === '+' ? (s[0] as string) : '';
  return sign + '0'.repeat(width - s.length) + s.slice(sign.length);
}

/** Shared part of `int` and `float`: bounds, sign, weight 50. */
abstract class NumberConverter extends BaseConverter {
  override weight = 50;
  fixedDigits = 0;
  min: number | null = null;
  max: number | null = null;
  signed = false;

  protected checkBounds(n: number): number {
    if ((this.min !== null && n < this.min) || (this.max !== null && n > this.max))
      throw new ValidationError();
    return n;
  }
}

/** `int`: digits; `fixed_digits`, `min`, `max`, `signed`. Values beyond 2^53 do not match (they would lose precision). */
export class IntegerConverter extends NumberConverter {
  constructor(map: UrlMap, ...args: unknown[]) {
    super(map);
    const a = bindArgs('int', ['fixed_digits', 'min', 'max', 'signed'], args, {
      fixedDigits: 'fixed_digits',
    });
    this.fixedDigits = optInteger('int', 'fixed_digits', a.fixed_digits) ?? 0;
    this.min = optNumber('int', 'min', a.min);
    this.max = optNumber('int', 'max', a.max);
    this.signed = optBool('int', 'signed', a.signed);
    this.regex = this.signed ? '-?\\d+' : '\\d+';
  }

  override toJs(value: string): number {
    const len = value.length;
    if (this.fixedDigits && len !== this.fixedDigits) throw new ValidationError();
    let n: number;
    const neg = value.charCodeAt(0) === 45;
    n = len < 16 && len > (neg ? 1 : 0) ? 0 : Number.NaN;
    if (n === 0) {
      // summing char codes beats a string → number conversion
      for (let i = neg ? 1 : 0; i < len; i++) {
        const c = value.charCodeAt(i) - 48;
        if (c < 0 || c > 9) {
          n = Number.NaN;
          break;
        }
        n = n * 10 + c;
      }
      if (neg && n !== 0) n = -n;
    }
    if (Number.isNaN(n)) {
      n = /^\s*[-+]?\d+\s*$/.test(value) ? +value : Number.NaN;
      if (!Number.isSafeInteger(n)) throw new ValidationError();
    }
    return this.min === null && this.max === null ? n : this.checkBounds(n);
  }

  override toUrl(value: unknown): string {
    let s: string;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new ValidationError(`cannot build an int from ${value}`);
      s = String(Math.trunc(value));
    } else if (typeof value === 'bigint') s = value.toString();
    else if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) s = BigInt(value.trim()).toString();
    else if (typeof value === 'boolean') s = value ? '1' : '0';
    else throw new ValidationError(`cannot build an int from ${JSON.stringify(value)}`);
    return this.fixedDigits ? zfill(s, this.fixedDigits) : s;
  }
}

/** Python's `repr(float)` for the values a URL can carry (`1.0`, `0.815`, `1e-05`). */
function floatRepr(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  const s = String(n);
  // JS writes 1e-7 where Python writes 1e-07
  return s.replace(/e([-+])(\d)$/, 'e$10$2');
}

/** `float`: `digits.digits`; `min`, `max`, `signed`. */
export class FloatConverter extends NumberConverter {
  constructor(map: UrlMap, ...args: unknown[]) {
    super(map);
    const a = bindArgs('float', ['min', 'max', 'signed'], args);
    this.min = optNumber('float', 'min', a.min);
    this.max = optNumber('float', 'max', a.max);
    this.signed = optBool('float', 'signed', a.signed);
    this.regex = this.signed ? '-?\\d+\\.\\d+' : '\\d+\\.\\d+';
  }

  override toJs(value: string): number {
    return this.checkBounds(+value);
  }

  override toUrl(value: unknown): string {
    const n =
      typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
    if (!Number.isFinite(n) || (typeof value === 'string' && value.trim() === '')) {
      throw new ValidationError(`cannot build a float from ${JSON.stringify(value)}`);
    }
    return floatRepr(n);
  }
}

/** `path`: like the default converter but also accepts slashes. */
export class PathConverter extends BaseConverter {
  override regex = '[^/].*?';
  override weight = 200;
  override partIsolating = false;

  constructor(map: UrlMap, ...args: unknown[]) {
    super(map);
    bindArgs('path', [], args);
  }
}

/**
 * `uuid`: a dashed UUID, handed to the view as a lower-case string (Phial has no UUID type).
 * Weight 50 (Werkzeug leaves 100): a uuid rule beats a string rule in the same place whatever the order.
 */
export class UUIDConverter extends BaseConverter {
  override regex = '[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}';
  override weight = 50;

  constructor(map: UrlMap, ...args: unknown[]) {
    super(map);
    bindArgs('uuid', [], args);
  }

  override toJs(value: string): string {
    return value.toLowerCase();
  }

  override toUrl(value: unknown): string {
    return quotePath(String(value));
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** `any(a, b, c)`: exactly one of the listed items. */
export class AnyConverter extends BaseConverter {
  /** The accepted items, in rule order. */
  readonly items: string[];

  constructor(map: UrlMap, ...args: unknown[]) {
    super(map);
    if (args.length > 0 && isKwargs(args[args.length - 1])) {
      const key = Object.keys(args[args.length - 1] as object)[0];
      throw new Error(`the 'any' converter takes only positional items, got '${key}='`);
    }
    if (args.length === 0) throw new Error(`the 'any' converter needs at least one item`);
    this.items = args.map((a) =>
      a === null ? 'None' : typeof a === 'boolean' ? (a ? 'True' : 'False') : String(a),
    );
    this.regex = `(?:${this.items.map(escapeRegex).join('|')})`;
  }

  override toUrl(value: unknown): string {
    const s = String(value);
    if (!this.items.includes(s)) {
      throw new ValidationError(`'${s}' is not one of ${this.items.map((i) => `'${i}'`).join(', ')}`);
    }
    return quotePath(s);
  }
}

/** The converters every map starts with (Werkzeug's `DEFAULT_CONVERTERS`). */
export const DEFAULT_CONVERTERS: Readonly<Record<string, ConverterClass>> = Object.freeze({
  default: StringConverter,
  string: StringConverter,
  any: AnyConverter,
  path: PathConverter,
  int: IntegerConverter,
  float: FloatConverter,
  uuid: UUIDConverter,
});
