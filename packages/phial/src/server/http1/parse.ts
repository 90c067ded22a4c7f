/**
 * Strict HTTP/1.x request-head parsing (request line and header lines, each ended by CRLF) in one pass
 * over the bytes. Returns 0 or the status of the error to answer; nothing here throws.
 */
import { Buffer } from 'node:buffer';
import { EXPECT_CONTINUE, EXPECT_OTHER, type Http1Request } from './request.js';

/** RFC 9110 token characters. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TOKEN[c.charCodeAt(0)] = 1;
}

/** Duplicates of these keep the first value (node's rule). */
const SINGLETONS = new Set([
  'content-type',
  'content-length',
  'user-agent',
  'referer',
  'host',
  'authorization',
  'proxy-authorization',
  'if-modified-since',
  'if-unmodified-since',
  'from',
  'location',
  'max-forwards',
  'retry-after',
  'etag',
  'last-modified',
  'server',
  'age',
  'expires',
]);

/**
 * Anything that cannot appear in a head: CTLs except HTAB, CR not followed by LF, LF not preceded by CR,
 * obs-fold (a line starting with SP/HTAB).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const BAD_HEAD_FROM = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|(?<!\r)\n|\n[ \t]/g;

/**
 * True when `s` holds something a head may never contain at or after index `from` (the characters before
 * it only serve as context: a partial head is checked piece by piece as it arrives).
 */
export function hasBadHeadChars(s: string, from = 0): boolean {
  BAD_HEAD_FROM.lastIndex = from;
  return BAD_HEAD_FROM.test(s);
}

const ABSOLUTE_FORM = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]/;
const AUTHORITY_FORM = /^[^/?#@]+:\d+$/;

/**
 * RFC 9112 §3.2 for a target not in origin-form (`/path`): absolute-form (`http://host/...`),
 * authority-form for CONNECT, `*` for OPTIONS. Anything else (`admin`, `./x`) is refused: a proxy may
 * apply path rules to `/admin` and let `admin` through.
 */
function validForm(method: string, url: string): boolean {
  if (method === 'CONNECT') return AUTHORITY_FORM.test(url);
  if (url === '*') return method === 'OPTIONS';
  return ABSOLUTE_FORM.test(url);
}

const AUTHORITY_OF = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/;

/**
 * The host of an absolute-form target (`http://a.example:8080/x` → `a.example:8080`, userinfo dropped),
 * or null for any other form. A server must use it instead of the Host header (RFC 9112 §3.2.2).
 */
export function absoluteFormHost(url: string): string | null {
  const m = AUTHORITY_OF.exec(url);
  if (m === null) return null;
  const authority = m[1] as string;
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return host === '' ? null : host;
}

/** Digits only, at most 15 (below 2^53): the value, else -1. */
function parseLength(v: string): number {
  const n = v.length;
  if (n === 0 || n > 15) return -1;
  let x = 0;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    x = x * 10 + c;
  }
  return x;
}

function hasToken(list: string, token: string): boolean {
  const parts = list.split(',');
  for (let i = 0; i < parts.length; i++) {
    if ((parts[i] as string).trim().toLowerCase() === token) return true;
  }
  return false;
}

/** Raw header name → its lower-case form (bounded). */
const names = new Map<string, string>();
const MAX_NAMES = 512;

function lowerName(raw: string): string {
  const known = names.get(raw);
  if (known !== undefined) return known;
  const lower = raw.toLowerCase();
  if (names.size < MAX_NAMES) names.set(raw, lower);
  return lower;
}

/**
 * Well-known names by a hash of their lower-case form: the name loop computes the hash while it checks
 * the token characters, so a known name costs no slice and no lookup by string.
 */
const KNOWN = new Array<string | undefined>(1024).fill(undefined);
const KNOWN_BYTES = new Array<Uint8Array>(1024).fill(new Uint8Array(0));

