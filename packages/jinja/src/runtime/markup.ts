/**
 * MarkupSafe for JavaScript: a string that is known to be safe HTML, and `escape` which turns anything
 * else into one. Behaviour follows MarkupSafe 3 (the escaping table, `unescape`, `striptags`, `%`-formatting
 * and `join` escaping their arguments).
 */

const ESCAPE_RE_G = /[&<>"']/g;

/** The replacement of an HTML-special character code (one of `& < > " '`). */
function entity(c: number): string {
  return c === 38 ? '&amp;' : c === 60 ? '&lt;' : c === 62 ? '&gt;' : c === 34 ? '&#34;' : '&#39;';
}

/** True for the char codes of `& < > " '` (all of them are at most 62). */
function isSpecial(c: number): boolean {
  return c <= 62 && (c === 38 || c === 60 || c === 62 || c === 34 || c === 39);
}

/**
 * Below this many characters a JS scan costs less than entering the regex engine (about as much as a
 * dozen or so characters of scanning); above it the native regex search is the faster way to find
 * special characters, several times faster per character.
 */
const SHORT = 16;

/**
 * Escapes the five HTML-special characters of a plain string (no Markup wrapping), MarkupSafe's
 * table; a string without any is returned as is. Short strings are scanned in JS; longer ones are
 * searched with a native regex, and once one special character is found, a short remainder is
 * finished in JS while a long one keeps using the regex to jump between special characters.
 */
export function escapeString(s: string): string {
  const n = s.length;
  let i = 0;
  if (n < SHORT) {
    while (i < n && !isSpecial(s.charCodeAt(i))) i++;
    if (i === n) return s;
  } else {
    const re = ESCAPE_RE_G;
    re.lastIndex = 0;
    if (!re.test(s)) return s;
    i = re.lastIndex - 1;
    if (n - i > 4 * SHORT) return escapeFromRegex(s, re, i);
  }
  let out = i === 0 ? '' : s.slice(0, i);
  let last = i;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!isSpecial(c)) continue;
    if (last !== i) out += s.slice(last, i);
    out += entity(c);
    last = i + 1;
  }
  return last === n ? out : out + s.slice(last);
}

/** The rest of `escapeString` for long strings: `re` (global) has just matched the special character at `i`. */
function escapeFromRegex(s: string, re: RegExp, first: number): string {
  let out = '';
  let last = 0;
  let i = first;
  for (;;) {
    out += s.slice(last, i) + entity(s.charCodeAt(i));
    last = i + 1;
    if (!re.test(s)) break;
    i = re.lastIndex - 1;
  }
  return last < s.length ? out + s.slice(last) : out;
}

/** An object that renders itself as HTML (Jinja's / MarkupSafe's `__html__` protocol). */
export interface HasHtml {
  __html__(): string;
}

/** True when `v` follows the `__html__` protocol (Markup included). */
export function hasHtml(v: unknown): v is HasHtml {
  return v !== null && typeof v === 'object' && typeof (v as { __html__?: unknown }).__html__ === 'function';
}

/** How non-string values become text (Python's `str()`); `runtime/python.ts` installs its `pyStr`. */
let pyStr: (v: unknown) => string = (v) =>
  v === null || v === undefined ? 'None' : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);

/** @internal Installs Python's `str()` (kept out of an import so markup.ts and python.ts form no cycle). */
export function setStrConverter(fn: (v: unknown) => string): void {
  pyStr = fn;
}

/**
 * A string marked safe for HTML. It extends `String` so string methods and `${}` work, while
 * `instanceof Markup` keeps the safety visible to the engine and to filters.
 */
export class Markup extends String implements HasHtml {
  constructor(value: unknown = '') {
    super(value instanceof Markup ? value.valueOf() : hasHtml(value) ? value.__html__() : pyStr(value));
  }

  /** Escapes `v` unless it is already safe (MarkupSafe's classmethod `Markup.escape`). */
  static escape(v: unknown): Markup {
    return markupEscape(v);
  }

