/**
 * Builds the RawRequest the pipeline reads from test options (Werkzeug's `EnvironBuilder`): URL and
 * query, headers, and a body from `json`, `form`, `files` or `data`.
 */
import type { RawRequest } from '../http/request.js';

/** Header input of the test helpers. */
export type TestHeaders =
  | Record<string, string | number | readonly string[] | undefined>
  | readonly (readonly [string, string])[]
  | globalThis.Headers;

/** Options shared by the test client and `testRequestContext`. */
export interface TestRequestOptions {
  method?: string;
  /** Query values; merged after a query string in the path. */
  query?: Record<string, string | number | boolean | readonly (string | number | boolean)[]>;
  headers?: TestHeaders;
  /** Sent as `application/json`. */
  json?: unknown;
  /** Form fields; with any `File` the body is multipart, else urlencoded. */
  form?: Record<string, string | number | File | readonly (string | number | File)[]>;
  /** Files (the global `File`); makes the body multipart. */
  files?: Record<string, File | readonly File[]>;
  /** Raw body. */
  data?: string | Uint8Array | ArrayBuffer;
  /** Content-Type of `data` (or overrides the computed one). */
  contentType?: string;
  /** Client address seen by the app (default 127.0.0.1). */
  remoteAddr?: string;
}

/** The built request: the raw source plus what the adapter would know (scheme, full URL). */
export interface BuiltRequest {
  raw: RawRequest;
  scheme: string;
  url: URL;
  body: Uint8Array | null;
}

function toBytes(d: string | Uint8Array | ArrayBuffer): Uint8Array {
  if (typeof d === 'string') return new TextEncoder().encode(d);
  if (d instanceof Uint8Array) return d;
  return new Uint8Array(d);
}

function appendHeaders(
  target: Record<string, string | string[] | undefined>,
  headers: TestHeaders | undefined,
): void {
  if (!headers) return;
  const add = (k: string, v: string) => {
    const key = k.toLowerCase();
    const cur = target[key];
    if (cur === undefined) target[key] = v;
    else if (key === 'cookie') target[key] = `${cur}; ${v}`;
    else target[key] = Array.isArray(cur) ? [...cur, v] : [cur, v];
  };
  if (typeof globalThis.Headers === 'function' && headers instanceof globalThis.Headers) {
    headers.forEach((v, k) => {
      add(k, v);
    });
  } else if (Array.isArray(headers)) {
    for (const [k, v] of headers as readonly (readonly [string, string])[]) add(k, v);
  } else {
    const rec = headers as Record<string, string | number | readonly string[] | undefined>;
    for (const k of Object.keys(rec)) {
      const v = rec[k];
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) add(k, String(item));
      else add(k, String(v));
    }
  }
}

function isFile(v: unknown): v is File {
  return typeof File === 'function' && v instanceof File;
}

/** Builds a RawRequest for `path` (a path or an absolute URL) with the given options. */
export async function buildRequest(
  path: string,
  options: TestRequestOptions = {},
  defaults: { host?: string; scheme?: string; cookie?: string | null } = {},
): Promise<BuiltRequest> {
  let scheme = defaults.scheme ?? 'http';
  let host = defaults.host ?? 'localhost';
  let rest = path;
  const abs = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(path);
  if (abs) {
    scheme = (abs[1] as string).toLowerCase();
    host = abs[2] as string;
    rest = (abs[3] as string) || '/';
  }
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  if (!rest.startsWith('/')) rest = `/${rest}`;
  const q = rest.indexOf('?');
  const pathPart = q === -1 ? rest : rest.slice(0, q);
  let qs = q === -1 ? '' : rest.slice(q + 1);
  if (options.query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.query)) {
      if (Array.isArray(v)) for (const item of v) params.append(k, String(item));
      else params.append(k, String(v));
    }
    const extra = params.toString();
    if (extra) qs = qs ? `${qs}&${extra}` : extra;
  }
  const target = qs ? `${pathPart}?${qs}` : pathPart;
  const url = new URL(`${scheme}://${host}${target.replace(/^\/+/, '/')}`);
  const headers: Record<string, string | string[] | undefined> = Object.create(null);
  appendHeaders(headers, options.headers);
  if (headers.host === undefined) headers.host = host;
  if (defaults.cookie) {
    headers.cookie = headers.cookie ? `${defaults.cookie}; ${headers.cookie}` : defaults.cookie;
  }

  let body: Uint8Array | null = null;
  let contentType: string | undefined;
  const formValues = options.form ? Object.entries(options.form) : [];
  const hasFiles =
    options.files !== undefined ||
    formValues.some(([, v]) => isFile(v) || (Array.isArray(v) && v.some((x) => isFile(x))));
  if (options.json !== undefined) {
    body = toBytes(JSON.stringify(options.json));
    contentType = 'application/json';
  } else if (hasFiles) {
    const fd = new FormData();
    for (const [k, v] of formValues) {
      for (const item of Array.isArray(v) ? v : [v]) {
        if (isFile(item)) fd.append(k, item, item.name);
        else fd.append(k, String(item));
      }
    }
    for (const [k, v] of Object.entries(options.files ?? {})) {
      for (const f of Array.isArray(v) ? (v as readonly File[]) : [v as File]) fd.append(k, f, f.name);
    }
    const encoded = new globalThis.Response(fd);
    contentType = encoded.headers.get('content-type') ?? undefined;
    body = new Uint8Array(await encoded.arrayBuffer());
  } else if (options.form) {
    const params = new URLSearchParams();
    for (const [k, v] of formValues) {
      for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item));
    }
    body = toBytes(params.toString());
    contentType = 'application/x-www-form-urlencoded';
  } else if (options.data !== undefined) {
    body = toBytes(options.data);
  }
  if (options.contentType) contentType = options.contentType;
  if (contentType !== undefined && headers['content-type'] === undefined)
    headers['content-type'] = contentType;
  if (
    body !== null &&
    headers['content-length'] === undefined &&
    headers['transfer-encoding'] === undefined
  ) {
    headers['content-length'] = String(body.byteLength);
  }

  const bytes = body;
  const raw: RawRequest = {
    method: (options.method ?? 'GET').toUpperCase(),
    url: target,
    headers,
    socket: { remoteAddress: options.remoteAddr ?? '127.0.0.1', encrypted: scheme === 'https' },
    async *[Symbol.asyncIterator]() {
      if (bytes?.byteLength) yield bytes;
    },
  };
  return { raw, scheme, url, body };
}
