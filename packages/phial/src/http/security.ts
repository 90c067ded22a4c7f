/**
 * Header safety: nothing Phial writes can split a header or make node:http throw.
 *
 * node:http rejects header values containing characters outside `\t`, `\x20-\x7e`, `\x80-\xff` and names
 * that are not RFC 7230 tokens. Rather than let a user value turn into a 500 (or, worse, a response
 * split), values are cleaned on the way in.
 */

// Anything that is not tab or printable ASCII needs a closer look (cheap test on the hot path).
const NEEDS_CLEANING = /[^\t\x20-\x7e]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]+/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const ABOVE_LATIN1 = /[^\x00-\xff]/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Returns a header value that node:http accepts and that cannot inject a header: CR, LF, NUL and other
 * control characters become a space; characters above U+00FF are written as their UTF-8 bytes.
 */
export function safeHeaderValue(value: string): string {
  if (!NEEDS_CLEANING.test(value)) return value;
  let v = value.replace(CONTROL, ' ');
  if (ABOVE_LATIN1.test(v)) v = Buffer.from(v, 'utf8').toString('latin1');
  return v;
}

/** Names already checked (a handful in practice; bounded). */
const validNames = new Set<string>();

/** Throws a clear TypeError (a developer mistake, raised where the header is set) for an invalid header name. */
export function checkHeaderName(name: string): string {
  if (validNames.has(name)) return name;
  if (TOKEN.test(name)) {
    if (validNames.size < 512) validNames.add(name);
  } else {
    throw new TypeError(`Invalid header name: ${JSON.stringify(name)}`);
  }
  return name;
}

// Characters left as they are in a Location: RFC 3986 reserved + unreserved, and '%' (already encoded).
const URL_SAFE = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;

/**
 * Makes a redirect target safe to put in `Location`, like Werkzeug's `iri_to_uri`: spaces, control
 * characters, quotes and non-ASCII are percent-encoded (UTF-8); everything else is kept.
 */
export function safeLocation(location: string): string {
  if (URL_SAFE.test(location)) return location;
  let out = '';
  for (const ch of location) {
    if (URL_SAFE.test(ch)) out += ch;
    else {
      for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** Escapes text for HTML bodies that Phial generates itself (error pages, redirect pages). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&#34;' : '&#39;',
  );
}
