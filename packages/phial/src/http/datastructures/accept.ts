/** One `Accept*` entry: the value (media type with its non-q parameters, language, charset...) and its
 *  quality. */
export type AcceptItem = readonly [value: string, quality: number];

const Q_VALUE = /^-?\d+(?:\.\d+)?$/;
const MIME_SPLIT = /\/|(?:\s*;\s*)/;
const LOCALE_DELIM = /[_-]/;
/** Parsed headers per Accept class, keyed by header text (bounded: cleared when full). */
const PARSED = new WeakMap<object, Map<string, Accept>>();
const PARSED_CACHE_SIZE = 256;
const MIME_CACHE = new Map<string, string[]>();

function compareSpecificity(a: readonly boolean[], b: readonly boolean[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] ? 1 : -1;
  }
  return a.length - b.length;
}

/** Splits a header list on commas that are not inside a quoted string. */
function splitList(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22 /* " */) quoted = !quoted;
    else if (c === 0x5c /* \ */ && quoted) i++;
    else if (c === 0x2c /* , */ && !quoted) {
      out.push(value.slice(start, i));
      start = i + 1;
    }
  }
  out.push(value.slice(start));
  return out;
}

/** Splits `value; k=v; k2="v"` into the value and its parameters (lower-case names). */
function splitOptions(item: string): [string, [string, string][]] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < item.length; i++) {
    const c = item.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (c === 0x5c && quoted) i++;
    else if (c === 0x3b /* ; */ && !quoted) {
      parts.push(item.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(item.slice(start));
  const value = (parts[0] as string).trim();
  const params: [string, string][] = [];
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i] as string;
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const name = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.length >= 2 && v[0] === '"' && v[v.length - 1] === '"') v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    if (name) params.push([name, v]);
  }
  return [value, params];
}

function quoteParam(v: string): string {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(v) ? v : `"${v.replace(/(["\\])/g, '\\$1')}"`;
}

/** Parses the entries of an `Accept*` header; entries with an invalid q-value are dropped. */
function parseAcceptItems(value: string): AcceptItem[] {
  const result: AcceptItem[] = [];
  for (const raw of splitList(value)) {
    if (!raw.trim()) continue;
    const [item, params] = splitOptions(raw);
    if (!item) continue;
    let q = 1;
    const qi = params.findIndex((p) => p[0] === 'q');
    if (qi >= 0) {
      const qs = (params[qi] as [string, string])[1].trim();
      params.splice(qi, 1);
      if (!Q_VALUE.test(qs)) continue;
      q = Number(qs);
      if (q < 0 || q > 1) continue;
    }
    const full = params.length ? [item, ...params.map(([k, v]) => `${k}=${quoteParam(v)}`)].join('; ') : item;
    result.push([full, q]);
  }
  return result;
}

/** Builds `cls` from a header, reusing an earlier parse of the same text: Accept objects are immutable and
 *  clients repeat the same few headers. */
function parseHeaderCached<T extends Accept>(cls: AcceptClass<T>, value: string | null | undefined): T {
  if (!value) return new cls(null);
  let cache = PARSED.get(cls);
  if (cache === undefined) {
    cache = new Map();
    PARSED.set(cls, cache);
  }
  const hit = cache.get(value);
  if (hit !== undefined) return hit as T;
  const parsed = new cls(parseAcceptItems(value));
  if (cache.size >= PARSED_CACHE_SIZE) cache.clear();
  cache.set(value, parsed);
  return parsed;
}

/** Constructor shape shared by Accept and its subclasses (so `fromHeader` builds the right one). */
export type AcceptClass<T extends Accept> = new (values?: Iterable<AcceptItem> | null) => T;

/**
 * A parsed `Accept*` header (Werkzeug's `Accept`): `(value, quality)` items sorted by specificity then
 * quality, original order kept for ties. `get(value)` / `quality(value)` give the quality the client gives a
 * value (0 when not accepted); `bestMatch` picks among what the server offers.
 */
export class Accept implements Iterable<AcceptItem> {
  /** False when the header was absent (then nothing is listed, and `bestMatch` returns the default). */
  readonly provided: boolean;
  protected readonly items: AcceptItem[];

