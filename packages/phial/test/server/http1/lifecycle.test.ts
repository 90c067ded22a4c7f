/** Expect, body limits, timeouts, client aborts and close(): the connection lifecycle over real sockets. */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttp1Server } from '../../../src/server/http1/index.js';
import { makeApp, type Probe } from './fixture.js';
import { Client, exchange, serve, sleep, stopAll } from './helpers.js';

afterEach(stopAll);

const newProbe = (): Probe => ({ aborts: 0, streamsClosed: 0, hits: 0 });

describe('Expect: 100-continue', () => {
  it('under the limit: exactly `HTTP/1.1 100 Continue` first, then the body is read', async () => {
    const { port } = await serve(makeApp());
    const c = await Client.open(port);
    c.write('POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 5\r\n\r\n');
    expect(await c.until(() => c.text.length > 0)).toBe(true);
    await sleep(20);
    expect(c.text).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    c.write('hello');
    await c.until(() => c.text.includes('"hello"'));
    const final = c.text.slice('HTTP/1.1 100 Continue\r\n\r\n'.length);
    expect(final).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(JSON.parse(final.slice(final.indexOf('\r\n\r\n') + 4))).toEqual({ len: 5, body: 'hello' });
    c.destroy();
  });

  it('over MAX_CONTENT_LENGTH: no 100, a 413, and the connection closes', async () => {
    const { port } = await serve(makeApp());
    const { text, responses, closed } = await exchange(
      port,
      'POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n',
    );
    expect(text).not.toMatch(/100 Continue/);
    expect(responses[0]?.status).toBe(413);
    expect(responses[0]?.headers.connection).toEqual(['close']);
    expect(closed).toBe(true);
  });
});

