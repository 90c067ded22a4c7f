import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { app } from '../app.js';

describe('examples/hello', () => {
  it('answers Hello, World! through the test client', async () => {
    const res = await app.testClient().get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.text).toBe('Hello, World!');
  });

  it('answers Hello, World! on a real socket and 404 elsewhere', async () => {
    const server = await app.listen(0, '127.0.0.1');
    try {
      const { port } = server.address() as AddressInfo;
      const ok = await fetch(`http://127.0.0.1:${port}/`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('Hello, World!');
      const missing = await fetch(`http://127.0.0.1:${port}/nope`);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toContain('Not Found');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
