/**
 * Jinja2's default globals: `range`, `dict`, `lipsum`, `cycler`, `joiner` and `namespace`.
 */
import { pyError } from '../errors.js';
import { Kwargs } from '../runtime/calls.js';
import { Markup, markupEscape } from '../runtime/markup.js';
import {
  dictItems,
  eq,
  isDict,
  isInt,
  markRange,
  PyFloat,
  pyRepr,
  toList,
  toNumber,
  truthy,
  tuple,
  typeName,
} from '../runtime/python.js';
import { LOREM_WORDS } from './lipsum.js';

/** Jinja's sandbox limit on `range()`; larger ranges raise OverflowError. */
export const MAX_RANGE = 100000;

function splitKwargs(args: unknown[]): [unknown[], Record<string, unknown>] {
  const last = args[args.length - 1];
  if (last instanceof Kwargs) return [args.slice(0, -1), { ...last }];
  return [args, {}];
}

function rangeArg(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isInt(v)) return v;
  throw pyError('TypeError', `'${typeName(v)}' object cannot be interpreted as an integer`);
}

/** Python's `range(stop)` / `range(start, stop[, step])`, as a list. */
export function pyRange(...args: unknown[]): number[] {
  const [pos, kw] = splitKwargs(args);
  if (Object.keys(kw).length > 0) throw pyError('TypeError', 'range() takes no keyword arguments');
  if (pos.length === 0) throw pyError('TypeError', 'range expected at least 1 argument, got 0');
  if (pos.length > 3) throw pyError('TypeError', `range expected at most 3 arguments, got ${pos.length}`);
  let start = 0;
  let stop: number;
  let step = 1;
  if (pos.length === 1) stop = rangeArg(pos[0]);
  else {
    start = rangeArg(pos[0]);
    stop = rangeArg(pos[1]);
    if (pos.length === 3) step = rangeArg(pos[2]);
  }
  if (step === 0) throw pyError('ValueError', 'range() arg 3 must not be zero');
  const len =
    step > 0 ? Math.max(0, Math.ceil((stop - start) / step)) : Math.max(0, Math.ceil((start - stop) / -step));
  if (len > MAX_RANGE) {
    throw pyError(
      'OverflowError',
      `Range too big. The sandbox blocks ranges larger than MAX_RANGE (${MAX_RANGE}).`,
    );
  }
  const out = new Array<number>(len);
  for (let i = 0; i < len; i++) out[i] = start + i * step;
  return markRange(out, start, stop, step);
}

/** Python's `dict(mapping_or_pairs, **kwargs)`. */
export function pyDict(...args: unknown[]): Record<string, unknown> | Map<unknown, unknown> {
  const [pos, kw] = splitKwargs(args);
  if (pos.length > 1) throw pyError('TypeError', `dict expected at most 1 argument, got ${pos.length}`);
  const pairs: [unknown, unknown][] = [];
  if (pos.length === 1) {
    const src = pos[0];
    if (isDict(src)) pairs.push(...dictItems(src));
    else {
      for (const pair of toList(src)) {
        const p = toList(pair);
        if (p.length !== 2) {
          throw pyError(
            'ValueError',
            `dictionary update sequence element has length ${p.length}; 2 is required`,
          );
        }
        pairs.push([p[0], p[1]]);
      }
    }
  }
  pairs.push(...Object.entries(kw));
  // string keys make a plain object (the common case); any other key type needs a Map
  if (pairs.every(([k]) => typeof k === 'string')) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of pairs) out[k as string] = v;
    return out;
  }
  const m = new Map<unknown, unknown>();
  for (const [k, v] of pairs) {
    let key = k;
    for (const existing of m.keys()) if (eq(existing, k)) key = existing;
    m.set(key, v);
  }
  return m;
}

/**
 * Jinja's `namespace()`: an object whose attributes templates may assign with
 * `{% set ns.attr = value %}`. The engine recognises it with `instanceof Namespace`; attributes are
 * its own enumerable properties.
 */
export class Namespace {
  [key: string]: unknown;
  constructor(init?: Record<string, unknown>) {
    if (init) Object.assign(this, init);
  }
  /** Python-style printing: `<Namespace {'a': 1}>`. */
  toString(): string {
    return `<Namespace ${pyRepr({ ...this })}>`;
  }
}

/** True when `v` is a template namespace (the target of `{% set ns.x = ... %}`). */
export function isNamespace(v: unknown): v is Namespace {
  return v instanceof Namespace;
}

function namespace(...args: unknown[]): Namespace {
  const d = pyDict(...args);
  return new Namespace(d instanceof Map ? Object.fromEntries([...d].map(([k, v]) => [String(k), v])) : d);
}

/** Cycles through values: `next()` returns the current one and advances; `current`, `reset()`. */
export class Cycler {
  readonly items: unknown[];
  pos = 0;
  /** Returns the current item and advances (bound, so `c.next` can be passed around). */
  readonly next: () => unknown;
  /** Goes back to the first item. */
  readonly reset: () => null;
  constructor(...items: unknown[]) {
    if (items.length === 0) throw pyError('RuntimeError', 'at least one item has to be provided');
    this.items = tuple(items);
    this.next = () => {
      const rv = this.current;
      this.pos = (this.pos + 1) % this.items.length;
      return rv;
    };
    this.reset = () => {
      this.pos = 0;
      return null;
    };
  }
  /** The item `next()` will return. */
  get current(): unknown {
    return this.items[this.pos];
  }
}

