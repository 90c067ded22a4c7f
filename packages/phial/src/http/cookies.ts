import { Buffer } from 'node:buffer';
import { domainToASCII } from 'node:url';

/** Options of `response.setCookie` (Werkzeug's `set_cookie`, in camelCase; durations in seconds). */
export interface CookieOptions {
  /** Seconds until the cookie expires; also sets `Expires` when `expires` is not given (as Werkzeug does). */
  maxAge?: number | null;
  /** A Date, or seconds since the epoch. */
  expires?: Date | number | null;
  /** Defaults to `/`. */
  path?: string | null;
  domain?: string | null;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None' | 'strict' | 'lax' | 'none' | null;
  partitioned?: boolean;
}

// Path characters kept as they are (Werkzeug quotes the path with this safe set); the rest is %-encoded.
const PATH_SAFE = /^[A-Za-z0-9\-._~%!$&'()*+,/:=@]*$/;
const PATH_UNSAFE_CHAR = /[^A-Za-z0-9\-._~%!$&'()*+,/:=@]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a domain ends at the first control character
const DOMAIN_END = /[\x00-\x20;,]/;
/** RFC 6265 cookie-name: visible ASCII but separators `;`, `=` and space (what the `cookie` package checks). */
const COOKIE_NAME = /^[\u0021-\u003A\u003C\u003E-\u007E]+$/;
const SAME_SITE: Record<string, string | undefined> = { strict: 'Strict', lax: 'Lax', none: 'None' };
const DOMAIN_OK = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;

/**
 * The `Path` attribute, percent-encoded like Werkzeug's `dump_cookie`: CR, LF, `;` and anything else
 * outside the safe set cannot end the attribute, add one, or split the header.
 */
export function cookiePath(path: string): string {
  if (PATH_SAFE.test(path)) return path;
  return path.replace(PATH_UNSAFE_CHAR, (ch) => encodeURIComponent(ch).replace(/'/g, '%27'));
}

/**
 * The `Domain` attribute as Werkzeug writes it: cut at the first control character, space, `;` or `,`
 * (what follows cannot be part of a host name), without a port or leading dots (browsers ignore them),
 * IDNA-encoded. Undefined when nothing valid is left: the cookie is then host-only, the strictest
 * scope, instead of a 500 or an attribute an attacker chose.
 */
export function cookieDomain(domain: string): string | undefined {
  let d = domain;
  const end = d.search(DOMAIN_END);
  if (end !== -1) d = d.slice(0, end);
  const colon = d.lastIndexOf(':');
  if (colon !== -1 && !d.includes(']')) d = d.slice(0, colon);
  d = d.replace(/^\.+/, '');
  if (d === '') return undefined;
  if (DOMAIN_OK.test(d)) return d;
  const ascii = domainToASCII(d);
  return ascii !== '' && DOMAIN_OK.test(ascii) ? ascii : undefined;
}

/**
 * Builds one `Set-Cookie` header value. The value is percent-encoded, so it can hold any text; `path`
 * and `domain` are made safe (see {@link cookiePath}, {@link cookieDomain}), so user text in them can
 * neither split the header nor fail the response.
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!COOKIE_NAME.test(name)) throw new TypeError(`argument name is invalid: ${name}`);
  let out = `${name}=${value ? encodeURIComponent(value) : ''}`;
  const maxAge = options.maxAge;
  if (maxAge !== undefined && maxAge !== null) {
    if (!Number.isFinite(maxAge)) throw new TypeError(`option maxAge is invalid: ${maxAge}`);
    out += `; Max-Age=${Math.trunc(maxAge)}`;
  }
  const domain = options.domain ? cookieDomain(options.domain) : undefined;
  if (domain !== undefined) out += `; Domain=${domain}`;
  if (options.path !== null) out += `; Path=${cookiePath(options.path ?? '/')}`;
  let expires: Date | undefined;
  if (options.expires !== undefined && options.expires !== null) {
    expires = typeof options.expires === 'number' ? new Date(options.expires * 1000) : options.expires;
  } else if (maxAge !== undefined && maxAge !== null) {
    expires = new Date(Date.now() + maxAge * 1000);
  }
  if (expires !== undefined) {
    if (!Number.isFinite(expires.valueOf())) throw new TypeError(`option expires is invalid: ${expires}`);
    out += `; Expires=${expires.toUTCString()}`;
  }
  if (options.httpOnly) out += '; HttpOnly';
  if (options.secure) out += '; Secure';
  if (options.partitioned) out += '; Partitioned';
  if (options.sameSite) {
    const sameSite = SAME_SITE[options.sameSite.toLowerCase()];
    if (sameSite === undefined) throw new TypeError(`option sameSite is invalid: ${options.sameSite}`);
    out += `; SameSite=${sameSite}`;
  }
  return out;
}

/** Werkzeug's backslash escapes in a quoted value: `\\ooo` (octal, one byte) or `\\c` (the character). */
const UNSLASH = /\\([0-3][0-7]{2}|[^\n])/g;
const utf8 = new TextDecoder();

/** The inside of a quoted value, unescaped like Werkzeug (escapes give bytes, read as UTF-8). */
function unquote(inner: string): string {
  if (!inner.includes('\\')) return inner;
  // header text arrives as latin1 (one character per byte): the bytes are what the escapes complete
  let latin1 = true;
  for (let i = 0; i < inner.length; i++) {
    if (inner.charCodeAt(i) > 0xff) {
      latin1 = false;
      break;
    }
  }
  const bytes = Buffer.from(inner, latin1 ? 'latin1' : 'utf8').toString('latin1');
  const raw = bytes.replace(UNSLASH, (_, e: string) =>
    e.length === 3 ? String.fromCharCode(Number.parseInt(e, 8)) : e,
  );
  return utf8.decode(Buffer.from(raw, 'latin1'));
}

/** `%XX` escapes (what `serializeCookie` writes) decoded; text that is not valid stays as it is. */
function percentDecode(v: string): string {
  if (!v.includes('%')) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Parses a `Cookie` request header into a null-prototype record, like Werkzeug's `parse_cookie`: pairs
 * split on `;` (a quoted value may hold one), a value in double quotes is unquoted with its backslash
 * escapes, a pair without a name is dropped, the first of two same-named cookies wins. Unquoted values
 * are percent-decoded (the encoding `serializeCookie` uses).
 */
export function parseCookies(header: string | null | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (!header) return out;
  const s = header;
  const n = s.length;
  let pos = 0;
  while (pos < n) {
    let i = pos;
    while (i < n && s.charCodeAt(i) !== 61 /* = */ && s.charCodeAt(i) !== 59 /* ; */) i++;
    const name = s.slice(pos, i).trim();
    let value = '';
    let next: number;
    if (i < n && s.charCodeAt(i) === 61) {
      let j = i + 1;
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      next = -1;
      if (s.charCodeAt(j) === 34 /* " */) {
        // a quoted string, taken whole when only spaces follow it before `;` or the end
        let k = j + 1;
        while (k < n) {
          const c = s.charCodeAt(k);
          if (c === 92 /* \ */ && k + 1 < n && s.charCodeAt(k + 1) !== 10) k += 2;
          else if (c === 34 || c === 92) break;
          else k++;
        }
        if (k < n && s.charCodeAt(k) === 34) {
          let after = k + 1;
          while (after < n && isSpace(s.charCodeAt(after))) after++;
          if (after === n || s.charCodeAt(after) === 59) {
            value = s.slice(j, k + 1);
            next = after + 1;
          }
        }
      }
      if (next === -1) {
        const semi = s.indexOf(';', j);
        const end = semi === -1 ? n : semi;
        value = s.slice(j, end).trim();
        next = end + 1;
      }
    } else {
      next = i + 1;
    }
    pos = next;
    if (name === '' || name in out) continue;
    if (value.length >= 2 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34) {
      out[name] = unquote(value.slice(1, -1));
    } else {
      out[name] = percentDecode(value);
    }
  }
  return out;
}