  constructor(values?: Iterable<AcceptItem> | null) {
    if (values == null) {
      this.provided = false;
      this.items = [];
    } else if (values instanceof Accept) {
      this.provided = values.provided;
      this.items = values.items.slice();
    } else {
      this.provided = true;
      const decorated = Array.from(values, (item, index) => ({
        item: [item[0], item[1]] as AcceptItem,
        spec: this.specificity(item[0]),
        index,
      }));
      decorated.sort((a, b) => {
        const s = compareSpecificity(b.spec, a.spec);
        if (s !== 0) return s;
        if (a.item[1] !== b.item[1]) return b.item[1] - a.item[1];
        return a.index - b.index;
      });
      this.items = decorated.map((d) => d.item);
    }
  }

  /** Parses a header value such as `text/html,application/xml;q=0.9,*\/*;q=0.8`. Invalid q-values (not a
   *  number, outside 0..1) drop the entry, as Werkzeug does; other parameters stay on the value. */
  static fromHeader<T extends Accept>(this: AcceptClass<T>, value: string | null | undefined): T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass (MIMEAccept...) to build
    return parseHeaderCached(this, value);
  }

  /** How specific a value is; higher sorts first (a wildcard is least specific). */
  protected specificity(value: string): boolean[] {
    return [value !== '*'];
  }

  /** Whether the server `value` is covered by the client's `item`. */
  protected valueMatches(value: string, item: string): boolean {
    return item === '*' || item.toLowerCase() === value.toLowerCase();
  }

  get length(): number {
    return this.items.length;
  }

  /** The item at `index` (negative counts from the end). */
  at(index: number): AcceptItem | undefined {
    return this.items.at(index);
  }

  /** The quality the client gives `value` (0 when it does not accept it). */
  quality(value: string): number {
    for (const [item, q] of this.items) if (this.valueMatches(value, item)) return q;
    return 0;
  }

  /** Same as `quality`: Werkzeug's `accept['text/html']`, and what templates' `accept['x']` reads. */
  get(value: string): number {
    return this.quality(value);
  }

  /** Whether some entry covers `value` (Werkzeug's `value in accept`; note a q=0 entry still counts). */
  has(value: string): boolean {
    for (const [item] of this.items) if (this.valueMatches(value, item)) return true;
    return false;
  }

  /** Position of the first entry covering `value`, or -1. */
  find(value: string): number {
    for (let i = 0; i < this.items.length; i++) {
      if (this.valueMatches(value, (this.items[i] as AcceptItem)[0])) return i;
    }
    return -1;
  }

  /** Position of the first entry covering `value`; throws when there is none. */
  index(value: string): number {
    const i = this.find(value);
    if (i < 0) throw new RangeError(`${value} is not accepted`);
    return i;
  }

  /** The accepted values, in order. */
  *values(): IterableIterator<string> {
    for (const [item] of this.items) yield item;
  }

  [Symbol.iterator](): IterableIterator<AcceptItem> {
    return this.items[Symbol.iterator]();
  }

  /** The first (most specific, best quality) value the client sent, or null. */
  get best(): string | null {
    return this.items.length ? (this.items[0] as AcceptItem)[0] : null;
  }

  /** The server value the client prefers: highest quality, then most specific client entry, then the
   *  earliest in `matches`. q=0 entries never match. Returns `defaultValue` (null) when none fits. */
  bestMatch(matches: Iterable<string>): string | null;
  bestMatch<D>(matches: Iterable<string>, defaultValue: D): string | D;
  bestMatch<D>(matches: Iterable<string>, defaultValue?: D): string | D | null {
    let result: string | D | null = defaultValue === undefined ? null : defaultValue;
    let bestQ = -1;
    let bestSpec: boolean[] | null = null;
    for (const serverItem of matches) {
      let found: AcceptItem | undefined;
      for (const entry of this.items) {
        if (this.valueMatches(serverItem, entry[0])) {
          found = entry;
          break;
        }
      }
      if (found === undefined) continue;
      const [clientItem, q] = found;
      if (q <= 0 || q < bestQ) continue;
      const spec = this.specificity(clientItem);
      if (q > bestQ || bestSpec === null || compareSpecificity(spec, bestSpec) > 0) {
        result = serverItem;
        bestQ = q;
        bestSpec = spec;
      }
    }
    return result;
  }

  /** The header value again (`a,b;q=0.5`). */
  toHeader(): string {
    return this.items.map(([v, q]) => (q !== 1 ? `${v};q=${q}` : v)).join(',');
  }

  toString(): string {
    return this.toHeader();
  }

  toJSON(): [string, number][] {
    return this.items.map(([v, q]) => [v, q]);
  }
}