function cycler(...args: unknown[]): Cycler {
  const [pos] = splitKwargs(args);
  return new Cycler(...pos);
}

/** Jinja's `joiner(sep)`: a function returning '' the first time and `sep` afterwards. */
function joiner(...args: unknown[]): () => unknown {
  const [pos, kw] = splitKwargs(args);
  const sep = pos.length > 0 ? pos[0] : 'sep' in kw ? kw.sep : ', ';
  let used = false;
  return () => {
    if (!used) {
      used = true;
      return '';
    }
    return sep;
  };
}

function randInt(lo: number, hiExclusive: number): number {
  return lo + Math.floor(Math.random() * (hiExclusive - lo));
}

/** An argument of Python 3.11's `random.randrange`: ints, and floats with an integral value. */
function randrangeArg(v: unknown, which: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isInt(v)) return v;
  if (typeof v === 'number' || v instanceof PyFloat) {
    const x = toNumber(v);
    if (!Number.isFinite(x)) {
      throw pyError(
        'OverflowError',
        `cannot convert float ${Number.isNaN(x) ? 'NaN' : 'infinity'} to integer`,
      );
    }
    if (Number.isInteger(x)) return x;
    throw pyError('ValueError', `non-integer ${which} for randrange()`);
  }
  if (typeof v === 'string' || v instanceof Markup) {
    const t = v.valueOf().trim();
    if (/^[-+]?\d+$/.test(t)) throw pyError('ValueError', `non-integer ${which} for randrange()`);
    throw pyError('ValueError', `invalid literal for int() with base 10: ${pyRepr(v.valueOf())}`);
  }
  throw pyError(
    'TypeError',
    `int() argument must be a string, a bytes-like object or a real number, not '${typeName(v)}'`,
  );
}

/** Python's `random.randrange(start, stop)`, with its ValueError for an empty range. */
function randrange(start: unknown, stop: unknown): number {
  const lo = randrangeArg(start, 'arg 1');
  const hi = randrangeArg(stop, 'stop');
  if (hi - lo <= 0) throw pyError('ValueError', `empty range for randrange() (${lo}, ${hi}, ${hi - lo})`);
  return randInt(lo, hi);
}

const LIPSUM_PARAMS = ['n', 'html', 'min', 'max'];

/** Jinja's `lipsum(n=5, html=True, min=20, max=100)`: random lorem ipsum paragraphs. */
export function lipsum(...args: unknown[]): string | Markup {
  const [pos, kw] = splitKwargs(args);
  if (pos.length > LIPSUM_PARAMS.length) {
    throw pyError(
      'TypeError',
      `generate_lorem_ipsum() takes from 0 to 4 positional arguments but ${pos.length} were given`,
    );
  }
  const p: Record<string, unknown> = { n: 5, html: true, min: 20, max: 100 };
  pos.forEach((v, i) => {
    p[LIPSUM_PARAMS[i]!] = v;
  });
  for (const k of Object.keys(kw)) {
    const i = LIPSUM_PARAMS.indexOf(k);
    if (i < 0) throw pyError('TypeError', `generate_lorem_ipsum() got an unexpected keyword argument '${k}'`);
    if (i < pos.length)
      throw pyError('TypeError', `generate_lorem_ipsum() got multiple values for argument '${k}'`);
    p[k] = kw[k];
  }
  const n = rangeArg(p.n);
  const result: string[] = [];
  for (let i = 0; i < n; i++) {
    let nextCapitalized = true;
    let lastComma = 0;
    let lastFullstop = 0;
    let last: string | null = null;
    const words: string[] = [];
    const count = randrange(p.min, p.max);
    for (let idx = 0; idx < count; idx++) {
      let word: string;
      do word = LOREM_WORDS[Math.floor(Math.random() * LOREM_WORDS.length)]!;
      while (word === last);
      last = word;
      if (nextCapitalized) {
        word = word[0]!.toUpperCase() + word.slice(1);
        nextCapitalized = false;
      }
      if (idx - randInt(3, 8) > lastComma) {
        lastComma = idx;
        lastFullstop += 2;
        word += ',';
      }
      if (idx - randInt(10, 20) > lastFullstop) {
        lastComma = lastFullstop = idx;
        word += '.';
        nextCapitalized = true;
      }
      words.push(word);
    }
    let text = words.join(' ');
    if (text.endsWith(',')) text = `${text.slice(0, -1)}.`;
    else if (!text.endsWith('.')) text += '.';
    result.push(text);
  }
  if (!truthy(p.html)) return result.join('\n\n');
  return new Markup(result.map((x) => `<p>${markupEscape(x).valueOf()}</p>`).join('\n'));
}

/** Jinja2's default global namespace. */
export const DEFAULT_GLOBALS: Record<string, unknown> = {
  range: pyRange,
  dict: pyDict,
  lipsum,
  cycler,
  joiner,
  namespace,
};
