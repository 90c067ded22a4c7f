/**
 * Python `str` algorithms that differ from JavaScript's: whitespace splitting, stripping a
 * character set, `center`, `title`, `splitlines`, character classes. Shared by the Python methods
 * and the filters.
 */
import { pyError } from '../errors.js';

// Python's whitespace adds the information separators U+001C..U+001F and U+0085 to JS's \s.
// Built from char codes so the regex sources stay free of control-character escapes.
const SEP = `${String.fromCharCode(0x1c)}-${String.fromCharCode(0x1f)}`;
/** The body of a character class matching Python's `str.isspace()` characters. */
export const PY_WS = `\\s${SEP}\\x85`;
const SPACE_ONE = new RegExp(`^[${PY_WS}]$`, 'u');
const LEAD_WS = new RegExp(`^[${PY_WS}]+`, 'u');
const TRAIL_WS = new RegExp(`[${PY_WS}]+$`, 'u');
const LAST_WS_RUN = new RegExp(`[${PY_WS}]+(?=[^${PY_WS}]*$)`, 'u');

/** Python's `str.isspace()` for one character. */
export function isPySpace(ch: string): boolean {
  return SPACE_ONE.test(ch) && ch !== '\ufeff';
}

const WS_SPLIT = new RegExp(`[${PY_WS}]+`, 'u');