  /** The HTML protocol: a Markup is its own HTML. */
  __html__(): string {
    return this.valueOf();
  }

  /** Replaces HTML entities and character references with the characters they name. */
  unescape(): string {
    return unescapeEntities(this.valueOf());
  }

  /** Removes comments and tags, collapses whitespace and unescapes entities (MarkupSafe's `striptags`). */
  striptags(): string {
    return stripTags(this.valueOf());
  }

  /** `Markup(sep).join(items)`: the items are escaped unless safe. */
  join(items: Iterable<unknown>): Markup {
    const parts: string[] = [];
    for (const it of items) parts.push(markupEscape(it).valueOf());
    return new Markup(parts.join(this.valueOf()));
  }

  /** Concatenation escaping the other operand (`Markup + str`). */
  add(...others: unknown[]): Markup {
    let s = this.valueOf();
    for (const o of others) s += markupEscape(o).valueOf();
    return new Markup(s);
  }

  override toString(): string {
    return this.valueOf();
  }

  /** JSON sees the plain text. */
  toJSON(): string {
    return this.valueOf();
  }
}

/** MarkupSafe's public name for `markupEscape`. */
export { markupEscape as escape };

/** True when `v` is a Markup instance. */
export function isMarkup(v: unknown): v is Markup {
  return v instanceof Markup;
}

/** Marks a string as safe without escaping it (Jinja's `|safe`, `Markup(s)`). */
export function markSafe(s: unknown): Markup {
  return s instanceof Markup ? s : new Markup(s);
}

/**
 * MarkupSafe's `escape`: Markup passes through, `__html__` objects are trusted, anything else is
 * converted with Python's `str()` and escaped.
 */
export function markupEscape(v: unknown): Markup {
  if (v instanceof Markup) return v;
  if (hasHtml(v)) return new Markup(v.__html__());
  return new Markup(escapeString(typeof v === 'string' ? v : pyStr(v)));
}

/** MarkupSafe's `soft_str`: keeps Markup as is, converts anything else with `str()`. */
export function softStr(v: unknown): string | Markup {
  if (v instanceof Markup) return v;
  return typeof v === 'string' ? v : pyStr(v);
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '\u00a9',
  reg: '\u00ae',
  trade: '\u2122',
  hellip: '\u2026',
  mdash: '\u2014',
  ndash: '\u2013',
  lsquo: '\u2018',
  rsquo: '\u2019',
  ldquo: '\u201c',
  rdquo: '\u201d',
  laquo: '\u00ab',
  raquo: '\u00bb',
  euro: '\u20ac',
  pound: '\u00a3',
  yen: '\u00a5',
  cent: '\u00a2',
  sect: '\u00a7',
  deg: '\u00b0',
  plusmn: '\u00b1',
  times: '\u00d7',
  divide: '\u00f7',
  middot: '\u00b7',
  para: '\u00b6',
  bull: '\u2022',
  iexcl: '\u00a1',
  iquest: '\u00bf',
  shy: '\u00ad',
  macr: '\u00af',
  acute: '\u00b4',
  micro: '\u00b5',
  cedil: '\u00b8',
  ordf: '\u00aa',
  ordm: '\u00ba',
  sup1: '\u00b9',
  sup2: '\u00b2',
  sup3: '\u00b3',
  frac14: '\u00bc',
  frac12: '\u00bd',
  frac34: '\u00be',
  not: '\u00ac',
  brvbar: '\u00a6',
  uml: '\u00a8',
  curren: '\u00a4',
  larr: '\u2190',
  rarr: '\u2192',
  uarr: '\u2191',
  darr: '\u2193',
  harr: '\u2194',
  hearts: '\u2665',
  szlig: '\u00df',
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  zwnj: '\u200c',
  zwj: '\u200d',
  prime: '\u2032',
  Prime: '\u2033',
  dagger: '\u2020',
  Dagger: '\u2021',
  permil: '\u2030',
  oelig: '\u0153',
  OElig: '\u0152',
  scaron: '\u0161',
  Scaron: '\u0160',
  yuml: '\u00ff',
  Yuml: '\u0178',
  fnof: '\u0192',
  circ: '\u02c6',
  tilde: '\u02dc',
  sbquo: '\u201a',
  bdquo: '\u201e',
  lsaquo: '\u2039',
  rsaquo: '\u203a',
  infin: '\u221e',
  ne: '\u2260',
  le: '\u2264',
  ge: '\u2265',
  minus: '\u2212',
  alpha: '\u03b1',
  beta: '\u03b2',
  gamma: '\u03b3',
  delta: '\u03b4',
  pi: '\u03c0',
  sigma: '\u03c3',
  omega: '\u03c9',
  Omega: '\u03a9',
};

