/**
 * The behaviour matrix: requests and what every adapter must answer to them. A case names the request
 * and the response as a client sees it; `matrix.test.ts` runs each case through every adapter.
 */
import { checksum, pattern } from './app.js';

/** A response as every adapter driver reports it (header names lower-case, several values joined). */
export interface Seen {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  setCookies: string[];
  body: Uint8Array;
}

export interface MatrixRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface Expected {
  status: number;
  statusText?: string;
  /** Header value, a pattern, or null for "absent". Hop-by-hop headers are never compared. */
  headers?: Record<string, string | RegExp | null>;
  /** Exact body (string: UTF-8), a pattern over the text, or a size/checksum for bytes. */
  body?: string | RegExp | { size: number; sum: number };
  json?: unknown;
  setCookies?: RegExp[];
}

export interface MatrixCase {
  name: string;
  request: MatrixRequest;
  expect: Expected;
  /** Adapters that cannot give this answer by nature (documented in docs/serving.md), with why. */
  skip?: Partial<Record<AdapterName, string>>;
}

export type AdapterName = 'client' | 'fetch' | 'node' | 'phial' | 'phial-observed' | 'bun' | 'deno';

const BOUNDARY = '----phialmatrix';
const multipart = [
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nhéllo\r\n`,
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="doc"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n`,
  'file body\n',
  `\r\n--${BOUNDARY}--\r\n`,
].join('');

const UPLOAD = pattern(700 * 1024);
const LARGE = pattern(1024 * 1024);
/** The wire form of a header value above U+00FF: its UTF-8 bytes, read back as latin1. */
const EURO = Buffer.from('5 €', 'utf8').toString('latin1');

