/** The app the HTTP/1.1 server tests talk to. */
import type { Phial } from '../../../src/index.js';
import { Response } from '../../../src/index.js';
import { quietApp, sleep } from './helpers.js';

/** What the views saw (aborts, stream cleanup). */
export interface Probe {
  aborts: number;
  streamsClosed: number;
  hits: number;
}

export function makeApp(probe: Probe = { aborts: 0, streamsClosed: 0, hits: 0 }): Phial {
  const app = quietApp();
  app.config.MAX_CONTENT_LENGTH = 1000;
  app.get('/plaintext', () => {
    probe.hits++;
    return new Response('Hello, World!', { contentType: 'text/plain' });
  });
  app.get('/unicode', () => 'héllo ☃');
  app.get(
    '/bytes',
    () => new Response(new Uint8Array([1, 2, 3, 250]), { contentType: 'application/octet-stream' }),
  );
  app.get(
    '/big',
    () => new Response(new Uint8Array(100_000).fill(97), { contentType: 'application/octet-stream' }),
  );
  app.get('/none', () => new Response(null, { status: 204 }));
  app.get('/notmod', () => new Response(null, { status: 304 }));
  app.get('/slow', async () => {
    await sleep(60);
    return 'slow';
  });
  app.get('/n/<int:n>', (req) => `n=${(req.params as { n: number }).n}`);
  app.route('/echo', { methods: ['POST', 'PUT'] }, (req) => ({
    len: req.data.byteLength,
    body: req.getData(true),
  }));
  app.post('/json', (req) => ({ got: req.getJson() }));
  app.post('/form', (req) => ({ form: Object.fromEntries(req.form.entries()) }));
  app.post('/upload', (req) => {
    const f = req.files.get('file');
    return { field: req.form.get('field'), filename: f?.filename, text: f?.text() };
  });
  app.get('/headers', (req) => ({ ...req.raw.headers }));
  app.get('/stream', () => {
    async function* gen() {
      try {
        for (let i = 0; i < 3; i++) {
          yield `part${i};`;
          await sleep(5);
        }
      } finally {
        probe.streamsClosed++;
      }
    }
    return new Response(gen(), { contentType: 'text/plain' });
  });
  app.get('/endless', (req) => {
    req.signal.addEventListener('abort', () => {
      probe.aborts++;
    });
    async function* gen() {
      try {
        for (;;) {
          yield 'tick\n';
          await sleep(5);
        }
      } finally {
        probe.streamsClosed++;
      }
    }
    return new Response(gen(), { contentType: 'text/plain' });
  });
  app.get('/wait', async (req) => {
    req.signal.addEventListener('abort', () => {
      probe.aborts++;
    });
    await sleep(300);
    return 'waited';
  });
  app.get('/inject', () => {
    const r = new Response('ok');
    r.headers.set('X-A', 'a\r\nSet-Cookie: evil=1');
    // bypass the Headers API too: the writer must still never split a header
    r.headers._keys.push('x-b');
    r.headers._names.push('X-B');
    r.headers._values.push('b\r\n\r\nHTTP/1.1 200 OK');
    return r;
  });
  app.get('/badreason', () => new Response('x', { status: 200, statusText: 'Fine\r\nX-Evil: 1' }));
  app.get('/close', () => {
    const r = new Response('bye');
    r.headers.set('Connection', 'close');
    return r;
  });
  app.get('/keep', () => {
    const r = new Response('kept');
    r.headers.set('Connection', 'keep-alive');
    return r;
  });
  app.get('/close-hangs', () => {
    const r = new Response('done');
    r.callOnClose(() => new Promise(() => {}));
    return r;
  });
  app.get('/boom', () => {
    throw new Error('boom');
  });
  app.get('/cookies', () => {
    const r = new Response('c');
    r.setCookie('a', '1');
    r.setCookie('b', '2');
    return r;
  });
  return app;
}
