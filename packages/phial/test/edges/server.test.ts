/**
 * The servers' edges over real sockets, on Phial's own server and on node:http (`{ server: 'node' }`):
 * malformed pipelined requests, streamed bodies that fail, duplicate Host, absolute-form targets,
 * CONNECT and Upgrade requests nobody takes.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange, KINDS, parseResponses, quietApp, sleep, start, stopAll } from './helpers.js';

afterEach(stopAll);

const GET = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;
const GARBAGE = 'G\x01T / HTTP/1.1\r\nHost: x\r\n\r\n';

/** An app with a slow streamed response, a slow plain one and a quick one. */
function pipelineApp() {
  const app = quietApp();
  app.get('/stream', () => ({
    async *[Symbol.asyncIterator]() {
      yield 'one,';
      await sleep(150);
      yield 'two,';
      await sleep(150);
      yield 'three';
    },
  }));
  app.get('/slow', async () => {
    await sleep(200);
    return 'slow';
  });
  app.get('/fast', () => 'fast');
  return app;
}

describe.each(KINDS)('malformed pipelined requests (%s server)', (kind) => {
  it('never write a 400 into a streaming response: the stream ends cleanly, then the 400', async () => {
    const port = await start(pipelineApp(), kind);
    const { text, closed } = await exchange(port, [GET('/stream') + GARBAGE]);
    const { responses, rest } = parseResponses(text);
    expect(rest).toBe('');
    expect(responses.map((r) => r.status)).toEqual([200, 400]);
    expect(responses[0]?.body).toBe('one,two,three');
    expect(responses[0]?.complete).toBe(true);
    expect(closed).toBe(true);
  });

  it('answer every request before the malformed one, in order, then the 400', async () => {
    const port = await start(pipelineApp(), kind);
    const { text, closed } = await exchange(port, [GET('/slow') + GET('/fast') + GET('/stream') + GARBAGE]);
    const { responses, rest } = parseResponses(text);
    expect(rest).toBe('');
    expect(responses.map((r) => [r.status, r.body])).toEqual([
      [200, 'slow'],
      [200, 'fast'],
      [200, 'one,two,three'],
      [400, expect.stringContaining('400')],
    ]);
    expect(closed).toBe(true);
  });

  it('a malformed request arriving later, while a response streams, waits for it too', async () => {
    const port = await start(pipelineApp(), kind);
    const { text, closed } = await exchange(port, [GET('/stream'), GARBAGE], { gapMs: 60 });
    const { responses, rest } = parseResponses(text);
    expect(rest).toBe('');
    expect(responses.map((r) => r.status)).toEqual([200, 400]);
    expect(responses[0]?.complete).toBe(true);
    expect(closed).toBe(true);
  });
});

describe.each(KINDS)('a malformed body of the request being served (%s server)', (kind) => {
  it('gets a 400 and the connection closes: the view waiting for the body does not hang', async () => {
    const app = quietApp();
    app.post('/echo', (req) => `got ${req.data.length}`);
    const port = await start(app, kind);
    const started = Date.now();
    const { text, closed } = await exchange(port, [
      'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\n\r\n',
    ]);
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(parseResponses(text).responses).toHaveLength(1);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(1400);
  });
});

