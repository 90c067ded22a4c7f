/** Phial's HTTP/1.1 server over TLS (`tls` option; `phial run --cert/--key` and `app.listen(..., { tls })`). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { Agent, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JSONObject, Response } from '../../../src/index.js';
import { createHttp1Server } from '../../../src/server/http1/index.js';
import { quietApp } from './helpers.js';

let hasOpenssl = true;
try {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
} catch {
  hasOpenssl = false;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  reused: boolean;
}

describe.skipIf(!hasOpenssl)('HTTPS', () => {
  let dir = '';
  let server: Server;
  let port = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });

  function send(method: string, target: string, body?: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path: target,
          agent,
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            text += d;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: text,
              reused: req.reusedSocket,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'phial-tls-'));
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem'].concat([
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ]),
      { cwd: dir, stdio: 'ignore' },
    );
    const app = quietApp();
    app.get('/where', (req) => `${req.scheme} ${req.url}`);
    app.post('/echo', (req) => req.json as JSONObject);
    app.get(
      '/stream',
      () =>
        new Response(
          (async function* () {
            for (let i = 0; i < 3; i++) yield `part${i};`;
          })(),
        ),
    );
    server = createHttp1Server(app, {
      tls: { cert: readFileSync(path.join(dir, 'cert.pem')), key: readFileSync(path.join(dir, 'key.pem')) },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves over TLS, and the request knows it is https', async () => {
    const r = await send('GET', '/where?x=1');
    expect(r.status).toBe(200);
    expect(r.body).toBe(`https https://127.0.0.1:${port}/where?x=1`);
  });

  it('reads request bodies and keeps the TLS connection alive between requests', async () => {
    const r = await send('POST', '/echo', JSON.stringify({ a: [1, 2], b: 'é' }));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ a: [1, 2], b: 'é' });
    const again = await send('GET', '/where');
    expect(again.reused).toBe(true);
  });

  it('streams a chunked response', async () => {
    const r = await send('GET', '/stream');
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.body).toBe('part0;part1;part2;');
  });

  it('closeIdleConnections closes idle TLS connections (the next request opens a new one)', async () => {
    expect((await send('GET', '/where')).status).toBe(200);
    server.closeIdleConnections();
    await new Promise((r) => setTimeout(r, 50));
    const r = await send('GET', '/where');
    expect(r.status).toBe(200);
    expect(r.reused).toBe(false);
  });

  it("app.listen passes tls to node:https too ({ server: 'node' })", async () => {
    const app = quietApp();
    app.get('/where', (req) => req.scheme);
    const tls = {
      cert: readFileSync(path.join(dir, 'cert.pem')),
      key: readFileSync(path.join(dir, 'key.pem')),
    };
    const s = await app.listen(0, '127.0.0.1', { server: 'node', tls });
    try {
      const p = (s.address() as AddressInfo).port;
      const body = await new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port: p, path: '/where', rejectUnauthorized: false }, (res) => {
          let t = '';
          res.on('data', (d) => {
            t += d;
          });
          res.on('end', () => resolve(t));
        })
          .on('error', reject)
          .end();
      });
      expect(body).toBe('https');
      expect(s.listenerCount('request')).toBe(1);
    } finally {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });
});
