/**
 * The test client (Flask's `FlaskClient`): sends requests through the app in-process (no socket),
 * keeps cookies, follows redirects, and buffers each response.
 */
import { parseSetCookie } from 'cookie';
import { contextStorage, RequestContext } from '../app/context.js';
import type { Phial } from '../app/phial.js';
import { Request } from '../app/request.js';
import { isNullSession, type Session } from '../app/sessions.js';
import type { RawRequest } from '../http/request.js';
import { isJsonMimetype, Response, toAsyncIterable } from '../http/response.js';
import {
  fixedBodyLength,
  isNullBodyStatus,
  parseContentLength,
  wireContentLength,
  wireReason,
} from '../http/wire.js';
import { buildRequest, type TestRequestOptions } from './builder.js';
import { StreamingTestResponse } from './stream.js';
import {
  handshakeHeaders,
  openTestWebSocket,
  type TestWebSocket,
  type TestWebSocketOptions,
} from './websocket.js';

/** Options of `app.testClient()`. */
export interface TestClientOptions {
  /** Keep cookies between requests (default true). */
  useCookies?: boolean;
}

/** Options of a client request. */
export interface ClientRequestOptions extends TestRequestOptions {
  /** Follow redirects; earlier responses go to `history`. */
  followRedirects?: boolean;
  /** Resolve as soon as the head is ready and read the body as it is produced (`StreamingTestResponse`). */
  stream?: boolean;
}

/** Client options asking for a streamed response. */
export type StreamRequestOptions = ClientRequestOptions & { stream: true };

/** A cookie in the client's jar. */
export interface TestCookie {
  name: string;
  value: string;
  path: string;
  domain: string;
  expires: Date | null;
  /** @internal sent only to the exact host (no Domain attribute) */
  hostOnly?: boolean;
}

/** Options of `client.setCookie`. */
export interface SetTestCookieOptions {
  domain?: string;
  path?: string;
  expires?: Date | null;
  maxAge?: number | null;
}

const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/** Statuses whose responses never carry a body (1xx, 204, 205, 304: the wire rules of http/wire.ts). */
const bodyless = isNullBodyStatus;
const REDIRECTS = new Set([301, 302, 303, 305, 307, 308]);

/** The request of a response a middleware (`app.wsgiApp`) gave without calling the app. */
function undispatched(raw: RawRequest, scheme: string): Request {
  const req = new Request(raw);
  req._scheme = scheme;
  return req;
}

/** A buffered response, as returned by the test client. */
export class TestResponse {
  /** Status code. */
  readonly status: number;
  /** Reason phrase. */
  readonly statusText: string;
  /** Fetch-style headers (`get`, `has`, `getSetCookie()`). */
  readonly headers: globalThis.Headers;
  /** Body bytes (empty for HEAD, 204, 304 and 1xx, as on the wire). */
  readonly data: Uint8Array;
  /** Earlier responses of a followed redirect chain. */
  history: TestResponse[] = [];
  /** The Phial Request that was dispatched. */
  readonly request: Request;
  /** The Phial Response the app produced. */
  readonly response: Response;
  /**
   * True when the app answered with a streamed body (a generator, async iterable or ReadableStream):
   * the server sends it chunked, without a Content-Length (Werkzeug's `is_streamed`). `data` still holds
   * the whole body, read by the client.
   */
  readonly isStreamed: boolean;

  constructor(response: Response, data: Uint8Array, request: Request, isStreamed = response.isStreamed) {
    this.response = response;
    this.status = response.status;
    // as the server writes it (a reason phrase can never split the status line)
    this.statusText = wireReason(response.status, response.statusText);
    this.isStreamed = isStreamed;
    // the head every server writes (http/wire.ts): Content-Length as the wire rules say (HEAD keeps the
    // length of the GET body it does not send), never the app's Transfer-Encoding
    const h = new globalThis.Headers();
    let appLength: string | null = null;
    const rh = response.headers;
    for (let i = 0; i < rh._keys.length; i++) {
      const k = rh._keys[i] as string;
      if (k === 'content-length') appLength = rh._values[i] as string;
      else if (k !== 'transfer-encoding') h.append(rh._names[i] as string, rh._values[i] as string);
    }
    const length = wireContentLength(
      response.status,
      request.method,
      isStreamed ? -1 : fixedBodyLength(response.body),
      parseContentLength(appLength),
    );
    if (length >= 0) h.set('content-length', String(length));
    this.headers = h;
    this.data = data;
    this.request = request;
  }

