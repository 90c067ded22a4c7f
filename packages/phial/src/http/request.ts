/**
 * The incoming request: lazy, cached views over one raw source (a node `IncomingMessage`, or what the
 * test client and the fetch adapter build). Nothing is parsed until it is read.
 */

import type { BodyConfig, RequestBody } from './body/index.js';
import {
  announcesBody,
  bodyLimitsFromConfig,
  parseJson,
  parseUrlEncoded,
  startRequestBody,
} from './body/index.js';
import { parseCookies } from './cookies.js';
import { CharsetAccept, LanguageAccept, MIMEAccept } from './datastructures/accept.js';
import type { FileStorage } from './datastructures/file-storage.js';
import { Headers } from './datastructures/headers.js';
import { MultiDict } from './datastructures/multidict.js';
import { BadRequest, UnsupportedMediaType } from './exceptions.js';
import { requestIdOf } from './request-id.js';
import { isJsonMimetype } from './response.js';

/** The raw source of a request. node:http's `IncomingMessage` satisfies it as is. */
export interface RawRequest extends AsyncIterable<Uint8Array> {
  method?: string;
  url?: string;
  /** Lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string | undefined; encrypted?: boolean | undefined } | null;
  /** Called once, just before the body is read: a server answers `Expect: 100-continue` here. */
  startBody?: () => void;
  /**
   * Set when the app asked for the body (`loadBody`): a body the app wanted but did not finish (413, 408)
   * closes the connection; one nobody asked for (404, a hook's answer) may be skipped when small.
   */
  bodyRequested?: boolean;
  /** The request's ID once chosen (`request.id`; the access log reads the same one). */
  requestId?: string | undefined;
}

/** Parsed `Authorization` header. */
export type Authorization =
  | {
      type: 'basic';
      username: string;
      password: string;
      token?: undefined;
      parameters: Record<string, string>;
    }
  | {
      type: string;
      token: string | null;
      username?: undefined;
      password?: undefined;
      parameters: Record<string, string>;
    };

/** Options of `req.getJson`. */
export interface GetJsonOptions {
  /** Parse whatever the content type says. */
  force?: boolean;
  /** Return null instead of raising on a bad body or content type. */
  silent?: boolean;
}

const EMPTY_BYTES = new Uint8Array(0);
/** What `loadBody` returns once the body is there (one shared, settled promise). */
const LOADED: Promise<void> = Promise.resolve();

/** The error a body accessor throws when the body is announced but was not loaded yet. */
export const BODY_NOT_LOADED =
  'The request body has not been read yet: Phial reads it just before the view. A beforeRequest hook (or ' +
  'other code that runs earlier) must call `await req.loadBody()` before reading req.form, req.files, ' +
  'req.json or req.data.';
const utf8 = new TextDecoder('utf-8');

/** Percent-decodes a URL path (invalid escapes and invalid UTF-8 are kept or replaced, never thrown). */
export function decodePath(s: string): string {
  if (s.indexOf('%') === -1) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    const bytes: number[] = [];
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 37 && i + 2 < s.length + 0 && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
        bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (c < 128) bytes.push(c);
      else for (const b of Buffer.from(s[i] as string, 'utf8')) bytes.push(b);
    }
    return utf8.decode(new Uint8Array(bytes));
  }
}

function headerValue(raw: RawRequest, name: string): string | undefined {
  const v = raw.headers[name];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.join(', ');
}

/**
 * The value the `trusted`-th proxy from the app put in header `name` (the `trusted`-th from the right), or
 * null when the header has fewer values than that many proxies would have written.
 */
export function forwardedValue(
  raw: Pick<RawRequest, 'headers'>,
  name: string,
  trusted: number | undefined,
): string | null {
  if (!trusted || trusted < 1) return null;
  const v = headerValue(raw as RawRequest, name);
  if (v === undefined) return null;
  const parts = v.split(',');
  if (parts.length < trusted) return null;
  const value = (parts[parts.length - trusted] as string).trim();
  return value === '' ? null : value;
}

