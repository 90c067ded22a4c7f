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

/** Builds one `Set-Cookie` header value. The value is percent-encoded, so it can hold any text. */
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
    path: options.path === null ? undefined : (options.path ?? '/'),
    domain: options.domain ?? undefined,
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
