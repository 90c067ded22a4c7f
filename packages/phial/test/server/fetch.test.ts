import { describe, expect, it } from 'vitest';
import { g, Phial, Response, request } from '../../src/index.js';

function makeApp(): Phial {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.logger = { debug() {}, info() {}, warn() {}, error() {} };
  return app;
}

describe('app.fetch', () => {
  it('dispatches Web Requests and returns Web Responses', async () => {
    const app = makeApp();
    app.get('/hi/<name>', (req) => `hi ${req.params.name} ${req.scheme} ${req.host}`);
    app.post('/echo', (req) => ({ got: req.json }));
    const r = await app.fetch(new globalThis.Request('https://example.com/hi/bob'));
    expect(r).toBeInstanceOf(globalThis.Response);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await r.text()).toBe('hi bob https example.com');
    const e = await app.fetch(
      new globalThis.Request('http://localhost/echo', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ a: 1 }),
      }),
    );
    expect(await e.json()).toEqual({ got: { a: 1 } });
    expect((await app.fetch(new globalThis.Request('http://localhost/none'))).status).toBe(404);
  });

  it('is a bound function (export default { fetch: app.fetch })', async () => {
    const app = makeApp();
    app.get('/', () => 'bound');
    const { fetch } = app;
    expect(await (await fetch(new globalThis.Request('http://x/'))).text()).toBe('bound');
  });

  it('streams bodies, keeps the context, omits the body for HEAD and 204', async () => {
    const app = makeApp();
    app.get('/s', () =>
      (async function* () {
        g.n = 1;
        yield `${request.path}:`;
        yield String(g.n);
      })(),
    );
    app.get('/empty', () => new Response(null, { status: 204 }));
    const s = await app.fetch(new globalThis.Request('http://x/s'));
    expect(await s.text()).toBe('/s:1');
    const h = await app.fetch(new globalThis.Request('http://x/s', { method: 'HEAD' }));
    expect(await h.text()).toBe('');
    const e = await app.fetch(new globalThis.Request('http://x/empty'));
    expect(e.status).toBe(204);
  });

  it('errors become a 500, with details only in debug mode', async () => {
    const app = makeApp();
    app.get('/', () => {
      throw new Error('hidden');
    });
    const r = await app.fetch(new globalThis.Request('http://x/'));
    expect(r.status).toBe(500);
    expect(await r.text()).not.toContain('hidden');
    app.debug = true;
    const d = await app.fetch(new globalThis.Request('http://x/'));
    expect(d.status).toBe(500);
    expect(await d.text()).toContain('hidden');
  });
});
