/**
 * Sending files (Werkzeug's `send_file`, `send_from_directory` and `safe_join`): mimetype, download names,
 * caching headers, conditional requests (304 / 412), byte ranges (206 / 416) and HEAD, with the body streamed
 * from disk and `Content-Length` set.
 *
 * Toolkit code: nothing here knows the app. The app layer (`app/files.ts`) passes the request, the root
 * path and SEND_FILE_MAX_AGE_DEFAULT.
 */
import type { Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import { Headers } from './datastructures/headers.js';
import { NotFound, RangeNotSatisfiable } from './exceptions.js';
import { nodeFs, nodeFsPromises } from './node-builtins.js';
import { contentTypeFor, Response, type ResponseBody } from './response.js';

type MimeTypes = typeof import('mime-types');
let mimeTypes: MimeTypes | null = null;

/** Guesses a mimetype from a file name; `mime-types` (18 ms to load) is loaded on the first file sent. */
function mimeLookup(name: string): string | false {
  mimeTypes ??= createRequire(import.meta.url)('mime-types') as MimeTypes;
  return mimeTypes.lookup(name);
}

/** What sendFile needs from the request: the method and the conditional / range headers. */
export interface SendFileRequest {
  readonly method: string;
  readonly headers: { get(name: string): string | null };
}

/** Options of {@link sendFile} (Werkzeug's `send_file` arguments, in camelCase). */
export interface SendFileOptions {
  /** The mimetype; guessed from `downloadName` (or the file name) when not given. */
  mimetype?: string | null;
  /** Send `Content-Disposition: attachment` so browsers save the file instead of showing it. */
  asAttachment?: boolean;
  /** The name the browser sees; defaults to the file's name. Non-ASCII names get RFC 5987 `filename*`. */
  downloadName?: string | null;
  /** Answer conditional (If-None-Match, If-Modified-Since, If-Match) and Range requests. Default true. */
  conditional?: boolean;
  /** `true` computes an ETag from mtime, size and path; a string is used as is; `false` sends none. Default true. */
  etag?: boolean | string;
  /** Overrides the file's modification time (a Date, seconds since the epoch, or an HTTP date). */
  lastModified?: Date | number | string | null;
  /** Seconds a client may cache the file (`Cache-Control: public, max-age`); null sends `no-cache`. */
  maxAge?: number | null | ((path: string | null) => number | null);
  /** The request being answered; without it no conditional or range handling happens. */
  request?: SendFileRequest | null;
  /** Relative paths are resolved against this directory (the app's root path). */
  root?: string | null;
}

/** What {@link sendFile} can send: a path, bytes in memory, or a stream of bytes (size unknown). */
export type FileSource = string | Uint8Array | AsyncIterable<Uint8Array>;

const WINDOWS_DEVICES = new Set([
  'CON',
  'PRN',
  'AUX',
  'NUL',
  'CONIN$',
  'CONOUT$',
  ...Array.from({ length: 10 }, (_, i) => `COM${i}`),
  ...Array.from({ length: 10 }, (_, i) => `LPT${i}`),
  'COM¹',
  'COM²',
  'COM³',
  'LPT¹',
  'LPT²',
  'LPT³',
]);
const ENCODED_SEPARATOR = /%(2e|2f|5c|00)/i;
const DRIVE = /^[a-zA-Z]:/;

/** True when one path segment is safe to serve. */
function safeSegment(segment: string): boolean {
  if (segment === '') return true; // "a//b": an empty segment adds nothing
  if (segment.charCodeAt(0) === 46 /* . */) return false; // "..", "." and every dotfile
  if (ENCODED_SEPARATOR.test(segment)) return false; // still-encoded dots, slashes, backslashes, NUL
  const stem = segment.split('.')[0]?.trim().toUpperCase() ?? '';
  if (WINDOWS_DEVICES.has(stem)) return false;
  if (process.platform === 'win32' && (segment.includes(':') || /[ .]$/.test(segment))) return false;
  return true;
}

/**
 * Joins untrusted path parts onto a trusted directory, or returns null when a part could escape it or name
 * something that must not be served: `..` anywhere, absolute paths, drive letters, backslashes, NUL,
 * still-encoded dots or slashes, Windows device names (CON, NUL, COM1, ...) and dotfiles (any segment
 * starting with '.').
 */
export function safeJoin(directory: string, ...paths: string[]): string | null {
  const base = directory === '' ? '.' : directory;
  const parts: string[] = [];
  for (const p of paths) {
    if (typeof p !== 'string') return null;
    if (p === '') continue;
    if (p.includes('\\') || p.includes('\0') || p.startsWith('/') || isAbsolute(p) || DRIVE.test(p))
      return null;
    for (const segment of p.split('/')) if (!safeSegment(segment)) return null;
    parts.push(p);
  }
  const joined = join(base, ...parts);
  // Belt and braces: the result must stay inside the directory.
  const root = resolve(base);
  const full = resolve(joined);
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  return joined;
}

/** Adler-32 of a string's UTF-8 bytes (what Werkzeug mixes into its ETags). */
function adler32(text: string): number {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function httpDate(seconds: number): string {
  return new Date(seconds * 1000).toUTCString();
}

function toSeconds(v: Date | number | string): number | null {
  const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v * 1000 : Date.parse(v);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

function parseHttpDate(v: string | null): number | null {
  if (!v) return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

function quoteEtag(etag: string): string {
  if (etag.startsWith('"') || etag.startsWith('W/"')) return etag;
  if (etag.includes('"')) throw new TypeError('An ETag must not contain a double quote');
  return `"${etag}"`;
}

/** The entity tags of an If-Match / If-None-Match header; `'*'` matches any. */
function parseEtags(header: string | null): { star: boolean; tags: { weak: boolean; tag: string }[] } | null {
  if (!header) return null;
  const tags: { weak: boolean; tag: string }[] = [];
  let star = false;
  for (const m of header.matchAll(/(W\/)?"([^"]*)"|(\*)|([^,\s"]+)/g)) {
    if (m[3]) star = true;
    else tags.push({ weak: Boolean(m[1]), tag: m[2] ?? m[4] ?? '' });
  }
  return { star, tags };
}