describe('MAX_CONTENT_LENGTH', () => {
  it('a declared length over the limit: 413 and close; the body (holding a request) is never parsed', async () => {
    const probe = newProbe();
    const { port } = await serve(makeApp(probe));
    const inner = 'GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n';
    const body = (inner + 'x'.repeat(2000)).slice(0, 1500);
    const { responses, closed } = await exchange(
      port,
      `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(responses.map((r) => r.status)).toEqual([413]);
    expect(closed).toBe(true);
    expect(probe.hits).toBe(0);
  });

  it('a chunked body growing past the limit: 413 and close without the last chunk', async () => {
    const { port } = await serve(makeApp());
    const c = await Client.open(port);
    c.write('POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 3; i++) {
      c.write(`258\r\n${'y'.repeat(600)}\r\n`);
      await sleep(10);
    }
    const [r] = await c.responses(1);
    expect(r?.status).toBe(413);
    expect(r?.headers.connection).toEqual(['close']);
    expect(await c.waitClosed()).toBe(true);
    c.destroy();
  });

  it('a body at the limit keeps the connection', async () => {
    const { port } = await serve(makeApp());
    const body = 'z'.repeat(1000);
    const { responses, closed } = await exchange(
      port,
      `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n${body}GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n`,
      { n: 2 },
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(closed).toBe(false);
  });
});

describe('timeouts', () => {
  it('headersTimeout: an unfinished head gets 408 and the connection closes', async () => {
    const { port } = await serve(makeApp(), (s) => {
      s.headersTimeout = 150;
      s.requestTimeout = 1000;
    });
    const c = await Client.open(port);
    c.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const t0 = Date.now();
    expect(await c.waitClosed(1500)).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    expect(c.text).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('requestTimeout: a body that trickles in too slowly gets 408', async () => {
    const { port } = await serve(makeApp(), (s) => {
      s.headersTimeout = 150;
      s.requestTimeout = 300;
    });
    const c = await Client.open(port);
    c.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n');
    for (let i = 0; i < 8 && !c.closed; i++) {
      c.write('a');
      await sleep(60);
    }
    expect(await c.waitClosed(1500)).toBe(true);
    expect(c.text).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('keepAliveTimeout: an idle connection is closed; activity before it keeps it open', async () => {
    const { port } = await serve(makeApp(), (s) => {
      s.keepAliveTimeout = 200;
    });
    const c = await Client.open(port);
    for (let i = 0; i < 3; i++) {
      c.write(`GET /n/${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await c.responses(i + 1);
      await sleep(100);
      expect(c.closed).toBe(false);
    }
    expect(await c.waitClosed(1000)).toBe(true);
    expect(c.text).not.toMatch(/408/);
  });
});

describe('clients that go away', () => {
  it('the abort signal fires when the client goes before the response', async () => {
    const probe = newProbe();
    const { port } = await serve(makeApp(probe));
    const c = await Client.open(port);
    c.write('GET /wait HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(50);
    c.destroy();
    await sleep(50);
    expect(probe.aborts).toBe(1);
  });

  it('a client gone mid-stream stops the producer and fires the signal; the server keeps serving', async () => {
    const probe = newProbe();
    const { port } = await serve(makeApp(probe));
    const c = await Client.open(port);
    c.write('GET /endless HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.until(() => c.text.includes('tick'));
    c.destroy();
    await sleep(80);
    expect(probe.aborts).toBe(1);
    expect(probe.streamsClosed).toBe(1);
    const ok = await exchange(port, 'GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(ok.responses[0]?.body).toBe('n=1');
  });

  it('the signal does not fire for a finished response', async () => {
    const probe = newProbe();
    const { port } = await serve(makeApp(probe));
    const c = await Client.open(port);
    c.write('GET /wait HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.responses(1, [], 2000);
    c.destroy();
    await sleep(50);
    expect(probe.aborts).toBe(0);
  });
});

describe('close()', () => {
  it('closes idle keep-alive connections at once and lets an in-flight request finish with Connection: close', async () => {
    const server = createHttp1Server(makeApp());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const idle = await Client.open(port);
    idle.write('GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n');
    await idle.responses(1);
    const busy = await Client.open(port);
    busy.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(10);
    const t0 = Date.now();
    const closed = new Promise<void>((r) => server.close(() => r()));
    expect(await idle.waitClosed(500)).toBe(true);
    const [r] = await busy.responses(1);
    expect(r?.body).toBe('slow');
    expect(r?.headers.connection).toEqual(['close']);
    expect(await busy.waitClosed(500)).toBe(true);
    await closed;
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('closeAllConnections cuts everything', async () => {
    const { port, server } = await serve(makeApp());
    const c = await Client.open(port);
    c.write('GET /wait HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(20);
    server.closeAllConnections();
    expect(await c.waitClosed(500)).toBe(true);
  });
});

describe('backpressure', () => {
  it('a large streamed response to a reader that pauses arrives complete', async () => {
    const app = makeApp();
    const { Response } = await import('../../../src/index.js');
    let produced = 0;
    app.get('/huge', () => {
      async function* gen() {
        for (let i = 0; i < 256; i++) {
          produced++;
          yield new Uint8Array(16 * 1024).fill(98);
        }
      }
      return new Response(gen());
    });
    const { port } = await serve(app);
    const c = await Client.open(port);
    c.socket.pause();
    c.write('GET /huge HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(150);
    // the producer is held back by the socket (4 MiB would be done in a few ms otherwise)
    expect(produced).toBeLessThan(256);
    c.socket.resume();
    const [r] = await c.responses(1, [], 5000);
    expect(r?.body.length).toBe(256 * 16 * 1024);
    expect(produced).toBe(256);
    c.destroy();
  });
});

describe('server.maxRequestsPerSocket', () => {
  it('the last allowed request is answered with Connection: close and the connection ends', async () => {
    const { port } = await serve(makeApp(), (s) => {
      s.maxRequestsPerSocket = 2;
    });
    const get = 'GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n';
    const { responses, closed } = await exchange(port, get + get + get, { n: 3 });
    expect(responses).toHaveLength(2);
    expect(responses[0]?.headers.connection).toBeUndefined();
    expect(responses[1]?.headers.connection).toEqual(['close']);
    expect(closed).toBe(true);
  });
});