  /** The body decoded as UTF-8. */
  get text(): string {
    return decoder.decode(this.data);
  }

  /** The parsed body when the mimetype is JSON; undefined otherwise. */
  get json(): unknown {
    if (!this.isJson) return undefined;
    return JSON.parse(this.text);
  }

  /** True when the mimetype is JSON. */
  get isJson(): boolean {
    return isJsonMimetype(this.mimetype);
  }

  /** Lower-case mimetype without parameters. */
  get mimetype(): string {
    const ct = this.headers.get('content-type');
    if (!ct) return '';
    return ct.split(';')[0]?.trim().toLowerCase() ?? '';
  }

  /** `Content-Type` header. */
  get contentType(): string | null {
    return this.headers.get('content-type');
  }

  /** `Location` header. */
  get location(): string | null {
    return this.headers.get('location');
  }

  /** Flask's name of `status`. */
  get statusCode(): number {
    return this.status;
  }

  /** Same as `text`. */
  getData(asText: true): string;
  getData(asText?: false): Uint8Array;
  getData(asText = false): string | Uint8Array {
    return asText ? this.text : this.data;
  }
}

function cookieKey(domain: string, path: string, name: string): string {
  return `${domain}\u0000${path}\u0000${name}`;
}

function hostname(host: string): string {
  const h = host.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const i = h.lastIndexOf(':');
  return i === -1 ? h : h.slice(0, i);
}

function domainMatches(cookie: TestCookie, host: string): boolean {
  if (cookie.hostOnly) return cookie.domain === host;
  return host === cookie.domain || host.endsWith(`.${cookie.domain}`);
}

