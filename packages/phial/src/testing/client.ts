/**
 * The test client (Flask's `FlaskClient`): sends requests through the app in-process (no socket),
 * keeps cookies, follows redirects, and buffers each response.
 */
import { parseSetCookie } from 'cookie';
import { contextStorage, RequestContext } from '../app/context.js';
import type { Phial } from '../app/phial.js';
import { isNullSession, type Session } from '../app/sessions.js';
import { Request } from '../http/request.js';
import { isJsonMimetype, Response, toAsyncIterable } from '../http/response.js';
import { safeHeaderValue } from '../http/security.js';
import { buildRequest, type TestRequestOptions } from './builder.js';

/** Options of `app.testClient()`. */
export interface TestClientOptions {
  /** Keep cookies between requests (default true). */
  useCookies?: boolean;
}

/** Options of a client request. */
export interface ClientRequestOptions extends TestRequestOptions {
  /** Follow redirects; earlier responses go to `history`. */
  followRedirects?: boolean;
}

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

/** Statuses whose responses never carry a body (the server sends none, and no Content-Length). */
function bodyless(status: number): boolean {
  return status === 204 || status === 304 || status < 200;
}
const REDIRECTS = new Set([301, 302, 303, 305, 307, 308]);

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
    this.statusText = safeHeaderValue(response.statusText);
    this.isStreamed = isStreamed;
    const h = new globalThis.Headers();
    for (const [k, v] of response.headers.items()) h.append(k, v);
    if (!h.has('content-length') && !isStreamed && !bodyless(response.status)) {
      // what the node adapter writes (HEAD keeps the length of the GET body it does not send)
      h.set('content-length', String(response.contentLength ?? data.byteLength));
    }
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
    const response = await this.app._dispatch(pre.raw, (req) => {
      req._scheme = pre.scheme;
      dispatched = req;
    });
    // Read the body as the node adapter sends it: none for HEAD, 204, 304 and 1xx (a stream is closed
    // without being produced), the whole body otherwise. `isStreamed` is taken before buffering.
    const streamed = response.isStreamed;
    let data: Uint8Array = EMPTY;
    try {
      if (pre.raw.method !== 'HEAD' && !bodyless(response.status)) data = await response.buffer();
      else if (streamed) await closeUnread(response);
    } finally {
      await response._close();
    }
    const req = dispatched as unknown as Request;
    this.updateCookies(response.headers.getSetCookie(), host, req.path);
    return new TestResponse(response, data, req, streamed);
  }

  /** Sends a request (`method` in options, GET by default). */
  async open(path: string, options: ClientRequestOptions = {}): Promise<TestResponse> {
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

  /** GET */
  get(path: string, options: ClientRequestOptions = {}): Promise<TestResponse> {
    return this.open(path, { ...options, method: 'GET' });
  }
  /** POST */
  post(path: string, options: ClientRequestOptions = {}): Promise<TestResponse> {
    return this.open(path, { ...options, method: 'POST' });
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