/** Hash step on a lower-cased character (`| 0x20` lower-cases letters and keeps '-' and digits). */
function hashName(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + (name.charCodeAt(i) | 0x20)) | 0;
  return h & 1023;
}

for (const n of [
  'host',
  'user-agent',
  'accept',
  'accept-encoding',
  'accept-language',
  'connection',
  'content-type',
  'content-length',
  'transfer-encoding',
  'cookie',
  'authorization',
  'referer',
  'origin',
  'cache-control',
  'expect',
  'upgrade',
  'pragma',
  'if-none-match',
  'if-modified-since',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-requested-with',
  'sec-fetch-mode',
  'sec-fetch-site',
  'sec-fetch-dest',
]) {
  const h = hashName(n);
  if (KNOWN[h] === undefined) {
    KNOWN[h] = n;
    KNOWN_BYTES[h] = Buffer.from(n, 'latin1');
  }
}

/** The lower-case name at `s[from, to)` (token characters already checked), `hash` from the name loop. */
function nameAt(s: string, b: Uint8Array, base: number, from: number, to: number, hash: number): string {
  const kb = KNOWN_BYTES[hash & 1023] as Uint8Array;
  const n = kb.length;
  if (n === to - from && n !== 0) {
    let k = 0;
    const at = base + from;
    // `| 0x20` matches letters in either case; on token characters it maps nothing else onto a-z or '-'
    while (k < n && ((b[at + k] as number) | 0x20) === kb[k]) k++;
    if (k === n) return KNOWN[hash & 1023] as string;
  }
  return lowerName(s.slice(from, to));
}

/**
 * Parses a head into `r`: `len` bytes of `b` from `base` (everything before the blank line, the last
 * header's CRLF included); `s` is the same bytes as a latin1 string (`s[i]` is `b[base + i]`), where the
 * pieces are cut from. Returns 0, or 400 / 501 / 505 for a head that must be refused. One pass over the
 * bytes (faster than charCodeAt): token names, visible ASCII targets, no CTL (but HTAB) in values, every
 * line ended by CRLF (no bare CR/LF).
 */
