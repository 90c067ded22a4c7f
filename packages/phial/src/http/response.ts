import { STATUS_CODES } from 'node:http';
import { type CookieOptions, serializeCookie } from './cookies.js';
import { Headers, type HeadersInit } from './datastructures/headers.js';
import { safeHeaderValue, safeLocation } from './security.js';

/** Anything a response can carry. Streams are written as they are produced (chunked unless a length is set). */
export type ResponseBody =
  | string
  | Uint8Array
  | AsyncIterable<Uint8Array | string>
  | ReadableStream<Uint8Array | string>
  | null;

/** Options of `new Response(body, init)`. */
export interface ResponseInit {
  status?: number;
  statusText?: string;
  headers?: HeadersInit | null;
  /** Sets `Content-Type`; `text/*` and a few others get `; charset=utf-8`. */
  mimetype?: string;
  /** Sets `Content-Type` as given. */
  contentType?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const contentTypes = new Map<string, string>();

/** The Content-Type for a mimetype: `text/*` and a few others get `; charset=utf-8`, like Werkzeug's `get_content_type`. */
export function contentTypeFor(mimetype: string): string {
  const cached = contentTypes.get(mimetype);
  if (cached !== undefined) return cached;
  const ct = computeContentType(mimetype);
  if (contentTypes.size < 256) contentTypes.set(mimetype, ct);
  return ct;
}

function computeContentType(mimetype: string): string {
  if (
    mimetype.startsWith('text/') ||
    mimetype === 'application/xml' ||
    mimetype === 'application/javascript' ||
    mimetype === 'application/ecmascript' ||
    (mimetype.startsWith('application/') && mimetype.endsWith('+xml'))
  ) {
    return mimetype.includes('charset') ? mimetype : `${mimetype}; charset=utf-8`;
  }
  return mimetype;
}

/** The last `contentType` option seen and its safe form (views pass the same constant again and again). */
let lastContentType: string | null = null;
let lastSafeContentType = '';

let cachedDefault: { mimetype: string; contentType: string } | null = null;

/** The Content-Type of a class's defaultMimetype, computed once. */
function defaultContentType(cls: typeof Response): string {
  const m = cls.defaultMimetype;
  if (cachedDefault !== null && cachedDefault.mimetype === m) return cachedDefault.contentType;
  const ct = contentTypeFor(m);
  if (cls === Response) cachedDefault = { mimetype: m, contentType: ct };
  return ct;
}

/** True for `application/json` and `application/*+json`. */
export function isJsonMimetype(mimetype: string): boolean {
  return (
    mimetype === 'application/json' || (mimetype.startsWith('application/') && mimetype.endsWith('+json'))
  );
}

/** Reason phrase for a status code ("200 OK" → "OK"); unknown codes get "UNKNOWN" as in Werkzeug. */
export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'UNKNOWN';
}

function isAsyncIterable(v: unknown): v is AsyncIterable<Uint8Array | string> {
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  );
}

/**
 * An HTTP response: what every view's return value becomes, what hooks may change, and what the server
 * adapters write. The body stays in the form it was given (string, bytes or stream) so that the node
 * adapter can write a string with a single `end()`.
 */
export class Response {
  /** Mimetype used when none is given. */
  static defaultMimetype = 'text/html';

  /** @internal */
  _status: number;
  /** @internal */
  _statusText: string | undefined;
  /** Mutable, case-insensitive response headers. */
  headers: Headers;
  /** @internal the body as given */
  _body: ResponseBody;
  /** @internal functions run after the response has been written (stream ended) */
  _onClose: (() => unknown)[] | null = null;
  /** @internal the value a JSON body was made from (`app.json.response`): a response schema checks it */
  _jsonSource: unknown = undefined;