/** The client's address for logs: the socket's peer, or with `PROXY_FIX` the one the trusted proxy forwarded. */
export function clientAddress(
  raw: Pick<RawRequest, 'headers'>,
  peer: string | undefined,
  proxies: ProxyFixOptions | null | undefined,
): string | undefined {
  if (!proxies) return peer;
  return forwardedValue(raw, 'x-forwarded-for', proxies.xFor ?? 1) ?? peer;
}

/**
 * Werkzeug's `ProxyFix`: for each `X-Forwarded-*` header, how many proxies in front of the app set it (0: the
 * header is ignored, since any client can send it). Defaults are Werkzeug's: `xFor` 1, `xProto` 1, the others
 * 0, so `{}` is one proxy setting `X-Forwarded-For` and `X-Forwarded-Proto`.
 */
export interface ProxyFixOptions {
  /** `X-Forwarded-For` → `remoteAddr`. */
  xFor?: number;
  /** `X-Forwarded-Proto` → `scheme`, `isSecure`, external URLs, the WebSocket same-origin check. */
  xProto?: number;
  /** `X-Forwarded-Host` → `host`. */
  xHost?: number;
  /** `X-Forwarded-Port` → the port of `host`. */
  xPort?: number;
  /** `X-Forwarded-Prefix` → `rootPath` (the app is mounted under that path). */
  xPrefix?: number;
}

/**
 * The toolkit's HTTP request (Werkzeug's `Request`): what the client sent, nothing about apps. The app layer's
 * `Request` (`app/request.ts`, the one views see) extends it with the matched rule, params and session.
 */
export class BaseRequest {
  /** The raw source. */
  readonly raw: RawRequest;
  /** Upper-case method. */
  readonly method: string;
  /** The mount path of the app (WSGI's SCRIPT_NAME); empty by default. */
  rootPath = '';

  /** @internal the body, once read by `loadBody` */
  _body: RequestBody | null = null;
  /** @internal the running or finished `loadBody` */
  _bodyLoad: Promise<void> | null = null;
  /** @internal hooks a client-gone event onto an AbortController (set by the server adapter) */
  _attachAbort: ((ac: AbortController, data: unknown) => void) | null = null;
  /** @internal what the adapter needs to wire the signal (node: the ServerResponse) */
  _adapterData: unknown = null;
  /** @internal scheme forced by the adapter (fetch: from the URL) */
  _scheme: string | null = null;
  /** @internal the trusted proxies (`applyProxyFix`), or null */
  _proxy: ProxyFixOptions | null = null;

  declare private _path?: string;
  declare private _rawPath?: string;
  declare private _qs?: string;
  declare private _headers?: Headers;
  declare private _args?: MultiDict<string>;
  declare private _form?: MultiDict<string>;
  declare private _values?: MultiDict<string>;
  declare private _cookies?: Record<string, string>;
  declare private _json?: { value: unknown } | { error: unknown };
  declare private _accept?: MIMEAccept;
  declare private _signal?: AbortSignal;
  declare private _maxContentLength?: number | null;
  declare private _maxFormMemorySize?: number | null;
  declare private _maxFormParts?: number | null;
  declare private _bodyError?: unknown;

  constructor(raw: RawRequest) {
    this.raw = raw;
    const m = raw.method;
    this.method = m === undefined ? 'GET' : m === 'GET' || m === 'POST' ? m : m.toUpperCase();
  }

  private splitUrl(): void {
    let url = this.raw.url ?? '/';
    if (url.charCodeAt(0) !== 47 /* / */ && url !== '*') {
      // absolute-form (proxies): keep only path and query
      const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(url);
      if (m) url = url.slice(m[0].length) || '/';
    }
    const hash = url.indexOf('#');
    if (hash !== -1) url = url.slice(0, hash);
    const q = url.indexOf('?');
    if (q === -1) {
      this._rawPath = url;
      this._qs = '';
    } else {
      this._rawPath = url.slice(0, q);
      this._qs = url.slice(q + 1);
    }
  }

