/**
 * Splits template source into tokens the way Jinja2's lexer does: data, tags with whitespace
 * control (`-`, `+`, trimBlocks, lstripBlocks), raw blocks, comments, and expression tokens.
 */
import { TemplateSyntaxError } from './errors.js';

/** Kinds of token the parser sees. */
export type TokenType =
  | 'data'
  | 'variable_begin'
  | 'variable_end'
  | 'block_begin'
  | 'block_end'
  | 'name'
  | 'integer'
  | 'float'
  | 'string'
  | 'operator'
  | 'eof';

/** One token with its line number; `value` is the decoded literal for strings and numbers. */
export interface Token {
  type: TokenType;
  value: string;
  lineno: number;
  /** For integer/float tokens: the numeric value. */
  num?: number;
  /** For float tokens: true (so the parser can make a Python float). */
}

/** Options that change how source is split. */
export interface LexerOptions {
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
  keepTrailingNewline?: boolean;
  /** Delimiters (Jinja's `block_start_string` & co); defaults `{% %}`, `{{ }}`, `{# #}`. */
  blockStartString?: string;
  blockEndString?: string;
  variableStartString?: string;
  variableEndString?: string;
  commentStartString?: string;
  commentEndString?: string;
  /** What newlines in the output become (default `\n`). */
  newlineSequence?: string;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const OPERATORS = [
  '//',
  '**',
  '==',
  '!=',
  '>=',
  '<=',
  '+',
  '-',
  '/',
  '*',
  '%',
  '~',
  '[',
  ']',
  '(',
  ')',
  '{',
  '}',
  '>',
  '<',
  '=',
  '.',
  ':',
  '|',
  ',',
  ';',
];
const NAME_RE = /[a-zA-Z_\u00c0-\uffff][a-zA-Z0-9_\u00c0-\uffff]*/y;
const FLOAT_RE = /(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?[eE][+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/y;
const INT_RE = /0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[0-9a-fA-F])+|[1-9](?:_?\d)*|0(?:_?0)*/y;
const STRING_RE = /'([^'\\]*(?:\\[\s\S][^'\\]*)*)'|"([^"\\]*(?:\\[\s\S][^"\\]*)*)"/y;
const WS_RE = /[ \t\n\r\f\v]+/y;

/** Decodes Python string escapes (unknown escapes are kept, like Python). */
function unescapeString(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(
    /\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[0-7]{1,3}|[\s\S])/g,
    (m, e: string) => {
      switch (e[0]) {
        case 'n':
          return '\n';
        case 't':
          return '\t';
        case 'r':
          return '\r';
        case '\\':
          return '\\';
        case "'":
          return "'";
        case '"':
          return '"';
        case 'a':
          return '\x07';
        case 'b':
          return '\b';
        case 'f':
          return '\f';
        case 'v':
          return '\v';
        case '\n':
          return '';
        case 'x':
        case 'u':
        case 'U':
          return String.fromCodePoint(parseInt(e.slice(1), 16));
      }
      if (/^[0-7]/.test(e)) return String.fromCodePoint(parseInt(e, 8));
      return m;
    },
  );
}

function isSpaceOnly(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 12 && c !== 11 && c !== 13) return false;
  }
  return true;
}

function rstripWs(s: string): string {
  return s.replace(/\s+$/, '');
}

/** Turns source text into tokens; throws TemplateSyntaxError for unclosed tags, comments and raw blocks. */
export function tokenize(
  input: string,
  opts: LexerOptions = {},
  name: string | null = null,
  filename: string | null = null,
): Token[] {
  const BS = opts.blockStartString ?? '{%';
  const BE = opts.blockEndString ?? '%}';
  const VS = opts.variableStartString ?? '{{';
  const VE = opts.variableEndString ?? '}}';
  const CS = opts.commentStartString ?? '{#';
  const CE = opts.commentEndString ?? '#}';
  // longer delimiters win when one is a prefix of another (as in Jinja's sorted regex)
  const starts = (
    [
      [BS, '%'],
      [VS, '{'],
      [CS, '#'],
    ] as [string, string][]
  ).sort((a, b) => b[0].length - a[0].length);
  let src = input.replace(/\r\n?/g, '\n');
  if (!opts.keepTrailingNewline && src.endsWith('\n')) src = src.slice(0, -1);
  const nextAt = starts.map(() => -2);
  const tokens: Token[] = [];
  let pos = 0;
  let lineStarting = true;
  let lcPos = 0;
  let lcLine = 1;
  // line number at a source position (positions only move forward)
  const lineAt = (p: number): number => {
    for (let i = src.indexOf('\n', lcPos); i !== -1 && i < p; i = src.indexOf('\n', i + 1)) lcLine++;
    lcPos = Math.max(lcPos, p);
    return lcLine;
  };
  const n = src.length;
  const fail = (msg: string, line?: number): never => {
    throw new TemplateSyntaxError(msg, line ?? lineAt(pos), name, filename);
  };
  const pushData = (text: string, at: number): void => {
    if (text) tokens.push({ type: 'data', value: text, lineno: lineAt(at) });
  };
  // After a tag end: skip whitespace for '-', or one newline for trimBlocks.
  const afterEnd = (endPos: number, minus: boolean, plus: boolean, isBlock: boolean): number => {
    let p = endPos;
    if (minus) {
      while (p < n && /\s/.test(src[p]!)) p++;
    } else if (isBlock && opts.trimBlocks && !plus && src[p] === '\n') {
      p++;
    }
    lineStarting = p > 0 && src[p - 1] === '\n';
    return p;
  };

  while (pos < n) {
    // find the next tag start
    let idx = -1;
    let kind = '';
    let startLen = 0;
    for (let j = 0; j < starts.length; j++) {
      const [str, k] = starts[j]!;
      // cached: only search again once the cursor has passed the last hit
      let i = nextAt[j]!;
      if (i !== -1 && i < pos) i = nextAt[j] = src.indexOf(str, pos);
      if (i !== -1 && (idx === -1 || i < idx)) {
        idx = i;
        kind = k;
        startLen = str.length;
      }
    }
    if (idx === -1) {
      pushData(src.slice(pos), pos);
      break;
    }
    let text = src.slice(pos, idx);
    const sign = src[idx + startLen];
    const tagStart = idx + startLen + (sign === '-' || sign === '+' ? 1 : 0);
    if (sign === '-') {
      text = rstripWs(text);
    } else if (sign !== '+' && opts.lstripBlocks && kind !== '{') {
      const l = text.lastIndexOf('\n') + 1;
      if ((l > 0 || lineStarting) && isSpaceOnly(text, l)) text = text.slice(0, l);
    }
    pushData(text, pos);

    if (kind === '#') {
      const close = findCommentEnd(src, tagStart, CE);
      if (close === -1) fail('Missing end of comment tag', lineAt(idx));
      const [endIdx, endLen, minus, plus] = close as [number, number, boolean, boolean];
      pos = afterEnd(endIdx + endLen, minus, plus, true);
      continue;
    }

    // raw block?
    if (kind === '%') {
      const m = new RegExp(`\\s*raw\\s*(-|\\+)?${escapeRe(BE)}`, 'y');
      m.lastIndex = tagStart;
      const rm = m.exec(src);
      if (rm) {
        const startLine = lineAt(idx);
        let p = afterEnd(m.lastIndex, rm[1] === '-', rm[1] === '+', false);
        const endRe = new RegExp(`${escapeRe(BS)}([-+]?)\\s*endraw\\s*([-+]?)${escapeRe(BE)}`, 'g');
        endRe.lastIndex = p;
        const em = endRe.exec(src);
        if (!em) fail('Missing end of raw directive', startLine);
        let body = src.slice(p, em!.index);
        if (em![1] === '-') body = rstripWs(body);
        else if (em![1] !== '+' && opts.lstripBlocks) {
          const l = body.lastIndexOf('\n') + 1;
          if (isSpaceOnly(body, l)) body = body.slice(0, l);
        }
        if (body) tokens.push({ type: 'data', value: body, lineno: lineAt(p) });
        p = em!.index + em![0].length;
        pos = afterEnd(p, em![2] === '-', em![2] === '+', true);
        continue;
      }
    }

    const isBlock = kind === '%';
    tokens.push({ type: isBlock ? 'block_begin' : 'variable_begin', value: '', lineno: lineAt(idx) });
    pos = tagStart;
    const depth: string[] = [];
    let closed = false;
    while (pos < n) {
      WS_RE.lastIndex = pos;
      const ws = WS_RE.exec(src);
      if (ws) {
        pos = WS_RE.lastIndex;
        if (pos >= n) break;
      }
      const ch = src[pos]!;
      // end of tag (only outside brackets)
      if (depth.length === 0) {
        const endStr = isBlock ? BE : VE;
        let minus = false;
        let plus = false;
        let p = pos;
        if ((ch === '-' || ch === '+') && src.startsWith(endStr, p + 1)) {
          minus = ch === '-';
          plus = ch === '+';
          p++;
        }
        if (src.startsWith(endStr, p)) {
          tokens.push({ type: isBlock ? 'block_end' : 'variable_end', value: '', lineno: lineAt(pos) });
          pos = afterEnd(p + endStr.length, minus, plus, isBlock);
          closed = true;
          break;
        }
      }
      if (ch === "'" || ch === '"') {
        STRING_RE.lastIndex = pos;
        const m = STRING_RE.exec(src);
        if (!m) fail('unexpected char ' + JSON.stringify(ch) + ` at ${pos}`);
        tokens.push({ type: 'string', value: unescapeString(m![1] ?? m![2] ?? ''), lineno: lineAt(pos) });
        pos = STRING_RE.lastIndex;
        continue;
      }
      if (ch >= '0' && ch <= '9') {
        FLOAT_RE.lastIndex = pos;
        const fm = FLOAT_RE.exec(src);
        if (fm) {
          tokens.push({
            type: 'float',
            value: fm[0],
            lineno: lineAt(pos),
            num: Number(fm[0].replace(/_/g, '')),
          });
          pos = FLOAT_RE.lastIndex;
          continue;
        }
        INT_RE.lastIndex = pos;
        const im = INT_RE.exec(src)!;
        const t = im[0].replace(/_/g, '').toLowerCase();
        let num: number;
        if (t.startsWith('0b')) num = parseInt(t.slice(2), 2);
        else if (t.startsWith('0o')) num = parseInt(t.slice(2), 8);
        else if (t.startsWith('0x')) num = parseInt(t.slice(2), 16);
        else num = Number(t);
        tokens.push({ type: 'integer', value: im[0], lineno: lineAt(pos), num });
        pos = INT_RE.lastIndex;
        continue;
      }
      NAME_RE.lastIndex = pos;
      const nm = NAME_RE.exec(src);
      if (nm) {
        tokens.push({ type: 'name', value: nm[0], lineno: lineAt(pos) });
        pos = NAME_RE.lastIndex;
        continue;
      }
      let op: string | undefined;
      for (const o of OPERATORS) {
        if (src.startsWith(o, pos)) {
          op = o;
          break;
        }
      }
      if (!op) fail(`unexpected char ${JSON.stringify(ch)} at ${pos}`);
      if (op === '(' || op === '[' || op === '{') depth.push(op);
      else if (op === ')' || op === ']' || op === '}') {
        const expected = op === ')' ? '(' : op === ']' ? '[' : '{';
        if (depth.length === 0) fail(`unexpected '${op}'`);
        const top = depth.pop();
        if (top !== expected) {
          fail(`unexpected '${op}', expected '${top === '(' ? ')' : top === '[' ? ']' : '}'}'`);
        }
      }
      tokens.push({ type: 'operator', value: op!, lineno: lineAt(pos) });
      pos += op!.length;
    }
    if (!closed)
      fail('unexpected end of template, expected end of ' + (isBlock ? 'block' : 'print') + ' statement');
  }
  tokens.push({ type: 'eof', value: '', lineno: lineAt(n) });
  const nl = opts.newlineSequence;
  if (nl !== undefined && nl !== '\n') {
    for (const t of tokens)
      if (t.type === 'data' || t.type === 'string') t.value = t.value.replace(/\n/g, nl);
  }
  return tokens;
}

function findCommentEnd(src: string, from: number, end: string): [number, number, boolean, boolean] | -1 {
  const i = src.indexOf(end, from);
  if (i === -1) return -1;
  const prev = src[i - 1];
  if ((prev === '-' || prev === '+') && i - 1 >= from)
    return [i - 1, end.length + 1, prev === '-', prev === '+'];
  return [i, end.length, false, false];
}