/** `[type, subtype, ...params]`, lower-case (cached: the same few strings come back on every request). */
function normalizeMime(value: string): string[] {
  let parts = MIME_CACHE.get(value);
  if (parts === undefined) {
    parts = value.toLowerCase().split(MIME_SPLIT);
    if (MIME_CACHE.size >= 1024) MIME_CACHE.clear();
    MIME_CACHE.set(value, parts);
  }
  return parts;
}

/** `Accept` for media types: `text/*` and `*\/*` wildcards, parameters must match exactly, and a server
 *  value without `/` is a developer error (throws). */
export class MIMEAccept extends Accept {
  protected override specificity(value: string): boolean[] {
    return value.split(MIME_SPLIT).map((x) => x !== '*');
  }

  protected override valueMatches(value: string, item: string): boolean {
    if (!item.includes('/')) return false;
    if (!value.includes('/')) throw new TypeError(`invalid mimetype ${JSON.stringify(value)}`);
    const v = normalizeMime(value);
    const [vType, vSub] = v as [string, string];
    if (vType === '*' && vSub !== '*') throw new TypeError(`invalid mimetype ${JSON.stringify(value)}`);
    const it = normalizeMime(item);
    const [iType, iSub] = it as [string, string];
    if (iType === '*' && iSub !== '*') return false;
    if ((iType === '*' && iSub === '*') || (vType === '*' && vSub === '*')) return true;
    if (iType !== vType) return false;
    if (iSub === '*' || vSub === '*') return true;
    if (iSub !== vSub) return false;
    const vp = v.slice(2).sort();
    const ip = it.slice(2).sort();
    return vp.length === ip.length && vp.every((p, i) => p === ip[i]);
  }

  /** The client accepts HTML (or XHTML). */
  get acceptHtml(): boolean {
    return this.has('text/html') || this.acceptXhtml;
  }

  /** The client accepts XHTML (or XML). */
  get acceptXhtml(): boolean {
    return this.has('application/xhtml+xml') || this.has('application/xml');
  }

  /** The client accepts JSON. */
  get acceptJson(): boolean {
    return this.has('application/json');
  }
}

function normalizeLang(value: string): string {
  return value.toLowerCase().split(LOCALE_DELIM).join('-');
}

/** `Accept` for language tags: `en_US` equals `en-us`; `bestMatch` falls back to primary tags both ways. */
export class LanguageAccept extends Accept {
  protected override valueMatches(value: string, item: string): boolean {
    return item === '*' || normalizeLang(value) === normalizeLang(item);
  }

  override bestMatch(matches: Iterable<string>): string | null;
  override bestMatch<D>(matches: Iterable<string>, defaultValue: D): string | D;
  override bestMatch<D>(matches: Iterable<string>, defaultValue?: D): string | D | null {
    const list = Array.from(matches);
    const exact = super.bestMatch(list);
    if (exact !== null) return exact;
    // the client said en-US: en is acceptable
    const primaryClient = new Accept(this.items.map(([v, q]) => [v.split(LOCALE_DELIM, 1)[0] as string, q]));
    const viaClient = primaryClient.bestMatch(list);
    if (viaClient !== null) return viaClient;
    // the client said en: en-US is acceptable
    const primaries = list.map((m) => m.split(LOCALE_DELIM, 1)[0] as string);
    const viaServer = super.bestMatch(primaries);
    if (viaServer !== null) {
      const original = list.find((m) => m.startsWith(viaServer));
      if (original !== undefined) return original;
    }
    return defaultValue === undefined ? null : defaultValue;
  }
}

const CHARSET_ALIASES: Record<string, string> = {
  utf8: 'utf-8',
  'utf-8': 'utf-8',
  latin1: 'iso-8859-1',
  'latin-1': 'iso-8859-1',
  'iso-8859-1': 'iso-8859-1',
  iso8859_1: 'iso-8859-1',
  'us-ascii': 'ascii',
  ascii: 'ascii',
};

function normalizeCharset(name: string): string {
  const lower = name.toLowerCase();
  return CHARSET_ALIASES[lower] ?? lower;
}

/** `Accept` for charsets: common aliases (`utf8`, `UTF-8`, `latin1`) compare equal. */
export class CharsetAccept extends Accept {
  protected override valueMatches(value: string, item: string): boolean {
    return item === '*' || normalizeCharset(value) === normalizeCharset(item);
  }
}