describe.each(KINDS)('a streamed body that throws (%s server)', (kind) => {
  it('sends the head and the chunks produced, then cuts the body (no terminating chunk)', async () => {
    const app = quietApp();
    app.get('/boom', () => ({
      async *[Symbol.asyncIterator]() {
        yield 'first;';
        yield 'second;';
        throw new Error('boom');
      },
    }));
    const port = await start(app, kind);
    const { text, closed } = await exchange(port, [GET('/boom')]);
    expect(text.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(text).toContain('first;');
    expect(text).toContain('second;');
    expect(text).not.toContain('\r\n0\r\n\r\n');
    const { responses } = parseResponses(text);
    expect(responses[0]?.complete).toBe(false);
    expect(closed).toBe(true);
    expect(app.errors.length).toBeGreaterThan(0);
  });

  it('a body that throws after a pause behaves the same', async () => {
    const app = quietApp();
    app.get('/boom', () => ({
      async *[Symbol.asyncIterator]() {
        yield 'first;';
        await sleep(50);
        throw new Error('boom');
      },
    }));
    const port = await start(app, kind);
    const { text, closed } = await exchange(port, [GET('/boom')]);
    expect(text.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(text).toContain('first;');
    expect(text).not.toContain('\r\n0\r\n\r\n');
    expect(closed).toBe(true);
  });
});

describe.each(KINDS)('request heads (%s server)', (kind) => {
  it('refuses two Host lines with 400 (the app never runs)', async () => {
    const app = quietApp();
    let calls = 0;
    app.get('/', (req) => {
      calls++;
      return req.host;
    });
    const port = await start(app, kind);
    for (const head of [
      'GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a.example\r\nX: 1\r\nhOST: a.example\r\n\r\n',
    ]) {
      const { text, closed } = await exchange(port, [head]);
      expect(text).toMatch(/^HTTP\/1\.1 400 /);
      expect(closed).toBe(true);
    }
    expect(calls).toBe(0);
    // one Host is fine
    const ok = parseResponses((await exchange(port, [GET('/', 'Connection: close\r\n')])).text);
    expect(ok.responses[0]?.body).toBe('x');
  });

  it('an absolute-form target sets req.host from its authority, not from Host (RFC 9112 §3.2.2)', async () => {
    const app = quietApp();
    app.get('/x', (req) => ({
      host: req.host,
      path: req.path,
      url: req.url,
      header: req.headers.get('host'),
    }));
    const port = await start(app, kind);
    const { text } = await exchange(port, [
      'GET http://a.example/x?q=1 HTTP/1.1\r\nHost: b.example\r\nConnection: close\r\n\r\n',
    ]);
    const [r] = parseResponses(text).responses;
    expect(r?.status).toBe(200);
    expect(JSON.parse(r?.body ?? '')).toEqual({
      host: 'a.example',
      path: '/x',
      url: 'http://a.example/x?q=1',
      header: 'a.example',
    });
    const withPort = parseResponses(
      (
        await exchange(port, [
          'GET http://user@a.example:8080/x HTTP/1.1\r\nHost: b.example\r\nConnection: close\r\n\r\n',
        ])
      ).text,
    ).responses[0];
    expect(JSON.parse(withPort?.body ?? '').host).toBe('a.example:8080');
  });
});

describe.each(KINDS)('an Upgrade request no listener takes (%s server)', (kind) => {
  it('is answered as an ordinary request, then the connection closes; nothing after it is parsed', async () => {
    const app = quietApp();
    const paths: string[] = [];
    app.get('/<path:p>', (req) => {
      paths.push(req.path);
      return `saw ${req.path}`;
    });
    const port = await start(app, kind);
    const { text, closed } = await exchange(port, [
      `${GET('/chat', 'Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n')}${GET('/smuggled')}`,
    ]);
    const { responses } = parseResponses(text);
    expect(responses.map((r) => r.body)).toEqual(['saw /chat']);
    expect(responses[0]?.headers.connection).toBe('close');
    expect(closed).toBe(true);
    expect(paths).toEqual(['/chat']);
  });
});

describe("CONNECT on Phial's server", () => {
  it('CONNECT never reaches a view: 4xx and the connection closes', async () => {
    const app = quietApp();
    let calls = 0;
    app.route('/<path:p>', { methods: ['GET', 'POST', 'CONNECT'] }, () => {
      calls++;
      return 'view';
    });
    app.route('/', { methods: ['GET', 'CONNECT'] }, () => {
      calls++;
      return 'view';
    });
    const port = await start(app, 'phial');
    const { text, closed } = await exchange(port, [
      `CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n${GET('/next')}`,
    ]);
    expect(text).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect(parseResponses(text).responses).toHaveLength(1);
    expect(closed).toBe(true);
    expect(calls).toBe(0);
  });

  it("CONNECT goes to the server's 'connect' listeners when there are some, as on node:http", async () => {
    const app = quietApp();
    const server = await app.listen(0, '127.0.0.1');
    const seen: string[] = [];
    server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      seen.push(`${req.method} ${req.url} ${head.toString()}`);
      socket.end('HTTP/1.1 200 Connection Established\r\n\r\ntunnel');
    });
    try {
      const port = (server.address() as { port: number }).port;
      const { text } = await exchange(port, [
        'CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\nhi',
      ]);
      expect(text).toBe('HTTP/1.1 200 Connection Established\r\n\r\ntunnel');
      expect(seen).toEqual(['CONNECT a.example:443 hi']);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
