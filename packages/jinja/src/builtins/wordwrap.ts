/**
 * Python's `textwrap.wrap` as Jinja's `wordwrap` filter calls it (no tab expansion, whitespace
 * kept, long words broken, hyphen-aware splitting), applied per paragraph line.
 */
import { PY_WS, pySplitlines } from './strings.js';

const BLANK = new RegExp(`^[${PY_WS}]*$`, 'u');

const WS = '[\\t\\n\\v\\f\\r ]';
const NWS = '[^\\t\\n\\v\\f\\r ]';
const WORD = '[\\p{L}\\p{N}_]';
const WP = '[\\p{L}\\p{N}_!"\'&.,?]';
const LT = '[\\p{L}_]';

// textwrap.TextWrapper.wordsep_re: whitespace runs, em-dashes between words, and words split after
// hyphens that join letters.
const WORDSEP_RE = new RegExp(
  `(${WS}+|(?<=${WP})-{2,}(?=${WORD})|${NWS}+?(?:-(?:(?<=${LT}{2}-)|(?<=${LT}-${LT}-))(?=${LT}-?${LT})|(?=${WS}|$)|(?<=${WP})(?=-{2,}${WORD})))`,
  'u',
);
const WORDSEP_SIMPLE_RE = new RegExp(`(${WS}+)`, 'u');

function len(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function isBlank(s: string): boolean {
  return BLANK.test(s);
}

/** `textwrap.wrap` settings the wordwrap filter uses. */
export interface WrapOptions {
  width: number;
  breakLongWords: boolean;
  breakOnHyphens: boolean;
}

/** `textwrap.wrap(text, width, expand_tabs=False, replace_whitespace=False, ...)`. */
export function textWrap(text: string, opts: WrapOptions): string[] {
  const { width, breakLongWords, breakOnHyphens } = opts;
  if (width <= 0) {
    const e = new Error(`invalid width ${width} (must be > 0)`);
    e.name = 'ValueError';
    throw e;
  }
  const chunks = text.split(breakOnHyphens ? WORDSEP_RE : WORDSEP_SIMPLE_RE).filter((c) => c);
  chunks.reverse();
  const lines: string[] = [];
  while (chunks.length > 0) {
    const cur: string[] = [];
    let curLen = 0;
    if (lines.length > 0 && isBlank(chunks[chunks.length - 1]!)) chunks.pop();
    while (chunks.length > 0) {
      const l = len(chunks[chunks.length - 1]!);
      if (curLen + l <= width) {
        cur.push(chunks.pop()!);
        curLen += l;
      } else break;
    }
    if (chunks.length > 0 && len(chunks[chunks.length - 1]!) > width) {
      const spaceLeft = width < 1 ? 1 : width - curLen;
      if (breakLongWords) {
        const chunk = Array.from(chunks[chunks.length - 1]!);
        let end = spaceLeft;
        if (breakOnHyphens && chunk.length > spaceLeft) {
          const head = chunk.slice(0, spaceLeft);
          const hyphen = head.lastIndexOf('-');
          if (hyphen > 0 && chunk.slice(0, hyphen).some((c) => c !== '-')) end = hyphen + 1;
        }
        cur.push(chunk.slice(0, end).join(''));
        chunks[chunks.length - 1] = chunk.slice(end).join('');
      } else if (cur.length === 0) {
        cur.push(chunks.pop()!);
      }
      curLen = cur.reduce((n, c) => n + len(c), 0);
    }
    if (cur.length > 0 && isBlank(cur[cur.length - 1]!)) {
      curLen -= len(cur[cur.length - 1]!);
      cur.pop();
    }
    if (cur.length > 0) lines.push(cur.join(''));
  }
  return lines;
}

/** Jinja's `wordwrap`: wraps each existing line separately and joins with `wrapstring`. */
export function wordwrap(
  s: string,
  width: number,
  breakLongWords: boolean,
  wrapstring: string,
  breakOnHyphens: boolean,
): string {
  return pySplitlines(s)
    .map((line) => textWrap(line, { width, breakLongWords, breakOnHyphens }).join(wrapstring))
    .join(wrapstring);
}