  constructor(body?: ResponseBody, init?: ResponseInit | null) {
    this._body = body ?? null;
    const status = init?.status;
    if (status !== undefined && (!Number.isInteger(status) || status < 100 || status > 999)) {
      throw new TypeError(`Invalid HTTP status code: ${String(status)}`);
    }
    this._status = status ?? 200;
    this._statusText = init?.statusText;
    if (init === undefined || init === null) {
      // hot path: the default content type, no checks needed
      const h = new Headers();
      h._push('content-type', 'Content-Type', defaultContentType(this.constructor as typeof Response));
      this.headers = h;
      return;
    }
    const headers = init.headers;
    if ((headers === undefined || headers === null) && init.contentType !== undefined) {
      // common case (`{ contentType }`, maybe a status): one header on fresh headers, no lookups
      const h = new Headers();
      const ct = init.contentType;
      if (ct !== lastContentType) {
        lastSafeContentType = safeHeaderValue(ct);
        lastContentType = ct;
      }
      h._push('content-type', 'Content-Type', lastSafeContentType);
      this.headers = h;
      return;
    }
    this.headers = headers instanceof Headers ? headers : new Headers(headers);
    if (init.contentType !== undefined) this.headers.set('Content-Type', init.contentType);
    else if (init.mimetype !== undefined) this.headers.set('Content-Type', contentTypeFor(init.mimetype));
    else if (headers == null || !this.headers.has('content-type')) {
      this.headers._push(
        'content-type',
        'Content-Type',
        defaultContentType(this.constructor as typeof Response),
      );
    }
  }

  /** @internal a response with a Content-Type already made safe (`safeHeaderValue`) by the caller. */
  static _withContentType(body: ResponseBody, contentType: string): Response {
    const r = new Response(body);
    r.headers._values[0] = contentType;
    return r;
  }

  /** Numeric status code. */
  get status(): number {
    return this._status;
  }
  set status(code: number) {
    if (!Number.isInteger(code) || code < 100 || code > 999) {
      throw new TypeError(`Invalid HTTP status code: ${String(code)}`);
    }
    this._status = code;
    this._statusText = undefined;
  }

  /** Flask's name for `status`. */
  get statusCode(): number {
    return this._status;
  }
  set statusCode(code: number) {
    this.status = code;
  }

  /** Reason phrase ("Not Found"). */
  get statusText(): string {
    return this._statusText ?? reasonPhrase(this._status);
  }
  set statusText(text: string) {
    this._statusText = text;
  }

  /** True when 200-299. */
  get ok(): boolean {
    return this._status >= 200 && this._status < 300;
  }

  /** The body as given (string, bytes, stream or null). */
  get body(): ResponseBody {
    return this._body;
  }

  /** True when the body is a stream that has not been buffered. */
  get isStreamed(): boolean {
    const b = this._body;
    return b !== null && typeof b !== 'string' && !(b instanceof Uint8Array);
  }

  /** The body bytes. Throws for a streamed body (use `await response.buffer()` first). */
  get data(): Uint8Array {
    const b = this._body;
    if (b === null) return new Uint8Array(0);
    if (typeof b === 'string') return encoder.encode(b);
    if (b instanceof Uint8Array) return b;
    throw new TypeError(
      'The response body is a stream; call `await response.buffer()` before reading `data`.',
    );
  }
  set data(value: string | Uint8Array) {
    this.setData(value);
  }

  /** Replaces the body (and drops a stale Content-Length). */
  setData(value: string | Uint8Array | null): void {
    this._body = value;
    this._jsonSource = undefined;
    this.headers.delete('content-length');
  }

  /** The body decoded as UTF-8. Throws for a streamed body, like `data`. */
  get text(): string {
    const b = this._body;
    if (typeof b === 'string') return b;
    return decoder.decode(this.data);
  }

  /** Alias of `text` (Werkzeug's `get_data(as_text=True)`). */
  getData(asText?: false): Uint8Array;
  getData(asText: true): string;
  getData(asText = false): Uint8Array | string {
    return asText ? this.text : this.data;
  }

  /** Parsed JSON body, or undefined when the mimetype is not JSON. */
  get json(): unknown {
    if (!this.isJson) return undefined;
    return JSON.parse(this.text);
  }

