/**
 * `app.wsgiApp` is the one seam between the adapters and the app (Flask's `wsgi_app`): wrapping it must change
 * what every adapter serves: the test client, `app.fetch`, node:http (`app.handler`) and Phial's own server.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Phial, type WsgiApp } from '../../src/index.js';

function makeApp(): { app: Phial; seen: string[] } {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.get('/', () => 'home');
  app.get('/inner', (req) => `inner ${req.headers.get('x-mw') ?? '-'}`);
  const seen: string[] = [];
  // middleware: logs the raw request, rewrites /outer to /inner, tags the request and the response
  const inner = app.wsgiApp;
  const wrapped: WsgiApp = (raw, setup, data) => {
    seen.push(`${raw.method} ${raw.url}`);
    if (raw.url === '/outer') raw.url = '/inner';
    raw.headers['x-mw'] = 'yes';
    const out = inner(raw, setup, data);
    const tag = (res: Awaited<typeof out>) => {
      res.headers.set('X-Wrapped', '1');
      return res;
    };
    return out instanceof Promise ? out.then(tag) : tag(out as Awaited<typeof out>);
  };
  app.wsgiApp = wrapped;
  return { app, seen };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function overSocket(
  server: Server,
  path: string,
): Promise<{ status: number; text: string; wrapped: string | null }> {
  servers.push(server);
  const port = (server.address() as AddressInfo).port;
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, text: await r.text(), wrapped: r.headers.get('x-wrapped') };
}

describe('app.wsgiApp is what every adapter calls', () => {
  it('the test client', async () => {
    const { app, seen } = makeApp();
    const r = await app.testClient().get('/outer');
    expect([r.status, r.text, r.headers.get('x-wrapped')]).toEqual([200, 'inner yes', '1']);
    expect(seen).toEqual(['GET /outer']);
  });

  it('app.fetch', async () => {
    const { app, seen } = makeApp();
    const r = await app.fetch(new Request('http://localhost/outer'));
    expect([r.status, await r.text(), r.headers.get('x-wrapped')]).toEqual([200, 'inner yes', '1']);
    expect(seen).toEqual(['GET /outer']);
  });

  it("node:http (app.handler, app.listen({ server: 'node' }))", async () => {
    const { app, seen } = makeApp();
    const server = await app.listen(0, '127.0.0.1', { server: 'node' });
    expect(await overSocket(server, '/outer')).toEqual({ status: 200, text: 'inner yes', wrapped: '1' });
    expect(seen).toEqual(['GET /outer']);
  });

  it("Phial's HTTP/1.1 server (app.listen)", async () => {
    const { app, seen } = makeApp();
    const server = await app.listen(0, '127.0.0.1', { server: 'phial' });
    expect(await overSocket(server, '/outer')).toEqual({ status: 200, text: 'inner yes', wrapped: '1' });
    expect(await overSocket(server, '/')).toEqual({ status: 200, text: 'home', wrapped: '1' });
    expect(seen).toEqual(['GET /outer', 'GET /']);
  });

  it('app.dispatch (the promise form) goes through it too', async () => {
    const { app, seen } = makeApp();
    const raw = {
      method: 'GET',
      url: '/outer',
      headers: { host: 'localhost' },
      async *[Symbol.asyncIterator]() {},
    };
    const res = await app.dispatch(raw);
    expect([res.status, res.headers.get('x-wrapped')]).toEqual([200, '1']);
    expect(seen).toEqual(['GET /outer']);
  });

  it('a middleware can answer by itself without calling the app', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.get('/', () => 'app');
    const inner = app.wsgiApp;
    const { Response } = await import('../../src/index.js');
    app.wsgiApp = (raw, setup, data) =>
      raw.headers['x-block'] ? new Response('blocked', { status: 403 }) : inner(raw, setup, data);
    const c = app.testClient();
    expect((await c.get('/', { headers: { 'X-Block': '1' } })).status).toBe(403);
    expect((await c.get('/')).text).toBe('app');
  });
});