// Latin-1 letters with accents: generated to keep the table short.
(() => {
  const letters: [string, string, string][] = [
    ['grave', 'AEIOUaeiou', '\u00c0\u00c8\u00cc\u00d2\u00d9\u00e0\u00e8\u00ec\u00f2\u00f9'],
    ['acute', 'AEIOUYaeiouy', '\u00c1\u00c9\u00cd\u00d3\u00da\u00dd\u00e1\u00e9\u00ed\u00f3\u00fa\u00fd'],
    ['circ', 'AEIOUaeiou', '\u00c2\u00ca\u00ce\u00d4\u00db\u00e2\u00ea\u00ee\u00f4\u00fb'],
    ['tilde', 'ANOano', '\u00c3\u00d1\u00d5\u00e3\u00f1\u00f5'],
    ['uml', 'AEIOUaeiouy', '\u00c4\u00cb\u00cf\u00d6\u00dc\u00e4\u00eb\u00ef\u00f6\u00fc\u00ff'],
    ['ring', 'Aa', '\u00c5\u00e5'],
    ['cedil', 'Cc', '\u00c7\u00e7'],
    ['slash', 'Oo', '\u00d8\u00f8'],
  ];
  for (const [suffix, from, to] of letters) {
    for (let i = 0; i < from.length; i++) NAMED_ENTITIES[from[i]! + suffix] = to[i]!;
  }
  Object.assign(NAMED_ENTITIES, {
    AMP: '&',
    LT: '<',
    GT: '>',
    QUOT: '"',
    COPY: '\u00a9',
    REG: '\u00ae',
    notin: '\u2209',
    isin: '\u2208',
    sum: '\u2211',
    prod: '\u220f',
    radic: '\u221a',
    asymp: '\u2248',
    equiv: '\u2261',
    and: '\u2227',
    or: '\u2228',
    cap: '\u2229',
    cup: '\u222a',
    int: '\u222b',
    there4: '\u2234',
    sim: '\u223c',
    sub: '\u2282',
    sup: '\u2283',
    nabla: '\u2207',
    part: '\u2202',
    forall: '\u2200',
    exist: '\u2203',
    empty: '\u2205',
    lowast: '\u2217',
    prop: '\u221d',
    ang: '\u2220',
    loz: '\u25ca',
    spades: '\u2660',
    clubs: '\u2663',
    diams: '\u2666',
    lArr: '\u21d0',
    rArr: '\u21d2',
    hArr: '\u21d4',
    crarr: '\u21b5',
    oline: '\u203e',
    frasl: '\u2044',
    lrm: '\u200e',
    rlm: '\u200f',
    AElig: '\u00c6',
    aelig: '\u00e6',
    ETH: '\u00d0',
    eth: '\u00f0',
    THORN: '\u00de',
    thorn: '\u00fe',
  });
})();