  /** The path, percent-decoded (`/a b`). */
  get path(): string {
    if (this._path === undefined) {
      if (this._rawPath === undefined) this.splitUrl();
      this._path = decodePath(this._rawPath as string);
    }
    return this._path;
  }

  /** The path as sent (still percent-encoded). */
  get rawPath(): string {
    if (this._rawPath === undefined) this.splitUrl();
    return this._rawPath as string;
  }

  /** The query string without `?` (raw, still encoded). */
  get queryString(): string {
    if (this._qs === undefined) this.splitUrl();
    return this._qs as string;
  }

  /** Path and query: `/page?x=1` (always with `?`, as Werkzeug). */
  get fullPath(): string {
    return `${this.rootPath}${this.path}?${this.queryString}`;
  }

  /**
   * Trusts the `X-Forwarded-*` headers set by the proxies in front of the app (Werkzeug's `ProxyFix`; the app
   * calls it with `PROXY_FIX`). Only the value the nearest trusted proxy added is used: the `n`-th from the
   * right, and nothing when the header has fewer values than `n` proxies would have written.
   */
  applyProxyFix(options: ProxyFixOptions): void {
    this._proxy = { xFor: 1, xProto: 1, ...options };
    const prefix = this.forwarded('x-forwarded-prefix', options.xPrefix);
    if (prefix !== null) this.rootPath = prefix.replace(/\/+$/, '');
  }

  /** The value the `trusted`-th proxy from the app set in header `name`, or null. */
  private forwarded(name: string, trusted: number | undefined): string | null {
    return forwardedValue(this.raw, name, trusted);
  }

  /** Lower-cased `http` or `https`. */
  get scheme(): string {
    if (this._proxy !== null) {
      const proto = this.forwarded('x-forwarded-proto', this._proxy.xProto);
      if (proto !== null) return proto.toLowerCase();
    }
    if (this._scheme !== null) return this._scheme;
    return this.raw.socket?.encrypted ? 'https' : 'http';
  }

  /** True over TLS. */
  get isSecure(): boolean {
    return this.scheme === 'https';
  }