export const CASES: MatrixCase[] = [
  // routing
  {
    name: 'GET / (a string view: HTML, exact length)',
    request: { path: '/' },
    expect: {
      status: 200,
      statusText: 'OK',
      headers: { 'content-type': 'text/html; charset=utf-8', 'content-length': '5' },
      body: 'index',
    },
  },
  {
    name: 'an int converter',
    request: { path: '/user/42' },
    expect: { status: 200, body: 'user 42 number' },
  },
  {
    name: 'an unknown URL → 404 page',
    request: { path: '/missing' },
    expect: {
      status: 404,
      statusText: 'Not Found',
      headers: { 'content-type': /^text\/html/ },
      body: /Not Found/,
    },
  },
  {
    name: 'a converter that does not match → 404',
    request: { path: '/user/abc' },
    expect: { status: 404 },
  },
  {
    name: 'a wrong method → 405 with Allow',
    request: { method: 'POST', path: '/only-get' },
    expect: { status: 405, headers: { allow: 'GET, HEAD, OPTIONS' }, body: /Method Not Allowed/ },
  },
  {
    name: 'a declared method',
    request: { method: 'PUT', path: '/methods' },
    expect: { status: 200, body: 'method PUT' },
  },
  {
    name: 'the slashless URL of a branch rule → 308',
    request: { path: '/dir' },
    expect: { status: 308, headers: { location: /\/dir\/$/ } },
  },
  {
    name: 'a redirect() → 302 with Location',
    request: { path: '/redirect' },
    expect: { status: 302, headers: { location: /^(http:\/\/[^/]+)?\/$/ }, body: /Redirecting/ },
  },
  {
    name: 'a percent-encoded UTF-8 path segment',
    request: { path: '/utf8-path/caf%C3%A9' },
    expect: { status: 200, body: 'name=café' },
  },
  // HEAD and OPTIONS
  {
    name: 'HEAD of a string view: no body, the GET body length',
    request: { method: 'HEAD', path: '/' },
    expect: {
      status: 200,
      headers: { 'content-length': '5', 'content-type': 'text/html; charset=utf-8' },
      body: '',
    },
  },
  {
    name: 'HEAD of a stream: no body, no length',
    request: { method: 'HEAD', path: '/stream' },
    expect: {
      status: 200,
      headers: { 'content-length': null, 'content-type': 'text/plain; charset=utf-8' },
      body: '',
    },
    skip: {
      bun: 'Bun.serve answers HEAD of a body-less Response with Content-Length: 0',
      deno: 'Deno.serve answers HEAD of a body-less Response with Content-Length: 0',
    },
  },
  {
    name: 'HEAD of a stream with a declared length keeps the length',
    request: { method: 'HEAD', path: '/stream-sized' },
    expect: { status: 200, headers: { 'content-length': '10' }, body: '' },
  },
  {
    name: 'automatic OPTIONS',
    request: { method: 'OPTIONS', path: '/methods' },
    expect: { status: 200, headers: { allow: 'GET, HEAD, OPTIONS, PUT' }, body: '' },
  },
  // JSON and bodies
  {
    name: 'a JSON view',
    request: { path: '/json' },
    expect: {
      status: 200,
      headers: { 'content-type': 'application/json' },
      json: { a: 1, é: 'ü', list: [1, 2] },
    },
  },
  {
    name: 'a JSON request body',
    request: {
      method: 'POST',
      path: '/echo-json',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: [1, 'ü'] }),
    },
    expect: { status: 200, json: { got: { x: [1, 'ü'] } } },
  },
  {
    name: 'a malformed JSON body → 400',
    request: {
      method: 'POST',
      path: '/echo-json',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    },
    expect: { status: 400 },
  },
  {
    name: 'an urlencoded form',
    request: {
      method: 'POST',
      path: '/echo-form',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=%C3%A9&b=2',
    },
    expect: { status: 200, json: { form: { a: '1', b: 'é' }, files: [] } },
  },
  {
    name: 'a multipart form with a file',
    request: {
      method: 'POST',
      path: '/echo-form',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: multipart,
    },
    expect: {
      status: 200,
      json: {
        form: { title: 'héllo' },
        files: [{ name: 'doc', filename: 'a.txt', mimetype: 'text/plain', size: 10 }],
      },
    },
  },
  {
    name: 'a 700 KiB upload arrives whole',
    request: {
      method: 'POST',
      path: '/upload',
      headers: { 'content-type': 'application/octet-stream' },
      body: UPLOAD,
    },
    expect: { status: 200, json: { size: UPLOAD.byteLength, sum: checksum(UPLOAD) } },
  },
  {
    name: 'a 1 MiB response arrives whole, with its length',
    request: { path: '/large' },
    expect: {
      status: 200,
      headers: { 'content-length': String(LARGE.byteLength), 'content-type': 'application/octet-stream' },
      body: { size: LARGE.byteLength, sum: checksum(LARGE) },
    },
  },
  // cookies and the session
  {
    name: 'cookies in and Set-Cookie out (two headers, never joined)',
    request: { path: '/cookies', headers: { cookie: 'flavor=vanilla' } },
    expect: {
      status: 200,
      body: 'seen vanilla',
      setCookies: [/^flavor=choc; Path=\/$/, /^size=big; Path=\/; HttpOnly$/],
    },
  },
  // streaming
  {
    name: 'a streamed body: no length, every chunk',
    request: { path: '/stream' },
    expect: { status: 200, headers: { 'content-length': null }, body: 'one,two,three' },
  },
  {
    name: 'a stream with a declared length is sent with it',
    request: { path: '/stream-sized' },
    expect: { status: 200, headers: { 'content-length': '10' }, body: 'sized body' },
  },
  {
    name: 'a stream longer than its declared length: exactly the declared bytes, the next answer intact',
    request: { path: '/stream-overrun' },
    expect: { status: 200, headers: { 'content-length': '8' }, body: 'declared' },
  },
  {
    name: 'a ReadableStream body',
    request: { path: '/readable-stream' },
    expect: { status: 200, headers: { 'content-length': null }, body: 'from a ReadableStream' },
    skip: { bun: 'Bun.serve sends a ReadableStream that is already complete with its length' },
  },
  // errors
  {
    name: 'an exception → the 500 page (no details)',
    request: { path: '/error' },
    expect: {
      status: 500,
      statusText: 'Internal Server Error',
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: /^(?![\s\S]*hidden)[\s\S]*Internal Server Error/,
    },
  },
  {
    name: 'abort(403)',
    request: { path: '/abort/403' },
    expect: { status: 403, statusText: 'Forbidden', body: /Forbidden/ },
  },
  // statuses without content
  {
    name: '204: no body, no Content-Length',
    request: { path: '/status/204' },
    expect: { status: 204, headers: { 'content-length': null }, body: '' },
  },
  {
    name: '205: no body, Content-Length: 0',
    request: { path: '/status/205' },
    expect: { status: 205, headers: { 'content-length': '0' }, body: '' },
    skip: {
      deno: 'Deno.serve drops Content-Length: 0 from a 205 and keeps the connection open (the client waits for the end)',
    },
  },
  {
    name: '205 with a streamed body: the stream is not sent',
    request: { path: '/status-stream/205' },
    expect: { status: 205, headers: { 'content-length': '0' }, body: '' },
    skip: {
      deno: 'Deno.serve drops Content-Length: 0 from a 205 and keeps the connection open (the client waits for the end)',
    },
  },
  {
    name: '304: no body, the ETag and the declared length kept',
    request: { path: '/not-modified' },
    expect: { status: 304, headers: { etag: '"v1"', 'content-length': '16' }, body: '' },
    skip: { deno: 'Deno.serve drops the Content-Length of a 304' },
  },
  {
    name: '304 from a plain body: no length of its own',
    request: { path: '/status/304' },
    expect: { status: 304, headers: { 'content-length': null }, body: '' },
  },
  // the head
  {
    name: 'non-ASCII header values go out as latin1 bytes; CR/LF cannot inject a header',
    request: { path: '/headers/non-ascii' },
    expect: {
      status: 200,
      headers: { 'x-latin': 'café', 'x-euro': EURO, 'x-injected': 'a Set-Cookie: evil=1' },
      setCookies: [],
      body: 'ok',
    },
  },
  {
    name: 'a request header with a latin1 byte reaches the app as that character',
    request: { path: '/echo-header', headers: { 'x-name': 'café' } },
    expect: { status: 200, json: { value: 'café' } },
  },
  {
    name: "a wrong Content-Length from the app is replaced by the body's",
    request: { path: '/headers/wrong-length' },
    expect: { status: 200, headers: { 'content-length': '11' }, body: 'hello world' },
  },
  {
    name: "the app's Transfer-Encoding is never sent (framing is the server's)",
    request: { path: '/headers/app-transfer-encoding' },
    expect: {
      status: 200,
      headers: { 'content-length': '16', 'transfer-encoding': null },
      body: 'framed by length',
    },
  },
  {
    name: 'a body without Content-Type gets none',
    request: { path: '/headers/no-content-type' },
    expect: { status: 200, headers: { 'content-type': null, 'content-length': '7' }, body: 'no type' },
    skip: { bun: 'Bun.serve adds Content-Type: application/octet-stream to a bytes body' },
  },
  {
    name: 'a custom reason phrase',
    request: { path: '/reason/custom' },
    expect: { status: 200, statusText: 'Very Fine', body: 'custom' },
    skip: { bun: 'Bun.serve writes its own reason phrase', deno: 'Deno.serve writes its own reason phrase' },
  },
  {
    name: 'an unknown status code: UNKNOWN',
    request: { path: '/reason/unknown' },
    expect: { status: 599, statusText: 'UNKNOWN', body: 'unknown' },
    skip: { bun: 'Bun.serve writes its own reason phrase', deno: 'Deno.serve writes its own reason phrase' },
  },
];