  /** True when the mimetype is JSON. */
  get isJson(): boolean {
    return isJsonMimetype(this.mimetype);
  }

  /** Reads a streamed body fully into memory (no-op for strings and bytes). */
  async buffer(): Promise<Uint8Array> {
    const b = this._body;
    if (b === null || typeof b === 'string' || b instanceof Uint8Array) return this.data;
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of toAsyncIterable(b)) {
      const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
      chunks.push(bytes);
      total += bytes.byteLength;
    }
    const out = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.byteLength;
    }
    this._body = out;
    return out;
  }

  /** The mimetype without parameters, lower-cased (`text/html`). */
  get mimetype(): string {
    const ct = this.headers.get('content-type');
    if (!ct) return '';
    const i = ct.indexOf(';');
    return (i === -1 ? ct : ct.slice(0, i)).trim().toLowerCase();
  }
  set mimetype(value: string) {
    this.headers.set('Content-Type', contentTypeFor(value));
  }

  /** The full `Content-Type` header. */
  get contentType(): string | null {
    return this.headers.get('content-type');
  }
  set contentType(value: string | null) {
    if (value === null) this.headers.delete('content-type');
    else this.headers.set('Content-Type', value);
  }

  /** Content length when known (header, or the size of a string/bytes body). */
  get contentLength(): number | null {
    const h = this.headers.get('content-length');
    if (h !== null) {
      const n = Number(h);
      return Number.isFinite(n) ? n : null;
    }
    const b = this._body;
    if (b === null) return 0;
    if (typeof b === 'string') return Buffer.byteLength(b);
    if (b instanceof Uint8Array) return b.byteLength;
    return null;
  }

  /** The `Location` header; set values are made safe (percent-encoded). */
  get location(): string | null {
    return this.headers.get('location');
  }
  set location(value: string | null) {
    if (value === null) this.headers.delete('location');
    else this.headers.set('Location', safeLocation(value));
  }

  /** Adds a `Set-Cookie` header. Values are percent-encoded; `Path` defaults to `/`. */
  setCookie(name: string, value = '', options: CookieOptions = {}): this {
    this.headers.append('Set-Cookie', serializeCookie(name, value, options));
    return this;
  }

  /** Tells the client to drop a cookie (empty value, expired, Max-Age=0). */
  deleteCookie(
    name: string,
    options: Pick<CookieOptions, 'path' | 'domain' | 'secure' | 'httpOnly' | 'sameSite' | 'partitioned'> = {},
  ): this {
    return this.setCookie(name, '', { ...options, maxAge: 0, expires: new Date(0) });
  }

  /** Registers a function run once the response has been sent (or its stream finished). */
  callOnClose(fn: () => unknown): this {
    if (this._onClose === null) this._onClose = [fn];
    else this._onClose.push(fn);
    return this;
  }

  /** @internal runs the close callbacks once; resolves when async ones are done (errors are swallowed). */
  _close(): Promise<void> | undefined {
    const fns = this._onClose;
    if (fns === null) return undefined;
    this._onClose = null;
    let pending: Promise<unknown>[] | null = null;
    for (const fn of fns) {
      try {
        const r = fn();
        if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).then === 'function') {
          if (pending === null) pending = [];
          pending.push(Promise.resolve(r).catch(() => undefined));
        }
      } catch {
        /* close callbacks must not break the response */
      }
    }
    return pending === null ? undefined : Promise.all(pending).then(() => undefined);
  }

  toString(): string {
    return `<Response ${this._status} ${this.statusText}>`;
  }
}

/** Turns any streamed body form into an async iterable (ReadableStream included). */
export function toAsyncIterable(
  body: AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array | string>,
): AsyncIterable<Uint8Array | string> {
  if (isAsyncIterable(body)) return body;
  const stream = body as ReadableStream<Uint8Array | string>;
  return {
    async *[Symbol.asyncIterator]() {
      const reader = stream.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        reader.releaseLock();
      }
    },
  };
}