function pathMatches(cookiePath: string, path: string): boolean {
  if (path === cookiePath) return true;
  if (!path.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || path.charAt(cookiePath.length) === '/';
}

/** Sends requests to an app in-process. Create with `app.testClient()`. */
export class TestClient {
  readonly app: Phial;
  readonly useCookies: boolean;
  /** @internal */
  private jar = new Map<string, TestCookie>();

  constructor(app: Phial, options: TestClientOptions = {}) {
    this.app = app;
    this.useCookies = options.useCookies ?? true;
  }

  private defaultHost(): string {
    const sn = this.app.config.SERVER_NAME;
    return sn ? String(sn) : 'localhost';
  }

  /** The cookie `name` for `domain` and `path` (default `localhost`, `/`), or undefined. */
  getCookie(name: string, domain = 'localhost', path = '/'): TestCookie | undefined {
    this.expire();
    const c = this.jar.get(cookieKey(domain.toLowerCase().replace(/^\./, ''), path, name));
    if (c === undefined) return undefined;
    return { name: c.name, value: c.value, path: c.path, domain: c.domain, expires: c.expires };
  }

  /** Sets a cookie in the jar (sent with matching requests). */
  setCookie(name: string, value = '', options: SetTestCookieOptions = {}): void {
    if (!this.useCookies)
      throw new TypeError("Cookies are disabled. Create a client with 'useCookies: true'.");
    const domain = (options.domain ?? 'localhost').toLowerCase().replace(/^\./, '');
    const path = options.path ?? '/';
    let expires = options.expires ?? null;
    if (options.maxAge !== undefined && options.maxAge !== null)
      expires = new Date(Date.now() + options.maxAge * 1000);
    if (expires !== null && expires.getTime() <= Date.now()) {
      this.jar.delete(cookieKey(domain, path, name));
      return;
    }
    this.jar.set(cookieKey(domain, path, name), { name, value, path, domain, expires });
  }

  /** Removes a cookie from the jar. */
  deleteCookie(name: string, options: { domain?: string; path?: string } = {}): void {
    if (!this.useCookies)
      throw new TypeError("Cookies are disabled. Create a client with 'useCookies: true'.");
    const domain = (options.domain ?? 'localhost').toLowerCase().replace(/^\./, '');
    this.jar.delete(cookieKey(domain, options.path ?? '/', name));
  }

  private expire(): void {
    const now = Date.now();
    for (const [k, c] of this.jar) if (c.expires !== null && c.expires.getTime() <= now) this.jar.delete(k);
  }

  /** @internal the Cookie header for a host and path. */
  cookieHeader(host: string, path: string): string | null {
    if (!this.useCookies || this.jar.size === 0) return null;
    this.expire();
    const hn = hostname(host);
    const parts: string[] = [];
    const matching = [...this.jar.values()]
      .filter((c) => domainMatches(c, hn) && pathMatches(c.path, path))
      .sort((a, b) => b.path.length - a.path.length);
    for (const c of matching) parts.push(`${c.name}=${encodeURIComponent(c.value)}`);
    return parts.length ? parts.join('; ') : null;
  }

  /** @internal stores the Set-Cookie headers of a response. */
  updateCookies(setCookies: string[], host: string, requestPath: string): void {
    if (!this.useCookies) return;
    const hn = hostname(host);
    for (const header of setCookies) {
      let parsed: ReturnType<typeof parseSetCookie>;
      try {
        parsed = parseSetCookie(header);
      } catch {
        continue;
      }
      if (!parsed.name) continue;
      const hostOnly = !parsed.domain;
      const domain = (parsed.domain ?? hn).toLowerCase().replace(/^\./, '');
      let path = parsed.path;
      if (!path?.startsWith('/')) {
        const i = requestPath.lastIndexOf('/');
        path = i <= 0 ? '/' : requestPath.slice(0, i);
      }
      let expires: Date | null = parsed.expires ?? null;
      if (parsed.maxAge !== undefined) expires = new Date(Date.now() + parsed.maxAge * 1000);
      const key = cookieKey(domain, path, parsed.name);
      if (expires !== null && expires.getTime() <= Date.now()) {
        this.jar.delete(key);
        continue;
      }
      this.jar.set(key, { name: parsed.name, value: parsed.value ?? '', path, domain, expires, hostOnly });
    }
  }

  /** @internal one request, no redirects. */
  private async openOnce(path: string, options: ClientRequestOptions): Promise<TestResponse> {
    const pre = await buildRequest(path, options, { host: this.defaultHost() });
    const host = String(pre.raw.headers.host ?? this.defaultHost());
    const cookie = this.cookieHeader(host, pre.raw.url?.split('?')[0] ?? '/');
    if (cookie) {
      const cur = pre.raw.headers.cookie;
      pre.raw.headers.cookie = cur ? `${cookie}; ${cur}` : cookie;
    }
    let dispatched: Request | null = null;
    const response = await this.app.wsgiApp(pre.raw, (req) => {
      req._scheme = pre.scheme;
      dispatched = req;
    });
    // Read the body as the node adapter sends it: none for HEAD, 204, 304 and 1xx (a stream is closed
    // without being produced), the whole body otherwise. `isStreamed` is taken before buffering.
    const streamed = response.isStreamed;
    let data: Uint8Array = EMPTY;
    try {
      if (pre.raw.method !== 'HEAD' && !bodyless(response.status)) {
        data = await response.buffer();
        // a stream never goes past its declared length on the wire (http/wire.ts)
        const declared = streamed ? parseContentLength(response.headers.get('content-length')) : -1;
        if (declared >= 0 && data.byteLength > declared) data = data.subarray(0, declared);
      } else if (streamed) await closeUnread(response);
    } finally {
      await response._close();
    }
    const req = (dispatched as Request | null) ?? undispatched(pre.raw, pre.scheme);
    this.updateCookies(response.headers.getSetCookie(), host, req.path);
    return new TestResponse(response, data, req, streamed);
  }

  /** @internal one request whose body is read as it is produced. */
  private async openStream(path: string, options: ClientRequestOptions): Promise<StreamingTestResponse> {
    const pre = await buildRequest(path, options, { host: this.defaultHost() });
    const host = String(pre.raw.headers.host ?? this.defaultHost());
    const cookie = this.cookieHeader(host, pre.raw.url?.split('?')[0] ?? '/');
    if (cookie) {
      const cur = pre.raw.headers.cookie;
      pre.raw.headers.cookie = cur ? `${cookie}; ${cur}` : cookie;
    }
    const gone = new AbortController();
    let dispatched: Request | null = null;
    const response = await this.app.wsgiApp(pre.raw, (req) => {
      req._scheme = pre.scheme;
      req._attachAbort = (ac) => {
        if (gone.signal.aborted) ac.abort(gone.signal.reason);
        else gone.signal.addEventListener('abort', () => ac.abort(gone.signal.reason), { once: true });
      };
      dispatched = req;
    });
    const req = (dispatched as Request | null) ?? undispatched(pre.raw, pre.scheme);
    this.updateCookies(response.headers.getSetCookie(), host, req.path);
    const empty = pre.raw.method === 'HEAD' || bodyless(response.status);
    if (empty && response.isStreamed) await closeUnread(response);
    return new StreamingTestResponse(response, req, gone, empty);
  }

  /** Sends a request (`method` in options, GET by default). */
  open(path: string, options: StreamRequestOptions): Promise<StreamingTestResponse>;
  open(path: string, options?: ClientRequestOptions): Promise<TestResponse>;
  open(path: string, options: ClientRequestOptions = {}): Promise<TestResponse | StreamingTestResponse> {
    if (options.stream) return this.openStream(path, options);
    return this.openBuffered(path, options);
  }

  private async openBuffered(path: string, options: ClientRequestOptions): Promise<TestResponse> {
    let res = await this.openOnce(path, options);
    if (!options.followRedirects) return res;
    const history: TestResponse[] = [];
    const seen = new Set<string>();
    let opts: ClientRequestOptions = options;
    let current = new URL(res.request.url);
    while (REDIRECTS.has(res.status) && res.location) {
      const target = new URL(res.location, current);
      const key = `${res.status} ${target.href}`;
      if (seen.has(key) || history.length >= 30)
        throw new Error('Loop detected: a redirect chain was followed more than once.');
      seen.add(key);
      history.push(res);
      if (res.status !== 307 && res.status !== 308) {
        const method = (opts.method ?? 'GET').toUpperCase() === 'HEAD' ? 'HEAD' : 'GET';
        opts = { headers: stripBodyHeaders(opts.headers), method, remoteAddr: opts.remoteAddr };
      }
      current = target;
      res = await this.openOnce(`${target.protocol}//${target.host}${target.pathname}${target.search}`, {
        ...opts,
        query: undefined,
      });
    }
    res.history = history;
    return res;
  }

  /** GET (`{ stream: true }` resolves before the body ends: see `StreamingTestResponse`) */
  get(path: string, options: StreamRequestOptions): Promise<StreamingTestResponse>;
  get(path: string, options?: ClientRequestOptions): Promise<TestResponse>;
  get(path: string, options: ClientRequestOptions = {}): Promise<TestResponse | StreamingTestResponse> {
    return this.open(path, { ...options, method: 'GET' } as ClientRequestOptions & { stream: true });
  }
  /** POST */
  post(path: string, options: StreamRequestOptions): Promise<StreamingTestResponse>;
  post(path: string, options?: ClientRequestOptions): Promise<TestResponse>;
  post(path: string, options: ClientRequestOptions = {}): Promise<TestResponse | StreamingTestResponse> {
    return this.open(path, { ...options, method: 'POST' } as ClientRequestOptions & { stream: true });
  }
  /** PUT */
  put(path: string, options: ClientRequestOptions = {}): Promise<TestResponse> {
    return this.open(path, { ...options, method: 'PUT' });
  }
  /** PATCH */
  patch(path: string, options: ClientRequestOptions = {}): Promise<TestResponse> {
    return this.open(path, { ...options, method: 'PATCH' });
  }
  /** DELETE */
  delete(path: string, options: ClientRequestOptions = {}): Promise<TestResponse> {
    return this.open(path, { ...options, method: 'DELETE' });
  }
  /** HEAD */
  head(path: string, options: ClientRequestOptions = {}): Promise<TestResponse> {
    return this.open(path, { ...options, method: 'HEAD' });
  }
  /** OPTIONS */
  options(path: string, options: ClientRequestOptions = {}): Promise<TestResponse> {
    return this.open(path, { ...options, method: 'OPTIONS' });
  }

  /**
   * Opens a WebSocket to the app in-process (no socket): the upgrade runs through routing and hooks, and
   * an answer other than an accepted upgrade rejects with `WebSocketRefused` (its status, headers, text).
   */
  async websocket(path: string, options: TestWebSocketOptions = {}): Promise<TestWebSocket> {
    const { protocols: _protocols, headers, ...rest } = options;
    const merged: [string, string][] = handshakeHeaders(options);
    const extra = new globalThis.Headers(headers as ConstructorParameters<typeof globalThis.Headers>[0]);
    for (const [k, v] of extra) {
      const i = merged.findIndex(([name]) => name.toLowerCase() === k);
      if (i !== -1) merged.splice(i, 1);
      merged.push([k, v]);
    }
    const pre = await buildRequest(
      path,
      { ...rest, method: 'GET', headers: merged },
      { host: this.defaultHost() },
    );
    const host = String(pre.raw.headers.host ?? this.defaultHost());
    const cookie = this.cookieHeader(host, pre.raw.url?.split('?')[0] ?? '/');
    if (cookie) {
      const cur = pre.raw.headers.cookie;
      pre.raw.headers.cookie = cur ? `${cookie}; ${cur}` : cookie;
    }
    const out = await openTestWebSocket(this.app, pre.raw, pre.scheme);
    this.updateCookies(out.setCookies, host, out.request.path);
    if (out.refused) throw out.refused;
    return out.ws as TestWebSocket;
  }

  /**
   * Opens the session the next request would see, lets `fn` change it, and stores the saved session
   * cookie in the jar (Flask's `session_transaction`). Resolves to `fn`'s return value.
   */
  async sessionTransaction<T>(
    fn: (session: Session) => T | Promise<T>,
    path = '/',
    options: TestRequestOptions = {},
  ): Promise<T> {
    if (!this.useCookies)
      throw new TypeError("Cookies are disabled. Create a client with 'useCookies: true'.");
    const app = this.app;
    const pre = await buildRequest(path, options, { host: this.defaultHost() });
    const host = String(pre.raw.headers.host ?? this.defaultHost());
    const cookie = this.cookieHeader(host, pre.raw.url?.split('?')[0] ?? '/');
    if (cookie) pre.raw.headers.cookie = cookie;
    const req = new Request(pre.raw);
    req._scheme = pre.scheme;
    const ctx = new RequestContext(app, req);
    return contextStorage.run(ctx, async () => {
      const iface = app.sessionInterface;
      const session = iface.openSession(app, req);
      if (session === null)
        throw new Error('Session backend did not open a session. Check the configuration (SECRET_KEY).');
      ctx._session = session;
      const rv = await fn(session);
      const resp = new Response('');
      if (!isNullSession(session)) iface.saveSession(app, session, resp);
      this.updateCookies(resp.headers.getSetCookie(), host, req.path);
      return rv;
    });
  }
}

/** Ends a streamed body that will not be read (runs generator `finally` blocks, closes file streams). */
async function closeUnread(response: Response): Promise<void> {
  const body = response.body as AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array | string>;
  const it = toAsyncIterable(body)[Symbol.asyncIterator]();
  await it.return?.();
}

function stripBodyHeaders(headers: TestRequestOptions['headers']): TestRequestOptions['headers'] {
  if (!headers) return headers;
  const drop = new Set(['content-type', 'content-length', 'transfer-encoding']);
  const out: [string, string][] = [];
  if (typeof globalThis.Headers === 'function' && headers instanceof globalThis.Headers) {
    headers.forEach((v, k) => {
      if (!drop.has(k)) out.push([k, v]);
    });
  } else if (Array.isArray(headers)) {
    for (const [k, v] of headers as readonly (readonly [string, string])[])
      if (!drop.has(k.toLowerCase())) out.push([k, v]);
  } else {
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
      if (v === undefined || drop.has(k.toLowerCase())) continue;
      if (Array.isArray(v)) for (const item of v) out.push([k, String(item)]);
      else out.push([k, String(v)]);
    }
  }
  return out;
}
