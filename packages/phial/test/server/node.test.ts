import { once } from 'node:events';
import type { Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Phial, Response } from '../../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function start(app: Phial): Promise<string> {
  const server = await app.listen(0);
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(text));
    let out = '';
    sock.on('data', (d) => {
      out += d.toString('latin1');
    });
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
    sock.setTimeout(3000, () => {
      sock.destroy();
      resolve(out);
    });
  });
}

function makeApp(): Phial {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.logger = { debug() {}, info() {}, warn() {}, error() {} };
  return app;
}

describe('node adapter over a real socket', () => {
  it('serves strings, JSON, params, HEAD and 404 with correct lengths', async () => {
    const app = makeApp();
    app.route('/', () => 'Hello, World!');
    app.get('/json', () => ({ b: 1, a: 'é' }));
    app.get('/u/<int:id>', (req) => `user ${req.params.id + 1}`);
    const base = await start(app);
    const r = await fetch(`${base}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-length')).toBe('13');
    expect(await r.text()).toBe('Hello, World!');
    const j = await fetch(`${base}/json`);
    expect(j.headers.get('content-type')).toBe('application/json');
    const body = await j.text();
    expect(JSON.parse(body)).toEqual({ a: 'é', b: 1 });
    expect(j.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    expect(await (await fetch(`${base}/u/41`)).text()).toBe('user 42');
    const h = await fetch(`${base}/`, { method: 'HEAD' });
    expect(h.status).toBe(200);
    expect(await h.text()).toBe('');
    expect((await fetch(`${base}/missing`)).status).toBe(404);
  });

  it('echoes POSTed JSON; malformed JSON is a 400; non-JSON content type is a 415', async () => {
    const app = makeApp();
    app.post('/echo', (req) => req.json as Record<string, unknown>);
    const base = await start(app);
    const ok = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"x":[1,2]}',
    });
    expect(await ok.json()).toEqual({ x: [1, 2] });
    const bad = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"x":',
    });
    expect(bad.status).toBe(400);
    const wrong = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(wrong.status).toBe(415);
  });

  it('a body over MAX_CONTENT_LENGTH is a 413', async () => {
    const app = makeApp();
    app.config.MAX_CONTENT_LENGTH = 1000;
    app.post('/up', (req) => `got ${req.data.byteLength}`);
    const base = await start(app);
    const small = await fetch(`${base}/up`, { method: 'POST', body: 'x'.repeat(10) });
    expect(await small.text()).toBe('got 10');
    const big = await fetch(`${base}/up`, { method: 'POST', body: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    expect((await fetch(`${base}/up`, { method: 'POST', body: 'y' })).status).toBe(200);
  });

  it('Expect: 100-continue over the limit gets 413 without 100 Continue', async () => {
    const app = makeApp();
    app.config.MAX_CONTENT_LENGTH = 100;
    app.post('/up', (req) => `got ${req.data.byteLength}`);
    const base = await start(app);
    const port = Number(new URL(base).port);
    const out = await rawExchange(
      port,
      'POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n',
    );
    expect(out).not.toContain('100 Continue');
    expect(out).toMatch(/^HTTP\/1\.1 413 /);
    // under the limit the client is told to continue and the body is read
    const status = await new Promise<{ status: number; body: string; continued: boolean }>(
      (resolve, reject) => {
        const req = httpRequest(`${base}/up`, {
          method: 'POST',
          headers: { 'content-length': '5', expect: '100-continue' },
        });
        let continued = false;
        req.on('continue', () => {
          continued = true;
          req.end('hello');
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (d) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, continued }));
        });
        req.on('error', reject);
      },
    );
    expect(status).toEqual({ status: 200, body: 'got 5', continued: true });
  });

  it('malformed requests get a 4xx and the server keeps serving', async () => {
    const app = makeApp();
    app.get('/', () => 'alive');
    const base = await start(app);
    const port = Number(new URL(base).port);
    const out = await rawExchange(port, 'GARBAGE\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 400 /);
    const out2 = await rawExchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`);
    expect(out2).toMatch(/^HTTP\/1\.1 431 /);
    expect(await (await fetch(`${base}/`)).text()).toBe('alive');
  });

  it('CR/LF in a header value never splits the header and never crashes', async () => {
    const app = makeApp();
    app.get('/', (req) => {
      const res = new Response('ok');
      res.headers.set('X-Echo', req.args.get('v') ?? '');
      res.setCookie('c', req.args.get('v') ?? '');
      return res;
    });
    const base = await start(app);
    const r = await fetch(`${base}/?v=${encodeURIComponent('a\r\nSet-Cookie: evil=1\r\n\r\nbody')}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-echo')).toBe('a Set-Cookie: evil=1 body');
    expect(r.headers.getSetCookie()).toHaveLength(1);
    expect(r.headers.getSetCookie()[0]).toMatch(/^c=a%0D%0ASet-Cookie/);
    const u = await fetch(`${base}/?v=${encodeURIComponent('ünï ✓')}`);
    expect(u.status).toBe(200);
  });

  it('HEAD on a streamed response sends headers only and does not run the producer', async () => {
    const app = makeApp();
    let produced = 0;
    app.get('/s', async function* () {
      produced++;
      yield 'data';
    });
    const base = await start(app);
    const r = await fetch(`${base}/s`, { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('');
    expect(produced).toBe(0);
    expect(await (await fetch(`${base}/s`)).text()).toBe('data');
    expect(produced).toBe(1);
  });

  it('bad statuses and reason phrases never crash the server', async () => {
    const app = makeApp();
    app.get('/bad', () => new Response('x', { status: 42 }));
    app.get('/reason', () => new Response('x', { status: 299, statusText: 'Fine\r\nX-Evil: 1' }));
    const base = await start(app);
    expect((await fetch(`${base}/bad`)).status).toBe(500);
    const r = await fetch(`${base}/reason`);
    expect(r.status).toBe(299);
    expect(r.headers.get('x-evil')).toBeNull();
    expect(r.statusText).toBe('Fine X-Evil: 1');
  });

  it('streams chunks and stops the producer when the client goes away', async () => {
    const app = makeApp();
    let finished = false;
    let aborted = false;
    app.get('/stream', (req) => {
      req.signal.addEventListener('abort', () => {
        aborted = true;
      });
      return (async function* () {
        try {
          for (let i = 0; i < 1000; i++) {
            yield `chunk ${i}\n`;
            await new Promise((r) => setTimeout(r, 5));
          }
        } finally {
          finished = true;
        }
      })();
    });
    app.get('/short', async function* () {
      yield 'a';
      yield 'b';
    });
    const base = await start(app);
    const s = await fetch(`${base}/short`);
    expect(s.headers.get('transfer-encoding')).toBe('chunked');
    expect(await s.text()).toBe('ab');
    const ac = new AbortController();
    const r = await fetch(`${base}/stream`, { signal: ac.signal });
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('chunk 0');
    ac.abort();
    for (let i = 0; i < 50 && !finished; i++) await new Promise((res) => setTimeout(res, 20));
    expect(finished).toBe(true);
    expect(aborted).toBe(true);
  });

  it('an error that escapes in debug mode answers 500 with the trace and keeps serving', async () => {
    const app = makeApp();
    app.debug = true;
    app.get('/boom', () => {
      throw new Error('kaboom');
    });
    app.get('/', () => 'fine');
    const base = await start(app);
    const r = await fetch(`${base}/boom`);
    expect(r.status).toBe(500);
    expect(await r.text()).toContain('kaboom');
    app.debug = false;
    const r2 = await fetch(`${base}/boom`);
    expect(r2.status).toBe(500);
    expect(await r2.text()).not.toContain('kaboom');
    expect(await (await fetch(`${base}/`)).text()).toBe('fine');
  });

  it('app.handler works with a plain node server; listen closes cleanly', async () => {
    const app = makeApp();
    app.get('/', () => 'via handler');
    const { createServer } = await import('node:http');
    const server = createServer(app.handler);
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('via handler');
  });
});