  /** The Host header (with port when given), or `localhost`. */
  get host(): string {
    const own = headerValue(this.raw, 'host') || 'localhost';
    const p = this._proxy;
    if (p === null) return own;
    const host = this.forwarded('x-forwarded-host', p.xHost) ?? own;
    const port = this.forwarded('x-forwarded-port', p.xPort);
    if (port === null) return host;
    // Werkzeug's x_port: the forwarded port replaces the host's own (an IPv6 literal keeps its brackets)
    const bare = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] as string);
    return `${bare}:${port}`;
  }

  /** `scheme://host/` */
  get hostUrl(): string {
    return `${this.scheme}://${this.host}/`;
  }

  /** `scheme://host/root/` */
  get urlRoot(): string {
    return `${this.scheme}://${this.host}${this.rootPath}/`;
  }

  /** The URL without the query string. */
  get baseUrl(): string {
    return `${this.scheme}://${this.host}${this.rootPath}${this.rawPath}`;
  }

  /** The full URL. */
  get url(): string {
    const qs = this.queryString;
    return qs ? `${this.baseUrl}?${qs}` : this.baseUrl;
  }

  /** Client address: the socket's peer, or the forwarded client with `PROXY_FIX`'s `xFor`. */
  get remoteAddr(): string | null {
    if (this._proxy !== null) {
      const f = this.forwarded('x-forwarded-for', this._proxy.xFor);
      if (f !== null) return f;
    }
    return this.raw.socket?.remoteAddress ?? null;
  }

  /** Request headers (case-insensitive `get`, `has`, `entries`). */
  get headers(): Headers {
    if (this._headers === undefined) this._headers = Headers.fromRaw(this.raw.headers);
    return this._headers;
  }

  /** The query arguments. */
  get args(): MultiDict<string> {
    if (this._args === undefined) {
      const qs = this.queryString;
      this._args = qs ? parseUrlEncoded(qs) : new MultiDict<string>();
    }
    return this._args;
  }

  /** Form fields of a urlencoded or multipart body (empty otherwise). */
  get form(): MultiDict<string> {
    if (this._form === undefined) {
      const body = this.loadedBody();
      if (body?.form) this._form = body.form;
      else if (body?.data.byteLength && this.mimetype === 'application/x-www-form-urlencoded') {
        this._form = parseUrlEncoded(body.data);
      } else this._form = new MultiDict<string>();
    }
    return this._form;
  }

  /** Uploaded files of a multipart body. */
  get files(): MultiDict<FileStorage> {
    const files = this.loadedBody()?.files;
    if (files) return files;
    if (this._emptyFiles === undefined) this._emptyFiles = new MultiDict<FileStorage>();
    return this._emptyFiles;
  }
  declare private _emptyFiles?: MultiDict<FileStorage>;

  /** `args` then `form` (form only for methods that carry a body, as Flask 2.3+). */
  get values(): MultiDict<string> {
    if (this._values === undefined) {
      const v = new MultiDict<string>(this.args);
      if (this.method !== 'GET' && this.method !== 'HEAD') {
        for (const [k, val] of this.form.items(true)) v.add(k, val);
      }
      this._values = v;
    }
    return this._values;
  }

  /** Cookies sent by the client, percent-decoded. */
  get cookies(): Record<string, string> {
    if (this._cookies === undefined) this._cookies = parseCookies(headerValue(this.raw, 'cookie'));
    return this._cookies;
  }

  /** The raw body bytes (empty for multipart bodies, which are parsed into `form`/`files`). */
  get data(): Uint8Array {
    return this.loadedBody()?.data ?? EMPTY_BYTES;
  }

  /**
   * The body once loaded; null for a request without a body. Throws the read's error when it failed, and
   * a clear error (naming `loadBody`) when a body is announced but not loaded yet.
   */
  private loadedBody(): RequestBody | null {
    const body = this._body;
    if (body !== null) return body;
    if (this._bodyError !== undefined) throw this._bodyError;
    if (announcesBody(this.raw.headers)) throw new Error(BODY_NOT_LOADED);
    return null;
  }

  /** @internal the config the body limits come from (`MAX_CONTENT_LENGTH`, ...): the app's, in the app's Request. */
  protected bodyConfig(): BodyConfig | null {
    return null;
  }

  /** True once the body is loaded (or when the request has none). */
  get bodyLoaded(): boolean {
    return this._body !== null || !announcesBody(this.raw.headers);
  }

  /**
   * The largest body this request accepts, in bytes (null: no limit): a value set here (in a
   * `beforeRequest` hook, as Flask 3.1 allows), else the app's `MAX_CONTENT_LENGTH` (the app's `Request`
   * puts the matched route's `maxContentLength` option first). Setting it after the body was loaded changes
   * nothing.
   */
  get maxContentLength(): number | null {
    if (this._maxContentLength !== undefined) return this._maxContentLength;
    const v = this.bodyConfig()?.MAX_CONTENT_LENGTH;
    return typeof v === 'number' ? v : null;
  }
  set maxContentLength(value: number | null) {
    this._maxContentLength = value;
  }

  /**
   * The largest urlencoded body or non-file multipart field, in bytes (null: no limit): a value set here
   * (in a hook, Flask 3.1), else `MAX_FORM_MEMORY_SIZE`.
   */
  get maxFormMemorySize(): number | null {
    if (this._maxFormMemorySize !== undefined) return this._maxFormMemorySize;
    return bodyLimitsFromConfig(this.bodyConfig()).maxFormMemorySize;
  }
  set maxFormMemorySize(value: number | null) {
    this._maxFormMemorySize = value;
  }

  /** The most fields a form may have (null: no limit): a value set here (Flask 3.1), else `MAX_FORM_PARTS`. */
  get maxFormParts(): number | null {
    if (this._maxFormParts !== undefined) return this._maxFormParts;
    return bodyLimitsFromConfig(this.bodyConfig()).maxFormParts;
  }
  set maxFormParts(value: number | null) {
    this._maxFormParts = value;
  }

  /**
   * Reads the body (at most once; later calls share the first read) with this request's limits, so that
   * `form`, `files`, `json` and `data` can be read synchronously. Phial calls it just before the view; a
   * `beforeRequest` hook that needs the body awaits it. Rejects with 413 when a limit is crossed (before
   * reading when the declared length already does), 408 when the body arrives too slowly, 400 when it is
   * malformed or the client goes away.
   */
  loadBody(): Promise<void> {
    let load = this._bodyLoad;
    if (load === null) {
      load = this._body !== null || !announcesBody(this.raw.headers) ? LOADED : this.startLoad();
      this._bodyLoad = load;
    }
    return load;
  }

  /** Starts the read; when all of the body is there already, `_body` is set before this returns. */
  private startLoad(): Promise<void> {
    const raw = this.raw;
    const limits = bodyLimitsFromConfig(this.bodyConfig(), this.maxContentLength);
    if (this._maxFormMemorySize !== undefined) limits.maxFormMemorySize = this._maxFormMemorySize;
    if (this._maxFormParts !== undefined) limits.maxFormParts = this._maxFormParts;
    raw.bodyRequested = true;
    let out: RequestBody | Promise<RequestBody>;
    try {
      // a declared length over the limit fails here, before the client is told to send (100-continue)
      out = startRequestBody(raw, this.contentType ?? undefined, this.contentLength, limits, () =>
        raw.startBody?.(),
      );
    } catch (e) {
      this._bodyError = e;
      return Promise.reject(e);
    }
    if (!(out instanceof Promise)) {
      this._body = out;
      return LOADED;
    }
    return out.then(
      (body) => {
        this._body = body;
      },
      (e: unknown) => {
        this._bodyError = e;
        throw e;
      },
    );
  }

  /** The body as UTF-8 text. */
  getData(asText: true): string;
  getData(asText?: false): Uint8Array;
  getData(asText = false): string | Uint8Array {
    return asText ? utf8.decode(this.data) : this.data;
  }

  /** The `Content-Type` header. */
  get contentType(): string | null {
    return headerValue(this.raw, 'content-type') ?? null;
  }

  /** Lower-case mimetype without parameters (`application/json`), or ''. */
  get mimetype(): string {
    const ct = headerValue(this.raw, 'content-type');
    if (!ct) return '';
    const i = ct.indexOf(';');
    return (i === -1 ? ct : ct.slice(0, i)).trim().toLowerCase();
  }

  /** Parameters of the content type (`{ charset: 'utf-8' }`). */
  get mimetypeParams(): Record<string, string> {
    const out: Record<string, string> = {};
    const ct = this.contentType;
    if (!ct) return out;
    for (const part of ct.split(';').slice(1)) {
      const eq = part.indexOf('=');
      if (eq === -1) continue;
      out[part.slice(0, eq).trim().toLowerCase()] = part
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
    }
    return out;
  }

  /** `Content-Length` as a number, or null when absent or invalid. */
  get contentLength(): number | null {
    const v = headerValue(this.raw, 'content-length');
    if (v === undefined || !/^\s*\d+\s*$/.test(v)) return null;
    return Number(v);
  }

  /** True when the mimetype is JSON (`application/json`, `application/*+json`). */
  get isJson(): boolean {
    return isJsonMimetype(this.mimetype);
  }

  /** The parsed JSON body. 415 when the content type is not JSON, 400 when the body is not valid JSON. */
  get json(): unknown {
    return this.getJson();
  }

  /** The parsed JSON body, with Flask's `force` and `silent`. An empty body is a 400 (unless silent). */
  getJson(options: GetJsonOptions = {}): unknown {
    if (!options.force && !this.isJson) {
      if (options.silent) return null;
      throw new UnsupportedMediaType(
        "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
      );
    }
    let cached = this._json;
    if (cached === undefined) {
      try {
        cached = { value: parseJson(this.data) };
      } catch (err) {
        cached = { error: err instanceof Error ? err : new BadRequest('Failed to decode JSON object.') };
      }
      this._json = cached;
    }
    if ('value' in cached) return cached.value;
    if (options.silent) return null;
    throw cached.error;
  }

  /** The client's `Accept` header. */
  get accept(): MIMEAccept {
    if (this._accept === undefined) this._accept = MIMEAccept.fromHeader(headerValue(this.raw, 'accept'));
    return this._accept;
  }

  /** The client's `Accept` header (Werkzeug's name). */
  get acceptMimetypes(): MIMEAccept {
    return this.accept;
  }

  /** The client's `Accept-Language`. */
  get acceptLanguages(): LanguageAccept {
    return LanguageAccept.fromHeader(headerValue(this.raw, 'accept-language'));
  }

  /** The client's `Accept-Charset`. */
  get acceptCharsets(): CharsetAccept {
    return CharsetAccept.fromHeader(headerValue(this.raw, 'accept-charset'));
  }

  /**
   * An ID for this request, to join the log lines it causes (here and in other services): the `X-Request-ID`
   * a proxy or load balancer set (the app's `REQUEST_ID_HEADER`) when it is a plain token of at most 200
   * characters, else a random UUID made on first read. `phial serve --access-log-format json` logs the same value.
   */
  get id(): string {
    return requestIdOf(this.raw, this.requestIdHeader());
  }

  /** The header a trusted proxy puts the request ID in (the app reads its config); null: always make one. */
  protected requestIdHeader(): string | null {
    return 'X-Request-ID';
  }

  /** The `User-Agent` string ('' when absent). */
  get userAgent(): string {
    return headerValue(this.raw, 'user-agent') ?? '';
  }

  /** `Referer`, or null. */
  get referrer(): string | null {
    return headerValue(this.raw, 'referer') ?? null;
  }

  /** `Origin`, or null. */
  get origin(): string | null {
    return headerValue(this.raw, 'origin') ?? null;
  }

  /** The parsed `Authorization` header (Basic gives username/password; other schemes a token), or null. */
  get authorization(): Authorization | null {
    return parseAuthorization(headerValue(this.raw, 'authorization'));
  }

  /** Aborts when the client goes away before the response is finished. */
  get signal(): AbortSignal {
    if (this._signal === undefined) {
      const ac = new AbortController();
      this._attachAbort?.(ac, this._adapterData);
      this._signal = ac.signal;
    }
    return this._signal;
  }

  /** `Last-Event-ID`: the last event id a reconnecting EventSource saw (server-sent events), or null. */
  get lastEventId(): string | null {
    return headerValue(this.raw, 'last-event-id') ?? null;
  }

  toString(): string {
    return `<Request '${this.url}' [${this.method}]>`;
  }
}

