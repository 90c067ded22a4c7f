/**
 * PROXY_FIX (Werkzeug's ProxyFix as config): the X-Forwarded-* headers are trusted only as configured, the
 * value the nearest trusted proxy added is used, and WebSocket upgrades behind a TLS proxy pass the
 * same-origin check. Expected values recorded from Flask 3.1 with `ProxyFix(app.wsgi_app, ...)`.
 */
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Phial, type ProxyFixOptions, request, urlFor } from '../../src/index.js';

const FORWARDED = {
  'X-Forwarded-For': 'spoofed, 203.0.113.9, 10.0.0.2',
  'X-Forwarded-Proto': 'https',
  'X-Forwarded-Host': 'orders.example.com',
  'X-Forwarded-Port': '8443',
  'X-Forwarded-Prefix': '/shop/',
};

function makeApp(proxyFix: ProxyFixOptions | null) {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.config.PROXY_FIX = proxyFix;
  app.get('/where', function where() {
    return {
      remote: request.remoteAddr,
      scheme: request.scheme,
      host: request.host,
      url: request.url,
      root: request.rootPath,
      ext: urlFor('where', { _external: true }),
      secure: request.isSecure,
    };
  });
  return app;
}

async function where(proxyFix: ProxyFixOptions | null) {
  const res = await makeApp(proxyFix)
    .testClient()
    .get('/where', { headers: FORWARDED, remoteAddr: '10.0.0.1' });
  return res.json;
}

describe('PROXY_FIX', () => {
  it('is off by default: forwarded headers are ignored (any client can send them)', async () => {
    expect(await where(null)).toEqual({
      ext: 'http://localhost/where',
      host: 'localhost',
      remote: '10.0.0.1',
      root: '',
      scheme: 'http',
      secure: false,
      url: 'http://localhost/where',
    });
  });

  it('trusts each header from as many proxies as configured, as ProxyFix(x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)', async () => {
    expect(await where({ xFor: 1, xProto: 1, xHost: 1, xPort: 1, xPrefix: 1 })).toEqual({
      ext: 'https://orders.example.com:8443/shop/where',
      host: 'orders.example.com:8443',
      remote: '10.0.0.2',
      root: '/shop',
      scheme: 'https',
      secure: true,
      url: 'https://orders.example.com:8443/shop/where',
    });
  });

  it("takes the n-th value from the right, nothing when fewer proxies wrote the header, and Werkzeug's defaults (xProto 1)", async () => {
    expect(await where({ xFor: 2 })).toMatchObject({
      remote: '203.0.113.9',
      scheme: 'https',
      host: 'localhost',
    });
    expect(await where({ xFor: 4 })).toMatchObject({ remote: '10.0.0.1', scheme: 'https' });
    expect(await where({ xFor: 0, xProto: 0 })).toMatchObject({ remote: '10.0.0.1', scheme: 'http' });
  });

  it('lets a WebSocket through a TLS proxy pass the same-origin check (403 without it)', async () => {
    const status = async (proxyFix: ProxyFixOptions | null): Promise<number> => {
      const app = new Phial(import.meta.url, { staticFolder: null });
      app.config.PROXY_FIX = proxyFix;
      app.websocket('/ws', (ws) => ws.close(1000));
      const server = await app.listen(0, '127.0.0.1');
      const port = (server.address() as AddressInfo).port;
      try {
        return await new Promise<number>((resolve, reject) => {
          // what nginx forwards for a browser page served from https://orders.example.com
          const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
            headers: { Host: 'orders.example.com', 'X-Forwarded-Proto': 'https' },
            origin: 'https://orders.example.com',
          });
          ws.on('open', () => {
            ws.close();
            resolve(101);
          });
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.on('error', reject);
        });
      } finally {
        server.closeAllConnections?.();
        await new Promise<void>((r) => server.close(() => r()));
      }
    };
    expect(await status(null)).toBe(403);
    expect(await status({ xProto: 1 })).toBe(101);
  });
});
