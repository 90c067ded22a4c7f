/**
 * The app every adapter serves in the behaviour matrix (test client, `app.fetch`, node:http, Phial's own
 * server, and `app.fetch` under Bun and Deno). No test-runner imports: the Bun/Deno runs bundle this file.
 */
import { abort, makeResponse, Phial, Response, redirect, session } from '../../src/index.js';

const enc = new TextEncoder();

/** Bytes 0..255 repeated: a body whose every byte can be checked. */
export function pattern(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = i & 0xff;
  return out;
}

/** A small checksum (sum of bytes mod 2^32) the app and the tests compute alike. */
export function checksum(bytes: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < bytes.length; i++) s = (s + (bytes[i] as number)) >>> 0;
  return s;
}

/** Stream views called, and stream bodies that started producing (a body that is not sent never starts). */
export const streamStats = { views: 0, produced: 0 };

export function makeMatrixApp(): Phial {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.config.SECRET_KEY = 'matrix-secret';
  app.logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Phial['logger'];

  // routing
  app.get('/', () => 'index');
  app.get('/user/<int:id>', (req) => `user ${String(req.params.id)} ${typeof req.params.id}`);
  app.get('/dir/', () => 'dir');
  app.get('/redirect', () => redirect('/'));
  app.get('/only-get', () => 'get');
  app.route('/methods', { methods: ['GET', 'PUT'] }, (req) => `method ${req.method}`);

  // JSON and bodies
  app.get('/json', () => ({ a: 1, é: 'ü', list: [1, 2] }));
  app.post('/echo-json', (req) => ({ got: req.json }));
  app.post('/echo-form', (req) => ({
    form: req.form.toObject(),
    files: [...req.files.entries()].map(([name, f]) => ({
      name,
      filename: f.filename,
      mimetype: f.mimetype,
      size: f.size,
    })),
  }));
  app.post('/upload', (req) => {
    const data = req.data;
    return { size: data.byteLength, sum: checksum(data) };
  });
  app.get('/large', () => new Response(pattern(1024 * 1024), { contentType: 'application/octet-stream' }));

  // cookies and the session
  app.get('/cookies', (req) => {
    const res = makeResponse(`seen ${req.cookies.flavor ?? 'none'}`);
    res.setCookie('flavor', 'choc', { path: '/' });
    res.setCookie('size', 'big', { path: '/', httpOnly: true });
    return res;
  });
  app.get('/session/set/<value>', (req) => {
    session.set('value', req.params.value);
    return 'stored';
  });
  app.get('/session/get', () => `value=${String(session.get('value') ?? 'none')}`);

  // streaming
  app.get('/stream', () => {
    streamStats.views++;
    return new Response(
      (async function* body() {
        streamStats.produced++;
        yield 'one,';
        await new Promise((r) => setTimeout(r, 1));
        yield enc.encode('two,');
        yield 'three';
      })(),
      { contentType: 'text/plain; charset=utf-8' },
    );
  });
  app.get(
    '/stream-sized',
    () =>
      new Response(
        (async function* body() {
          yield 'sized';
          yield ' body';
        })(),
        { headers: { 'Content-Length': '10', 'Content-Type': 'text/plain' } },
      ),
  );
  app.get(
    '/stream-overrun',
    () =>
      new Response(
        (async function* body() {
          yield 'declared';
          yield ' and then some more';
        })(),
        { headers: { 'Content-Length': '8', 'Content-Type': 'text/plain' } },
      ),
  );
  app.get(
    '/readable-stream',
    () =>
      new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(enc.encode('from a '));
          c.enqueue(enc.encode('ReadableStream'));
          c.close();
        },
      }),
  );

  // errors
  app.get('/error', () => {
    throw new Error('boom (hidden)');
  });
  app.get('/abort/<int:code>', (req) => abort(req.params.code as number));

  // statuses without content
  app.get(
    '/status/<int:code>',
    (req) => new Response('must not be sent', { status: req.params.code as number }),
  );
  app.get(
    '/status-stream/<int:code>',
    (req) =>
      new Response(
        (async function* body() {
          streamStats.produced++;
          yield 'must not be sent';
        })(),
        { status: req.params.code as number },
      ),
  );
  app.get(
    '/not-modified',
    () =>
      new Response('must not be sent', { status: 304, headers: { ETag: '"v1"', 'Content-Length': '16' } }),
  );

  // the head: encodings, framing headers from the app, reason phrases
  app.get('/headers/non-ascii', () => {
    const res = makeResponse('ok');
    res.headers.set('X-Latin', 'café');
    res.headers.set('X-Euro', '5 €');
    res.headers.set('X-Injected', 'a\r\nSet-Cookie: evil=1');
    return res;
  });
  app.get('/headers/wrong-length', () => new Response('hello world', { headers: { 'Content-Length': '3' } }));
  app.get(
    '/headers/app-transfer-encoding',
    () => new Response('framed by length', { headers: { 'Transfer-Encoding': 'chunked' } }),
  );
  app.get('/headers/no-content-type', () => {
    const res = new Response('no type');
    res.headers.delete('content-type');
    return res;
  });
  app.get('/reason/custom', () => new Response('custom', { status: 200, statusText: 'Very Fine' }));
  app.get('/reason/unknown', () => new Response('unknown', { status: 599 }));
  app.get('/utf8-path/<name>', (req) => `name=${String(req.params.name)}`);
  app.get('/echo-header', (req) => ({ value: req.headers.get('x-name') }));
  return app;
}
