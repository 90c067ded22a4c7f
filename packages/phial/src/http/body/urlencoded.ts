import { MultiDict } from '../datastructures/multidict.js';
import { RequestEntityTooLarge } from '../exceptions.js';
import type { BodyLimits } from './limits.js';

const lenientUtf8 = new TextDecoder('utf-8');

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function pctByte(b: number): string {
  return `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** UTF-8 decoding where each byte of an invalid sequence stays visible as `%XX` (Werkzeug's
 *  `werkzeug.url_quote` error handler) instead of becoming U+FFFD. */
function decodeUtf8Quoting(bytes: number[]): string {
  let out = '';
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b0 = bytes[i] as number;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
      continue;
    }
    let need = 0;
    let cp = 0;
    let min = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      need = 1;
      cp = b0 & 0x1f;
      min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      cp = b0 & 0x0f;
      min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3;
      cp = b0 & 0x07;
      min = 0x10000;
    }
    let ok = need > 0 && i + need < n;
    if (ok) {
      for (let k = 1; k <= need; k++) {
        const b = bytes[i + k];
        if (b === undefined || (b & 0xc0) !== 0x80) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (b & 0x3f);
      }
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (ok) {
      out += String.fromCodePoint(cp);
      i += need + 1;
    } else {
      out += pctByte(b0);
      i++;
    }
  }
  return out;
}

/** Percent-decoding that never fails: `+` is a space, a `%` not followed by two hex digits stays as is,
 *  and bytes that are not UTF-8 come back as `%XX`. */
function decodeComponent(s: string): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 || c === 0x2b) {
      plain = false;
      break;
    }
  }
  if (plain) return s;
  const spaced = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  try {
    return decodeURIComponent(spaced);
  } catch {
    // malformed escapes or non-UTF-8 bytes: decode by hand
  }
  const bytes: number[] = [];
  for (let i = 0; i < spaced.length; i++) {
    const c = spaced.charCodeAt(i);
    if (c === 0x25 && i + 2 < spaced.length) {
      const h = hexValue(spaced.charCodeAt(i + 1));
      const l = hexValue(spaced.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        bytes.push((h << 4) | l);
        i += 2;
        continue;
      }
    }
    if (c < 0x80) {
      bytes.push(c);
    } else {
      // a non-ASCII character written as is: keep its UTF-8 bytes (surrogate pairs together)
      const cp = spaced.codePointAt(i) as number;
      if (cp > 0xffff) i++;
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
    }
  }
  return decodeUtf8Quoting(bytes);
}

/**
 * Parses an `application/x-www-form-urlencoded` body or query string the way Werkzeug does: fields split on
 * `&`, blank values kept (`a` and `a=` give `''`), empty fields skipped, `+` is a space, bad escapes
 * tolerated. No bracket nesting (`a[b]=1` is the key `a[b]`) and `__proto__` is an ordinary key.
 * With limits: more fields than `maxFormParts` or a body over `maxFormMemorySize` throw
 * RequestEntityTooLarge (413).
 */
export function parseUrlEncoded(data: Uint8Array | string, limits?: Partial<BodyLimits>): MultiDict<string> {
  const maxMemory = limits?.maxFormMemorySize ?? null;
  const maxParts = limits?.maxFormParts ?? null;
  if (maxMemory !== null) {
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    if (size > maxMemory) throw new RequestEntityTooLarge('The form data is larger than the limit.');
  }
  const text = typeof data === 'string' ? data : lenientUtf8.decode(data);
  const result = new MultiDict<string>();
  if (text.length === 0) return result;
  let parts = 0;
  let start = 0;
  const n = text.length;
  while (start <= n) {
    let end = text.indexOf('&', start);
    if (end < 0) end = n;
    if (end > start) {
      if (maxParts !== null && ++parts > maxParts) {
        throw new RequestEntityTooLarge('The form has more fields than the limit.');
      }
      const eq = text.indexOf('=', start);
      if (eq < 0 || eq >= end) {
        result.add(decodeComponent(text.slice(start, end)), '');
      } else {
        result.add(decodeComponent(text.slice(start, eq)), decodeComponent(text.slice(eq + 1, end)));
      }
    }
    start = end + 1;
  }
  return result;
}