function unquoteEtag(etag: string): { weak: boolean; tag: string } {
  const weak = etag.startsWith('W/');
  const t = weak ? etag.slice(2) : etag;
  return { weak, tag: t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? t.slice(1, -1) : t };
}

/** Parses `bytes=a-b` into [start, endExclusive]; 'ignore' for multiple ranges or other units; null when malformed or unsatisfiable. */
function parseRange(header: string, size: number): [number, number] | 'ignore' | null {
  const eq = header.indexOf('=');
  if (eq < 0) return null;
  if (header.slice(0, eq).trim().toLowerCase() !== 'bytes') return 'ignore';
  const specs = header.slice(eq + 1).split(',');
  if (specs.length > 1) {
    // Multiple ranges would need multipart/byteranges: the full response is allowed (RFC 9110 14.2).
    for (const s of specs) if (!/^\s*(\d+-\d*|-\d+)\s*$/.test(s)) return null;
    return 'ignore';
  }
  const m = /^\s*(\d*)-(\d*)\s*$/.exec(specs[0] as string);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return null;
    return [Math.max(0, size - suffix), size];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size : Number(m[2]) + 1;
  if (end <= start || start >= size) return null;
  return [start, Math.min(end, size)];
}

/** `attachment; filename=...` (+ `filename*` for non-ASCII names), as Werkzeug writes it. */
export function contentDisposition(name: string, asAttachment: boolean): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we remove
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '');
  const kind = asAttachment ? 'attachment' : 'inline';
  if (/^[\u0020-\u007e]*$/.test(clean)) return `${kind}; filename=${quoteHeaderValue(clean)}`;
  const simple = clean.normalize('NFKD').replace(/[^\u0020-\u007e]/g, '');
  const quoted = encodeURIComponent(clean).replace(/[!'()*]/g, (c) =>
    '!'.includes(c) ? c : `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename=${quoteHeaderValue(simple)}; filename*=UTF-8''${quoted}`;
}

function quoteHeaderValue(v: string): string {
  if (v !== '' && /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(v)) return v;
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

async function* fileChunks(path: string, start: number, end: number): AsyncGenerator<Uint8Array> {
  if (end <= start) return;
  const stream = nodeFs().createReadStream(path, { start, end: end - 1, highWaterMark: 64 * 1024 });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } finally {
    stream.destroy();
  }
}

function isNotFound(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  // ERR_INVALID_ARG_VALUE: a NUL byte in the path, which no file can have.
  return (
    code === 'ENOENT' ||
    code === 'ENOTDIR' ||
    code === 'ENAMETOOLONG' ||
    code === 'EISDIR' ||
    code === 'ERR_INVALID_ARG_VALUE'
  );
}

/**
 * A response that sends a file (a path, bytes, or a byte stream). Answers 304/412 to conditional requests,
 * 206 to a single byte range (416 via {@link RangeNotSatisfiable} when it cannot be served; several ranges
 * get the full 200), and a body-less response to HEAD. A path that is missing or not a regular file is a
 * {@link NotFound}.
 */
export async function sendFile(source: FileSource, options: SendFileOptions = {}): Promise<Response> {
  let path: string | null = null;
  let stats: Stats | null = null;
  let size: number | null = null;
  if (typeof source === 'string') {
    path = options.root && !isAbsolute(source) ? join(options.root, source) : source;
    try {
      stats = await nodeFsPromises().stat(path);
    } catch (e) {
      if (isNotFound(e)) throw new NotFound();
      throw e;
    }
    if (!stats.isFile()) throw new NotFound();
    size = stats.size;
  } else if (source instanceof Uint8Array) {
    size = source.byteLength;
  }

  const downloadName = options.downloadName ?? (path === null ? null : basename(path));
  let mimetype = options.mimetype ?? null;
  if (mimetype === null) {
    if (downloadName === null) {
      throw new TypeError(
        "Unable to detect the MIME type because a file name is not available. Either set 'downloadName', " +
          "pass a path instead of data, or set 'mimetype'.",
      );
    }
    mimetype = mimeLookup(downloadName) || 'application/octet-stream';
  }

  const h = new Headers();
  h.set('Content-Type', contentTypeFor(mimetype));
  if (downloadName !== null)
    h.set('Content-Disposition', contentDisposition(downloadName, Boolean(options.asAttachment)));
  else if (options.asAttachment) throw new TypeError('No name provided for attachment.');

  const lastModified =
    options.lastModified !== undefined && options.lastModified !== null
      ? toSeconds(options.lastModified)
      : stats
        ? Math.floor(stats.mtimeMs / 1000)
        : null;
  if (lastModified !== null) h.set('Last-Modified', httpDate(lastModified));

  const maxAge = typeof options.maxAge === 'function' ? options.maxAge(path) : (options.maxAge ?? null);
  if (maxAge !== null && maxAge !== undefined) {
    const age = Math.floor(maxAge);
    h.set('Cache-Control', age > 0 ? `public, max-age=${age}` : `no-cache, max-age=${age}`);
    h.set('Expires', httpDate(Math.floor(Date.now() / 1000) + age));
  } else {
    h.set('Cache-Control', 'no-cache');
  }

  const etagOption = options.etag ?? true;
  let etag: string | null = null;
  if (typeof etagOption === 'string') etag = quoteEtag(etagOption);
  else if (etagOption && path !== null && stats !== null) {
    etag = `"${stats.mtimeMs / 1000}-${stats.size}-${adler32(path)}"`;
  }
  if (etag !== null) h.set('ETag', etag);
  if (size !== null) h.set('Accept-Ranges', 'bytes');

  let status = 200;
  let start = 0;
  let end = size ?? 0;
  const req = options.request ?? null;
  const method = req ? req.method.toUpperCase() : 'GET';

  if (req && (options.conditional ?? true) && (method === 'GET' || method === 'HEAD')) {
    const get = (name: string) => req.headers.get(name);
    const rangeHeader = get('range');
    if (
      rangeHeader !== null &&
      size !== null &&
      size > 0 &&
      rangeApplies(get('if-range'), etag, lastModified)
    ) {
      const range = parseRange(rangeHeader, size);
      if (range === null) throw new RangeNotSatisfiable(size);
      if (range !== 'ignore') {
        [start, end] = range;
        status = 206;
        h.set('Content-Range', `bytes ${start}-${end - 1}/${size}`);
      }
    }
    if (status !== 206) {
      const verdict = conditionalStatus(get, etag, lastModified);
      if (verdict !== 200) {
        // 304 and 412 carry no body and no representation headers (Werkzeug's remove_entity_headers).
        for (const name of ENTITY_HEADERS) h.delete(name);
        if (verdict === 412) h.delete('Last-Modified');
        const res = new Response(null, { status: verdict, headers: h });
        res.headers.delete('Content-Type');
        return res;
      }
    }
  }

  if (size !== null) h.set('Content-Length', String(end - start));
  let body: ResponseBody = null;
  if (method !== 'HEAD') {
    if (typeof source === 'string') body = fileChunks(path as string, start, end);
    else if (source instanceof Uint8Array)
      body = start === 0 && end === size ? source : source.subarray(start, end);
    else body = source;
  }
  return new Response(body, { status, headers: h });
}

const ENTITY_HEADERS = [
  'Content-Type',
  'Content-Length',
  'Content-Range',
  'Content-Disposition',
  'Accept-Ranges',
];

/** True when a Range may be served: no If-Range, or If-Range still names this representation. */
function rangeApplies(ifRange: string | null, etag: string | null, lastModified: number | null): boolean {
  if (ifRange === null) return true;
  const v = ifRange.trim();
  if (v.startsWith('"') || v.startsWith('W/')) {
    if (etag === null) return false;
    const a = unquoteEtag(v);
    const b = unquoteEtag(etag);
    return !a.weak && !b.weak && a.tag === b.tag; // If-Range uses the strong comparison
  }
  const date = parseHttpDate(v);
  return date !== null && lastModified !== null && lastModified <= date;
}

/** 200, 304 (not modified) or 412 (If-Match failed), following Werkzeug's `is_resource_modified`. */
function conditionalStatus(
  get: (name: string) => string | null,
  etag: string | null,
  lastModified: number | null,
): 200 | 304 | 412 {
  const ifMatch = etag === null ? null : parseEtags(get('if-match'));
  if (etag !== null && ifMatch && !ifMatch.star && ifMatch.tags.length > 0) {
    const ours = unquoteEtag(etag);
    const strongMatch = !ours.weak && ifMatch.tags.some((t) => !t.weak && t.tag === ours.tag);
    if (!strongMatch) return 412; // If-Match uses the strong comparison
  }
  const ifNoneMatch = parseEtags(get('if-none-match'));
  if (ifNoneMatch && (ifNoneMatch.star || ifNoneMatch.tags.length > 0)) {
    if (etag === null) return 200;
    if (ifNoneMatch.star) return 304;
    const ours = unquoteEtag(etag).tag;
    return ifNoneMatch.tags.some((t) => t.tag === ours) ? 304 : 200; // weak comparison
  }
  const since = parseHttpDate(get('if-modified-since'));
  if (since !== null && lastModified !== null && lastModified <= since) return 304;
  return 200;
}

/**
 * Sends `path` from inside `directory`, or throws {@link NotFound} when the path is unsafe (see
 * {@link safeJoin}) or is not a regular file. A relative `directory` is resolved against `options.root`.
 */
export async function sendFromDirectory(
  directory: string,
  path: string,
  options: SendFileOptions = {},
): Promise<Response> {
  const dir = options.root && !isAbsolute(directory) ? join(options.root, directory) : directory;
  const joined = safeJoin(dir, path);
  if (joined === null) throw new NotFound();
  return sendFile(joined, { ...options, root: null });
}