export function parseHead(s: string, b: Uint8Array, base: number, len: number, r: Http1Request): number {
  // method: upper-case letters, '-' or '_'
  let i = 0;
  let c = 0;
  for (; i < len; i++) {
    c = b[base + i] as number;
    if (!((c >= 65 && c <= 90) || c === 45 || c === 95)) break;
  }
  if (i === 0 || c !== 32) return 400;
  const sp1 = i;
  const method =
    sp1 === 3 && b[base] === 71 && b[base + 1] === 69 && b[base + 2] === 84
      ? 'GET'
      : sp1 === 4 && b[base] === 80 && b[base + 1] === 79 && b[base + 2] === 83 && b[base + 3] === 84
        ? 'POST'
        : s.slice(0, sp1);
  // target: visible ASCII
  for (i = sp1 + 1; i < len; i++) {
    c = b[base + i] as number;
    if (c <= 32 || c >= 127) break;
  }
  if (i === sp1 + 1 || c !== 32) return 400;
  const sp2 = i;
  const url = s.slice(sp1 + 1, sp2);
  if (b[base + sp1 + 1] !== 47 /* / */ && !validForm(method, url)) return 400;
  // version, then CRLF
  let v11: boolean;
  const v = base + sp2;
  if (
    b[v + 1] === 72 &&
    b[v + 2] === 84 &&
    b[v + 3] === 84 &&
    b[v + 4] === 80 &&
    b[v + 5] === 47 &&
    b[v + 6] === 49 &&
    b[v + 7] === 46 &&
    b[v + 9] === 13 &&
    b[v + 10] === 10
  ) {
    const minor = b[v + 8] as number;
    if (minor === 49) v11 = true;
    else if (minor === 48) v11 = false;
    else if (minor >= 48 && minor <= 57) return 505;
    else return 400;
  } else {
    const lf = s.indexOf('\n', sp2);
    if (lf === -1 || lf > len) return 400;
    return /^HTTP\/\d\.\d\r$/.test(s.slice(sp2 + 1, lf)) ? 505 : 400;
  }
  r.method = method;
  r.url = url;
  if (!v11) r.httpVersion = '1.0';
  const h = r.headers;
  let hosts = 0;
  let close = false;
  let keepAlive = false;
  let upgrade = false;
  let te: string | undefined;
  let expect: string | undefined;
  let pos = sp2 + 11;
  while (pos < len) {
    // name: token characters up to ':'
    let hash = 0;
    for (i = pos; i < len; i++) {
      c = b[base + i] as number;
      if (TOKEN[c] !== 1) break;
      hash = (Math.imul(hash, 31) + (c | 0x20)) | 0;
    }
    if (i === pos || c !== 58 /* : */) return 400;
    const name = nameAt(s, b, base, pos, i, hash);
    // value: OWS, then no CTL but HTAB up to CRLF
    i++;
    for (; i < len; i++) {
      c = b[base + i] as number;
      if (c !== 32 && c !== 9) break;
    }
    const vs = i;
    for (; i < len; i++) {
      c = b[base + i] as number;
      if ((c < 32 && c !== 9) || c === 127) break;
    }
    if (c !== 13 || b[base + i + 1] !== 10) return 400;
    let ve = i;
    while (ve > vs) {
      c = b[base + ve - 1] as number;
      if (c !== 32 && c !== 9) break;
      ve--;
    }
    const value = s.slice(vs, ve);
    pos = i + 2;
    switch (name) {
      case 'host':
        hosts++;
        break;
      case 'content-length': {
        const n = parseLength(value);
        if (n === -1 || (r.contentLength !== -1 && r.contentLength !== n)) return 400;
        r.contentLength = n;
        break;
      }
      case 'transfer-encoding':
        te = te === undefined ? value : `${te}, ${value}`;
        break;
      case 'connection': {
        const lv = value.toLowerCase();
        if (lv === 'close') close = true;
        else if (lv === 'keep-alive') keepAlive = true;
        else if (lv === 'upgrade') upgrade = true;
        else {
          if (hasToken(lv, 'close')) close = true;
          if (hasToken(lv, 'keep-alive')) keepAlive = true;
          if (hasToken(lv, 'upgrade')) upgrade = true;
        }
        break;
      }
      case 'expect':
        expect = expect === undefined ? value : `${expect}, ${value}`;
        break;
      case '__proto__':
        continue;
    }
    const prev = h[name];
    if (prev === undefined || typeof prev === 'function') {
      h[name] = name === 'set-cookie' ? [value] : value;
    } else if (name === 'set-cookie') {
      (prev as string[]).push(value);
    } else if (name === 'cookie') {
      h[name] = `${prev as string}; ${value}`;
    } else if (!SINGLETONS.has(name)) {
      h[name] = `${prev as string}, ${value}`;
    }
  }
  if (hosts > 1 || (hosts === 0 && v11)) return 400;
  if (b[base + sp1 + 1] !== 47 /* / */ && method !== 'CONNECT') {
    // absolute-form: the target's authority wins over Host (RFC 9112 §3.2.2), as in Werkzeug
    const host = absoluteFormHost(url);
    if (host !== null) h.host = host;
  }
  if (te !== undefined) {
    if (r.contentLength !== -1) return 400;
    if (te.toLowerCase() !== 'chunked') return 501;
    r.chunked = true;
    // chunked framing is not HTTP/1.0: answer, then close rather than trust what follows
    if (!v11) close = true;
  }
  r.keepAlive = v11 ? !close : keepAlive && !close;
  // like node: a switch needs both headers (and no body framing to read first)
  r.upgrade = upgrade && h.upgrade !== undefined && te === undefined && r.contentLength <= 0;
  if (expect !== undefined && v11) {
    r.expect = expect.toLowerCase() === '100-continue' ? EXPECT_CONTINUE : EXPECT_OTHER;
  }
  return 0;
}