// Python's html.unescape maps these numeric references like browsers do (Windows-1252 for 0x80-0x9f).
const INVALID_CHARREFS: Record<number, string> = {
  0: '\ufffd',
  13: '\r',
  128: '\u20ac',
  129: '\x81',
  130: '\u201a',
  131: '\u0192',
  132: '\u201e',
  133: '\u2026',
  134: '\u2020',
  135: '\u2021',
  136: '\u02c6',
  137: '\u2030',
  138: '\u0160',
  139: '\u2039',
  140: '\u0152',
  141: '\x8d',
  142: '\u017d',
  143: '\x8f',
  144: '\x90',
  145: '\u2018',
  146: '\u2019',
  147: '\u201c',
  148: '\u201d',
  149: '\u2022',
  150: '\u2013',
  151: '\u2014',
  152: '\u02dc',
  153: '\u2122',
  154: '\u0161',
  155: '\u203a',
  156: '\u0153',
  157: '\x9d',
  158: '\u017e',
  159: '\u0178',
};

// Names HTML accepts without a trailing semicolon: the Latin-1 entities and a few uppercase aliases.
const LEGACY = new Set(
  Object.keys(NAMED_ENTITIES).filter((k) => {
    const c = NAMED_ENTITIES[k]!.codePointAt(0)!;
    return (
      (c >= 0xa0 && c <= 0xff) ||
      ['amp', 'lt', 'gt', 'quot', 'AMP', 'LT', 'GT', 'QUOT', 'COPY', 'REG'].includes(k)
    );
  }),
);

const ENTITY_RE = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)/g;

function unescapeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY_RE, (whole, body: string) => {
    if (body[0] === '#') {
      const hex = body[1] === 'x' || body[1] === 'X';
      const digits = body.slice(hex ? 2 : 1).replace(/;$/, '');
      const code = Number.parseInt(digits, hex ? 16 : 10);
      if (!Number.isFinite(code) || code > 0x10ffff) return '\ufffd';
      const mapped = INVALID_CHARREFS[code];
      if (mapped !== undefined) return mapped;
      if (code >= 0xd800 && code <= 0xdfff) return '\ufffd';
      if (
        (code >= 0x1 && code <= 0x8) ||
        code === 0xb ||
        (code >= 0xe && code <= 0x1f) ||
        (code >= 0x7f && code <= 0x9f) ||
        (code >= 0xfdd0 && code <= 0xfdef) ||
        (code & 0xfffe) === 0xfffe
      )
        return '';
      return String.fromCodePoint(code);
    }
    if (body.endsWith(';')) {
      const ch = NAMED_ENTITIES[body.slice(0, -1)];
      if (ch !== undefined) return ch;
    }
    // without the semicolon HTML recognises the longest legacy (Latin-1) name at the start
    for (let n = Math.min(body.length, 8); n >= 2; n--) {
      const prefix = body.slice(0, n);
      if (LEGACY.has(prefix)) return NAMED_ENTITIES[prefix] + body.slice(n);
    }
    return whole;
  });
}

/** HTML-unescapes a string (Python's `html.unescape` for the common entities). */
export function unescapeHtml(s: string): string {
  return unescapeEntities(s);
}

function removeBetween(value: string, open: string, close: string): string {
  let v = value;
  for (;;) {
    const start = v.indexOf(open);
    if (start === -1) return v;
    const end = v.indexOf(close, start);
    if (end === -1) return v;
    v = v.slice(0, start) + v.slice(end + close.length);
  }
}

/** Python's `str.split()` whitespace. */
export const PY_WHITESPACE_RE = new RegExp(
  `[\\s${String.fromCharCode(0x1c)}-${String.fromCharCode(0x1f)}\\x85]+`,
);

function stripTags(s: string): string {
  // comments first so a tag inside a comment cannot end it early, then tags
  let v = removeBetween(s, '<!--', '-->');
  v = removeBetween(v, '<', '>');
  v = v
    .split(PY_WHITESPACE_RE)
    .filter((p) => p.length > 0)
    .join(' ');
  return unescapeEntities(v);
}

/** Plain-string `striptags` (the filter converts its input to Markup first). */
export function striptagsString(s: string): string {
  return stripTags(s);
}
