import { domainToASCII } from 'node:url';
import { parseCookie, stringifySetCookie } from 'cookie';

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
const DOMAIN_OK = /^\.?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * The `Path` attribute, percent-encoded like Werkzeug's `dump_cookie`: CR, LF, `;` and anything else
 * outside the safe set cannot end the attribute, add one, or split the header.
 */
export function cookiePath(path: string): string {
  if (PATH_SAFE.test(path)) return path;
  return path.replace(PATH_UNSAFE_CHAR, (ch) => encodeURIComponent(ch).replace(/'/g, '%27'));
}

/**
 * The `Domain` attribute: cut at the first control character, space, `;` or `,` (what follows cannot be
 * part of a host name), without a port, IDNA-encoded. Undefined when nothing valid is left: the cookie
 * is then host-only, the strictest scope, instead of a 500 or an attribute an attacker chose.
 */
export function cookieDomain(domain: string): string | undefined {
  let d = domain;
  const end = d.search(DOMAIN_END);
  if (end !== -1) d = d.slice(0, end);
  const colon = d.lastIndexOf(':');
  if (colon !== -1 && !d.includes(']')) d = d.slice(0, colon);
  if (d === '') return undefined;
  if (DOMAIN_OK.test(d)) return d;
  const dot = d.startsWith('.') ? '.' : '';
  const ascii = domainToASCII(dot ? d.slice(1) : d);
  return ascii !== '' && DOMAIN_OK.test(ascii) ? dot + ascii : undefined;
}

/**
 * Builds one `Set-Cookie` header value. The value is percent-encoded, so it can hold any text; `path`
 * and `domain` are made safe (see {@link cookiePath}, {@link cookieDomain}), so user text in them can
 * neither split the header nor fail the response.
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  let expires: Date | undefined;
  if (options.expires !== undefined && options.expires !== null) {
    expires = typeof options.expires === 'number' ? new Date(options.expires * 1000) : options.expires;
  } else if (options.maxAge !== undefined && options.maxAge !== null) {
    expires = new Date(Date.now() + options.maxAge * 1000);
  }
  const sameSite = options.sameSite
    ? (options.sameSite.toLowerCase() as 'strict' | 'lax' | 'none')
    : undefined;
  return stringifySetCookie(name, value, {
    maxAge: options.maxAge === null || options.maxAge === undefined ? undefined : Math.trunc(options.maxAge),
    expires,
    path: options.path === null ? undefined : cookiePath(options.path ?? '/'),
    domain: options.domain ? cookieDomain(options.domain) : undefined,
    secure: options.secure || undefined,
    httpOnly: options.httpOnly || undefined,
    sameSite,
    partitioned: options.partitioned || undefined,
  });
}

/** Parses a `Cookie` request header into a null-prototype record; values are percent-decoded. */
export function parseCookies(header: string | null | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (!header) return out;
  const parsed = parseCookie(header);
  for (const k in parsed) {
    const v = parsed[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
