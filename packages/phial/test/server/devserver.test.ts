import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Phial } from '../../src/index.js';
import { accessLine, logDate } from '../../src/server/devserver.js';

describe('app.run', () => {
  it("prints Flask's banner and Werkzeug access lines", async () => {
    const app = new Phial(import.meta.url, { staticFolder: null, name: 'hello' });
    app.route('/', () => 'Hello, World!');
    const out: string[] = [];
    const err: string[] = [];
    // in-process: no reloader (it would re-run this test file in a worker) and no debugger lines
    const server = await app.run({
      port: 0,
      debug: true,
      useReloader: false,
      useDebugger: false,
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    try {
      const port = (server.address() as AddressInfo).port;
      expect(app.debug).toBe(true);
      expect(out[0]).toBe(" * Serving Phial app 'hello'");
      expect(out[1]).toBe(' * Debug mode: on');
      expect(out).toContain(` * Running on http://127.0.0.1:${port}`);
      expect(out[out.length - 1]).toBe('Press CTRL+C to quit');
      const r = await fetch(`http://127.0.0.1:${port}/`);
      expect(await r.text()).toBe('Hello, World!');
      await fetch(`http://127.0.0.1:${port}/missing?q=1`);
      await new Promise((res) => setTimeout(res, 20));
      expect(err[0]).toMatch(
        /^127\.0\.0\.1 - - \[\d\d\/[A-Z][a-z]{2}\/\d{4} \d\d:\d\d:\d\d\] "GET \/ HTTP\/1\.1" 200 -$/,
      );
      expect(err[1]).toMatch(/"GET \/missing\?q=1 HTTP\/1\.1" 404 -$/);
    } finally {
      server.closeAllConnections();
      await new Promise((res) => server.close(res));
    }
  });

  it('formats dates like Werkzeug and escapes control characters in the request line', () => {
    expect(logDate(new Date(2026, 10, 24, 6, 40, 0))).toBe('24/Nov/2026 06:40:00');
    const line = accessLine(
      { method: 'GET', url: '/a"b', httpVersion: '1.1', remoteAddress: '::1', status: 200 },
      new Date(2026, 0, 2, 3, 4, 5),
    );
    expect(line).toBe('::1 - - [02/Jan/2026 03:04:05] "GET /a\\x22b HTTP/1.1" 200 -');
  });

  it('TRUSTED_HOSTS rejects other hosts with 400', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.config.TRUSTED_HOSTS = ['example.com', '.example.org'];
    app.route('/', () => 'ok');
    const c = app.testClient();
    expect((await c.get('http://example.com/')).status).toBe(200);
    expect((await c.get('http://a.example.org/')).status).toBe(200);
    expect((await c.get('http://evil.test/')).status).toBe(400);
  });
});
