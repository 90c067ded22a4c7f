/**
 * The incoming request: lazy, cached views over one raw source (a node `IncomingMessage`, or what the
 * test client and the fetch adapter build). Nothing is parsed until it is read.
 */

// type-only: the session object the app layer hands out (no runtime import of app/)
import type { Session, SessionData } from '../app/sessions.js';
import type { RequestBody } from './body/index.js';
import { parseJson, parseUrlEncoded } from './body/index.js';
import { parseCookies } from './cookies.js';
import { CharsetAccept, LanguageAccept, MIMEAccept } from './datastructures/accept.js';
import type { FileStorage } from './datastructures/file-storage.js';
import { Headers } from './datastructures/headers.js';
import { MultiDict } from './datastructures/multidict.js';
import { BadRequest, UnsupportedMediaType } from './exceptions.js';
import { isJsonMimetype } from './response.js';

/** The raw source of a request. node:http's `IncomingMessage` satisfies it as is. */
export interface RawRequest extends AsyncIterable<Uint8Array> {
  method?: string;
  url?: string;
  /** Lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string; encrypted?: boolean } | null;
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

/** Session-like object the request context hands out (FILES' `Session`); typed loosely here to keep http/ free of app/. */
export interface RequestContextLink {
  getSession(): unknown;
}

const EMPTY_BYTES = new Uint8Array(0);
/** Params of a request that matched nothing yet (shared, frozen: matching sets a fresh object). */
const NO_PARAMS: Record<string, unknown> = Object.freeze(Object.create(null));
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
 * An HTTP request, as views and hooks see it (`req`, and the `request` global).
 * `P` types `params` from the rule string (see `RouteParams`).
 */
export class Request<P = Record<string, unknown>> {
  /** The raw source. */
  readonly raw: RawRequest;
  /** Upper-case method. */
  readonly method: string;
  /** Converted URL parameters of the matched rule (after `urlValuePreprocessor`s). */
  params: P;
  /** Endpoint of the matched rule, or null. */
  endpoint: string | null = null;
  /** The matched rule object (routing's `Rule`), or null. */
  urlRule: unknown = null;
  /** A routing error (404/405/308) kept to be raised after `beforeRequest` hooks. */
  routingException: Error | null = null;
  /** The mount path of the app (WSGI's SCRIPT_NAME); empty by default. */
  rootPath = '';

  /** @internal body, once read by dispatch */
  _body: RequestBody | null = null;
  /** @internal link to the request context (session access) */
  _ctx: RequestContextLink | null = null;
  /** @internal hooks a client-gone event onto an AbortController (set by the server adapter) */
  _attachAbort: ((ac: AbortController, data: unknown) => void) | null = null;
  /** @internal what the adapter needs to wire the signal (node: the ServerResponse) */
  _adapterData: unknown = null;
  /** @internal scheme forced by the adapter (fetch: from the URL) */
  _scheme: string | null = null;

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

  constructor(raw: RawRequest, params?: P) {
    this.raw = raw;
    const m = raw.method;
    this.method = m === undefined ? 'GET' : m === 'GET' || m === 'POST' ? m : m.toUpperCase();
    this.params = params ?? (NO_PARAMS as P);
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

  /** Lower-cased `http` or `https`. */
  get scheme(): string {
    if (this._scheme !== null) return this._scheme;
    return this.raw.socket?.encrypted ? 'https' : 'http';
  }

  /** True over TLS. */
  get isSecure(): boolean {
    return this.scheme === 'https';
  }

  /** The Host header (with port when given), or `localhost`. */
  get host(): string {
    return headerValue(this.raw, 'host') || 'localhost';
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

  /** Client address (no proxy handling). */
  get remoteAddr(): string | null {
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
      const body = this._body;
      if (body?.form) this._form = body.form;
      else if (body?.data.byteLength && this.mimetype === 'application/x-www-form-urlencoded') {
        this._form = parseUrlEncoded(body.data);
      } else this._form = new MultiDict<string>();
    }
    return this._form;
  }

  /** Uploaded files of a multipart body. */
  get files(): MultiDict<FileStorage> {
    const files = this._body?.files;
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
    return this._body?.data ?? EMPTY_BYTES;
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

  /** Same as `params` (Flask's `view_args`). */
  get viewArgs(): P {
    return this.params;
  }

  /** Name of the blueprint of the matched endpoint (innermost, dotted for nested), or null. */
  get blueprint(): string | null {
    const ep = this.endpoint;
    if (ep === null) return null;
    const i = ep.lastIndexOf('.');
    return i === -1 ? null : ep.slice(0, i);
  }

  /** Every blueprint of the endpoint, innermost first (`a.b.view` → `['a.b', 'a']`). */
  get blueprints(): string[] {
    return endpointBlueprints(this.endpoint).slice();
  }

  /** The session of this request (opened lazily), typed by `interface SessionData`. */
  get session(): Session<SessionData> {
    if (this._ctx === null) throw new Error('Working outside of request context.');
    return this._ctx.getSession() as Session<SessionData>;
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

  toString(): string {
    return `<Request '${this.url}' [${this.method}]>`;
  }
}

const NO_BLUEPRINTS: readonly string[] = Object.freeze([]);
/** Blueprint lists by endpoint (endpoints are few: the app's rules). Bounded in case of made-up endpoints. */
const blueprintsCache = new Map<string, readonly string[]>();

/** @internal the blueprints of an endpoint, innermost first, computed once per endpoint (shared: never mutate). */
export function endpointBlueprints(endpoint: string | null): readonly string[] {
  if (endpoint === null) return NO_BLUEPRINTS;
  const dot = endpoint.lastIndexOf('.');
  if (dot === -1) return NO_BLUEPRINTS;
  let out = blueprintsCache.get(endpoint);
  if (out !== undefined) return out;
  const list: string[] = [];
  const parts = endpoint.slice(0, dot).split('.');
  for (let i = parts.length; i > 0; i--) list.push(parts.slice(0, i).join('.'));
  out = Object.freeze(list);
  if (blueprintsCache.size >= 4096) blueprintsCache.clear();
  blueprintsCache.set(endpoint, out);
  return out;
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
