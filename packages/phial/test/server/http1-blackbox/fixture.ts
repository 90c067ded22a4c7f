/** The app every black-box test talks to: a few views that expose what the server handed the app. */
import type { Phial } from '../../../src/index.js';
import { Response } from '../../../src/index.js';
import { quietApp } from './harness.js';

/** What the views observed (hit counters, stream lifecycle). */
export interface Probe {
  hits: Map<string, number>;
  streamFinally: number;
  /** Response.callOnClose callbacks seen, by tag. */
  closed: Map<string, number>;
  aborts: number;
  produced: number;
}

export function makeProbe(): Probe {
  return { hits: new Map(), streamFinally: 0, aborts: 0, produced: 0, closed: new Map() };
}

function hit(p: Probe, k: string): void {
  p.hits.set(k, (p.hits.get(k) ?? 0) + 1);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Builds the standard app; `limit` sets MAX_CONTENT_LENGTH. */
export function makeApp(probe: Probe = makeProbe(), limit: number | null = 1_000_000): Phial {
  const app = quietApp();
  app.config.MAX_CONTENT_LENGTH = limit;
  // /echo reads raw bodies into memory: allow them up to the same limit (the default caps them at 4 MiB)
  app.config.MAX_BODY_MEMORY_SIZE = limit;
  app.route('/', () => 'Hello, World!');
  app.get('/n/<int:i>', (req) => `n=${req.params.i}`);
  app.route('/echo', { methods: ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'] }, (req) => {
    hit(probe, 'echo');
    const body = req.getData(true);
    return new Response(JSON.stringify({ method: req.method, len: Buffer.byteLength(body), body }), {
      mimetype: 'application/json',
    });
  });
  app.route('/admin', { methods: ['GET', 'POST'] }, () => {
    hit(probe, 'admin');
    return 'admin area';
  });
  app.get('/headers', (req) => {
    const out: Record<string, string> = {};
    for (const [k, v] of req.headers.entries()) out[k] = v;
    return out;
  });
  app.get('/args', (req) => ({ args: Object.fromEntries(req.args.items()), path: req.path }));
  app.post('/json', (req) => ({ got: req.json as unknown }));
  app.post('/form', (req) => {
    const files: Record<string, { filename: string | null; text: string; type: string }> = {};
    for (const [k, f] of req.files.items())
      files[k] = { filename: f.filename, text: f.text(), type: f.mimetype };
    return { form: Object.fromEntries(req.form.items()), files };
  });
  app.get('/nocontent', () => new Response(null, { status: 204 }));
  app.get('/notmodified', () => new Response(null, { status: 304, headers: { ETag: '"v1"' } }));
  app.get('/throw', () => {
    throw new Error('boom');
  });
  app.get('/inject', (req) => {
    const v = req.args.get('v') ?? '';
    return new Response('ok', { headers: { 'X-Echo': v } });
  });
  app.get('/inject-status', () => new Response('ok', { status: 200, statusText: 'OK\r\nX-Evil: 1' }));
  app.get('/stream', (req) => {
    const n = Number(req.args.get('n') ?? '5');
    async function* gen() {
      for (let i = 0; i < n; i++) yield `part${i};`;
    }
    return new Response(gen(), { mimetype: 'text/plain' });
  });
  app.get('/big', (req) => {
    const total = Number(req.args.get('mb') ?? '8') * 1024 * 1024;
    const size = 64 * 1024;
    async function* gen() {
      for (let off = 0; off < total; off += size) {
        const c = new Uint8Array(size);
        // each chunk filled with its index (mod 251) so gaps/reordering are visible
        c.fill((off / size) % 251);
        probe.produced += size;
        yield c;
      }
    }
    return new Response(gen(), { mimetype: 'application/octet-stream' });
  });
  app.get('/endless', (req) => {
    req.signal.addEventListener('abort', () => {
      probe.aborts++;
    });
    async function* gen() {
      try {
        for (let i = 0; ; i++) {
          yield `tick ${i}\n`;
          await sleep(10);
        }
      } finally {
        probe.streamFinally++;
      }
    }
    return new Response(gen(), { mimetype: 'text/plain' });
  });
  app.get('/slow', async (req) => {
    await sleep(Number(req.args.get('ms') ?? '150'));
    return 'slow done';
  });
  app.get('/redirect', () => new Response('', { status: 302, headers: { Location: '/target' } }));
  app.get('/cookie', () => {
    const r = new Response('c');
    r.headers.append('Set-Cookie', 'a=1; Path=/');
    r.headers.append('Set-Cookie', 'b=2; Path=/');
    return r;
  });
  app.get('/dir/', () => 'directory');
  app.get('/close-hangs', (req) => {
    async function* gen() {
      yield 'streamed;';
    }
    const res = req.args.has('string')
      ? new Response('plain')
      : new Response(gen(), { mimetype: 'text/plain' });
    // a cleanup that never settles (a stuck pool release, say)
    res.callOnClose(() => new Promise<void>(() => {}));
    return res;
  });
  app.get('/webstream', () => {
    const parts = ['web', 'stream', '', 'é'];
    const rs = new ReadableStream<string>({
      pull(c) {
        const p = parts.shift();
        if (p === undefined) c.close();
        else c.enqueue(p);
      },
    });
    return new Response(rs, { mimetype: 'text/plain' });
  });
  app.get('/date-set', () => new Response('d', { headers: { Date: 'Mon, 01 Jan 2024 00:00:00 GMT' } }));
  app.route('/oc/<tag>', { methods: ['GET', 'POST'] }, async (req) => {
    const tag = req.params.tag;
    const kind = req.args.get('kind') ?? 'string';
    if (req.args.has('wait')) await sleep(Number(req.args.get('wait')));
    let res: Response;
    if (kind === 'string') res = new Response('closing');
    else if (kind === '204') res = new Response(null, { status: 204 });
    else {
      const n = kind === 'endless' ? Number.POSITIVE_INFINITY : 3;
      const fail = kind === 'fail';
      async function* gen() {
        for (let i = 0; i < n; i++) {
          if (fail && i === 1) throw new Error('stream broke');
          yield `c${i};`;
          if (n === Number.POSITIVE_INFINITY) await sleep(10);
        }
      }
      res = new Response(gen(), { mimetype: 'text/plain' });
    }
    res.callOnClose(() => {
      probe.closed.set(tag, (probe.closed.get(tag) ?? 0) + 1);
    });
    return res;
  });
  app.get('/close-me', () => new Response('bye', { headers: { Connection: 'close' } }));
  app.get('/te-header', () => new Response('abc', { headers: { 'Transfer-Encoding': 'chunked' } }));
  app.get('/cl-header', () => new Response('abc', { headers: { 'Content-Length': '3' } }));
  app.get('/204-with-body', () => new Response('oops', { status: 204 }));
  app.get('/304-with-body', () => new Response('oops', { status: 304 }));
  app.get('/204-stream', () => {
    async function* gen() {
      yield 'never';
    }
    return new Response(gen(), { status: 204 });
  });
  app.get('/blob', (req) => 'x'.repeat(Number(req.args.get('kb') ?? '1') * 1024));
  app.get('/bytes', () => {
    const b = new Uint8Array(300_000);
    for (let i = 0; i < b.length; i++) b[i] = i % 256;
    return new Response(b, { mimetype: 'application/octet-stream' });
  });
  app.get(
    '/status-text',
    (req) => new Response('st', { status: 299, statusText: req.args.get('t') ?? 'Fine' }),
  );
  app.get('/stream-fail', (req) => {
    const early = req.args.get('early') === '1';
    async function* gen() {
      if (early) throw new Error('fails before the first chunk');
      yield 'first;';
      yield 'second;';
      throw new Error('fails mid-stream');
    }
    return new Response(gen(), { mimetype: 'text/plain' });
  });
  app.get('/unicode/<name>', (req) => `hi ${req.params.name}`);
  return app;
}