/** Python's `str.split(sep=None, maxsplit=-1)` and with a separator. */
export function pySplit(s: string, sep: string | null = null, maxsplit = -1): string[] {
  if (sep === null) {
    const out: string[] = [];
    let rest = s.replace(LEAD_WS, '');
    while (rest.length > 0) {
      if (maxsplit >= 0 && out.length >= maxsplit) {
        out.push(rest);
        return out;
      }
      const m = WS_SPLIT.exec(rest);
      if (!m) {
        out.push(rest);
        break;
      }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }
  if (sep === '') throw pyError('ValueError', 'empty separator');
  if (maxsplit < 0) return s.split(sep);
  const out: string[] = [];
  let rest = s;
  while (out.length < maxsplit) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

/** Python's `str.rsplit(sep=None, maxsplit=-1)`. */
export function pyRsplit(s: string, sep: string | null = null, maxsplit = -1): string[] {
  if (maxsplit < 0) return pySplit(s, sep, -1);
  if (sep === null) {
    const out: string[] = [];
    let rest = s.replace(TRAIL_WS, '');
    while (rest.length > 0) {
      if (out.length >= maxsplit) {
        out.unshift(rest);
        return out;
      }
      const m = LAST_WS_RUN.exec(rest);
      if (!m) {
        out.unshift(rest);
        break;
      }
      out.unshift(rest.slice(m.index + m[0].length));
      rest = rest.slice(0, m.index);
    }
    return out;
  }
  if (sep === '') throw pyError('ValueError', 'empty separator');
  const out: string[] = [];
  let rest = s;
  while (out.length < maxsplit) {
    const i = rest.lastIndexOf(sep);
    if (i < 0) break;
    out.unshift(rest.slice(i + sep.length));
    rest = rest.slice(0, i);
  }
  out.unshift(rest);
  return out;
}

function charSet(chars: string): Set<string> {
  return new Set(Array.from(chars));
}

/** Python's `str.strip(chars)` family; `chars` null means whitespace. */
export function pyStrip(s: string, chars: string | null, left: boolean, right: boolean): string {
  if (chars === null) {
    let r = s;
    if (left) r = r.replace(LEAD_WS, '');
    if (right) r = r.replace(TRAIL_WS, '');
    return r;
  }
  const set = charSet(chars);
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  if (left) while (a < b && set.has(cps[a]!)) a++;
  if (right) while (b > a && set.has(cps[b - 1]!)) b--;
  return cps.slice(a, b).join('');
}

/** Code-point length. */
export function cpLen(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Python's `str.center(width, fillchar)` (CPython puts the odd pad on the right unless both are odd). */
export function pyCenter(s: string, width: number, fill = ' '): string {
  const len = cpLen(s);
  if (width <= len) return s;
  const marg = width - len;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return fill.repeat(left) + s + fill.repeat(marg - left);
}

/** Python's `str.ljust`. */
export function pyLjust(s: string, width: number, fill = ' '): string {
  const len = cpLen(s);
  return width <= len ? s : s + fill.repeat(width - len);
}

/** Python's `str.rjust`. */
export function pyRjust(s: string, width: number, fill = ' '): string {
  const len = cpLen(s);
  return width <= len ? s : fill.repeat(width - len) + s;
}

/** Python's `str.zfill`. */
export function pyZfill(s: string, width: number): string {
  const len = cpLen(s);
  if (width <= len) return s;
  const sign = s[0] === '+' || s[0] === '-' ? s[0] : '';
  return sign + '0'.repeat(width - len) + s.slice(sign.length);
}

/** True when the character has case (Python's "cased"). */
export function isCased(ch: string): boolean {
  return ch.toLowerCase() !== ch.toUpperCase() || /\p{Lt}/u.test(ch);
}

/** Python's `str.title()`: upper after an uncased character, lower after a cased one. */
export function pyTitle(s: string): string {
  let out = '';
  let prevCased = false;
  for (const ch of s) {
    if (isCased(ch)) {
      out += prevCased ? ch.toLowerCase() : titleChar(ch);
      prevCased = true;
    } else {
      out += ch;
      prevCased = false;
    }
  }
  return out;
}

// The Latin digraphs whose title case differs from their upper case.
const TITLE_CASE: Record<string, string> = {
  '\u01c4': '\u01c5',
  '\u01c5': '\u01c5',
  '\u01c6': '\u01c5',
  '\u01c7': '\u01c8',
  '\u01c8': '\u01c8',
  '\u01c9': '\u01c8',
  '\u01ca': '\u01cb',
  '\u01cb': '\u01cb',
  '\u01cc': '\u01cb',
  '\u01f1': '\u01f2',
  '\u01f2': '\u01f2',
  '\u01f3': '\u01f2',
};

function titleChar(ch: string): string {
  const t = TITLE_CASE[ch];
  if (t !== undefined) return t;
  const up = ch.toUpperCase();
  // characters like 'ß' upper-case to two letters; the title case keeps the second lower
  return up.length > 1 && ch.length === 1 ? up[0]! + up.slice(1).toLowerCase() : up;
}

/** Python's `str.capitalize()`: first character title-cased, the rest lower-cased. */
export function pyCapitalize(s: string): string {
  if (s === '') return s;
  const cps = Array.from(s);
  return titleChar(cps[0]!) + cps.slice(1).join('').toLowerCase();
}

/** Python's `str.swapcase()`. */
export function pySwapcase(s: string): string {
  let out = '';
  for (const ch of s) {
    const lo = ch.toLowerCase();
    out += lo === ch ? ch.toUpperCase() : lo;
  }
  return out;
}

/** Python's `str.isupper()`: has a cased character and no lower-case ones. */
export function pyIsUpper(s: string): boolean {
  let cased = false;
  for (const ch of s) {
    if (!isCased(ch)) continue;
    if (ch.toUpperCase() !== ch) return false;
    cased = true;
  }
  return cased;
}

/** Python's `str.islower()`. */
export function pyIsLower(s: string): boolean {
  let cased = false;
  for (const ch of s) {
    if (!isCased(ch)) continue;
    if (ch.toLowerCase() !== ch) return false;
    cased = true;
  }
  return cased;
}

/** Python's `str.istitle()`. */
export function pyIsTitle(s: string): boolean {
  let cased = false;
  let prevCased = false;
  for (const ch of s) {
    if (isCased(ch)) {
      const isUp = ch.toLowerCase() !== ch;
      if (prevCased && isUp) return false;
      if (!prevCased && !isUp) return false;
      prevCased = true;
      cased = true;
    } else prevCased = false;
  }
  return cased;
}

const LINE_BREAK = new RegExp(
  `\\r\\n|[\\n\\r\\v\\f${String.fromCharCode(0x1c, 0x1d, 0x1e)}\\x85\\u2028\\u2029]`,
  'g',
);

/** Python's `str.splitlines(keepends)`. */
export function pySplitlines(s: string, keepends = false): string[] {
  const out: string[] = [];
  let last = 0;
  LINE_BREAK.lastIndex = 0;
  for (let m = LINE_BREAK.exec(s); m !== null; m = LINE_BREAK.exec(s)) {
    out.push(s.slice(last, keepends ? m.index + m[0].length : m.index));
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push(s.slice(last));
  return out;
}

/** Python's `str.replace(old, new, count)`; an empty `old` inserts between code points. */
export function pyReplace(s: string, old: string, rep: string, count = -1): string {
  if (count === 0) return s;
  if (old === '') {
    const cps = Array.from(s);
    let out = '';
    let n = 0;
    for (let i = 0; i <= cps.length; i++) {
      if (count < 0 || n < count) {
        out += rep;
        n++;
      }
      if (i < cps.length) out += cps[i];
    }
    return out;
  }
  if (count < 0) return s.split(old).join(rep);
  let out = '';
  let rest = s;
  for (let n = 0; n < count; n++) {
    const i = rest.indexOf(old);
    if (i < 0) break;
    out += rest.slice(0, i) + rep;
    rest = rest.slice(i + old.length);
  }
  return out + rest;
}

/** Python's `str.expandtabs(tabsize)`. */
export function pyExpandtabs(s: string, tabsize = 8): string {
  let out = '';
  let col = 0;
  for (const ch of s) {
    if (ch === '\t') {
      const n = tabsize > 0 ? tabsize - (col % tabsize) : 0;
      out += ' '.repeat(n);
      col += n;
    } else {
      out += ch;
      col = ch === '\n' || ch === '\r' ? 0 : col + 1;
    }
  }
  return out;
}