/** Parses an `Authorization` header value. */
export function parseAuthorization(value: string | undefined | null): Authorization | null {
  if (!value) return null;
  const trimmed = value.trim();
  const sp = trimmed.indexOf(' ');
  const scheme = (sp === -1 ? trimmed : trimmed.slice(0, sp)).toLowerCase();
  const rest = sp === -1 ? '' : trimmed.slice(sp + 1).trim();
  if (!scheme) return null;
  if (scheme === 'basic') {
    let decoded: string;
    try {
      decoded = Buffer.from(rest, 'base64').toString('utf8');
    } catch {
      return null;
    }
    const c = decoded.indexOf(':');
    if (c === -1) return null;
    return { type: 'basic', username: decoded.slice(0, c), password: decoded.slice(c + 1), parameters: {} };
  }
  const parameters: Record<string, string> = {};
  if (rest.includes('=') && !/^[A-Za-z0-9\-._~+/]+=*$/.test(rest)) {
    for (const m of rest.matchAll(/([^\s=,]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
      const v = m[2] as string;
      parameters[(m[1] as string).toLowerCase()] = v.startsWith('"')
        ? v.slice(1, -1).replace(/\\(.)/g, '$1')
        : v.trim();
    }
    return { type: scheme, token: null, parameters };
  }
  return { type: scheme, token: rest || null, parameters };
}
