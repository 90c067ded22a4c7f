/**
 * Percent-encoding helpers with Python's `urllib.parse.quote` semantics, so built URLs are byte for byte
 * the ones Werkzeug builds.
 */

const PLAIN = /^[A-Za-z0-9_.\-~]*$/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function encodeComponent(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    // lone surrogates: Python would refuse too, but a URL builder must not crash a template
    return encodeURIComponent(s.replace(LONE_SURROGATE, '\uFFFD'));
  }
}

/** Characters `encodeURIComponent` escapes but a path segment may keep (WHATWG path-segment set). */
const PATH_UNESCAPE = /%(?:24|26|2B|2C|2F|3A|3B|3D|40)/g;
const PATH_CHARS: Record<string, string> = {
  '%24': '$',
  '%26': '&',
  '%2B': '+',
  '%2C': ',',
  '%2F': '/',
  '%3A': ':',
  '%3B': ';',
  '%3D': '=',
  '%40': '@',
};

/** Quotes a URL path the way Werkzeug does (`quote(s, safe="!$&'()*+,/:;=@")`): slashes stay. */
export function quotePath(s: string): string {
  if (PLAIN.test(s)) return s;
  return encodeComponent(s).replace(PATH_UNESCAPE, (m) => PATH_CHARS[m] as string);
}

const QUERY_UNESCAPE = /%(?:20|24|2C|2F|3A|3B|3F|40)/g;
const QUERY_CHARS: Record<string, string> = {
  '%20': '+',
  '%24': '$',
  '%2C': ',',
  '%2F': '/',
  '%3A': ':',
  '%3B': ';',
  '%3F': '?',
  '%40': '@',
};

/** Quotes a query key or value like Werkzeug's `_urlencode` (`quote_plus`, safe="!$'()*,/:;?@"). */
export function quoteQuery(s: string): string {
  if (PLAIN.test(s)) return s;
  return encodeComponent(s).replace(QUERY_UNESCAPE, (m) => QUERY_CHARS[m] as string);
}

const FRAGMENT_UNESCAPE = /%(?:23|24|25|26|2B|2C|2F|3A|3B|3D|3F|40)/g;

/** Quotes a URL fragment like Flask's `url_for(_anchor=)` (safe="%!#$&'()*+,/:;=?@"). */
export function quoteFragment(s: string): string {
  if (PLAIN.test(s)) return s;
  return encodeComponent(s).replace(FRAGMENT_UNESCAPE, (m) => decodeURIComponent(m));
}

/** Everything a URL may carry literally (unreserved, sub-delims, `:@/?%`). */
const URL_SAFE = /^[A-Za-z0-9_.\-~!$&'()*+,;=:@/?%]*$/;

/**
 * Encodes only characters that can never appear literally in a URL, leaving existing `%XX` escapes alone.
 * Applied to what custom converters' `toUrl` return, so a converter forgetting to quote cannot break a URL.
 */
export function quoteLoose(s: string): string {
  if (URL_SAFE.test(s)) return s;
  let out = '';
  for (const ch of s) out += URL_SAFE.test(ch) ? ch : encodeComponent(ch);
  return out;
}

function queryValue(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

/**
 * Encodes values as a query string. Arrays become repeated keys; `null`/`undefined` (also inside arrays)
 * are skipped, as Werkzeug skips `None`.
 */
export function urlEncode(values: Record<string, unknown>): string {
  let out = '';
  for (const key in values) {
    const v = values[key];
    if (v === null || v === undefined) continue;
    const k = quoteQuery(key);
    if (Array.isArray(v)) {
      for (const item of v) {
        if (item === null || item === undefined) continue;
        out += `${out ? '&' : ''}${k}=${quoteQuery(queryValue(item))}`;
      }
    } else {
      out += `${out ? '&' : ''}${k}=${quoteQuery(queryValue(v))}`;
    }
  }
  return out;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Percent-decodes a path as a WSGI server hands PATH_INFO to Werkzeug: `%2F` becomes `/`, invalid escapes
 * stay as they are, invalid UTF-8 becomes U+FFFD. Never throws.
 */
export function decodePathInfo(s: string): string {
  if (s.indexOf('%') === -1) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    const bytes: number[] = [];
    const enc = new TextEncoder();
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 37 && i + 2 < s.length && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
        bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (c < 128) {
        bytes.push(c);
      } else {
        const cp = s.codePointAt(i) as number;
        const ch = String.fromCodePoint(cp);
        for (const b of enc.encode(ch)) bytes.push(b);
        if (cp > 0xffff) i++;
      }
    }
    return utf8.decode(new Uint8Array(bytes));
  }
}
