/**
 * Request IDs (`request.id`, `REQUEST_ID_HEADER`) and what servers give an access log: the entry's bytes,
 * duration, headers and request ID on real sockets (Phial's server and node:http, WebSocket handshakes too),
 * and the three line formats.
 */
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type AccessEntry, Phial, request } from '../../src/index.js';
import { accessLine, accessLogFormatter, combinedLine, jsonLine } from '../../src/server/access-log.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function makeApp(): Phial {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.get('/id', () => `${request.id} ${request.id}`);
  app.get('/body', () => 'x'.repeat(1000));
  app.get('/slow', async () => {
    await new Promise((r) => setTimeout(r, 60));
    return 'slow';
  });
  app.get('/stream', () =>
    (async function* () {
      yield 'a'.repeat(100);
      yield 'b'.repeat(50);
    })(),
  );
  return app;
}

describe('request.id', () => {
  it('keeps a sane X-Request-ID from the proxy, and makes one UUID per request otherwise', async () => {
    const client = makeApp().testClient();
    expect((await client.get('/id', { headers: { 'X-Request-ID': 'abc-123.def:9' } })).text).toBe(
      'abc-123.def:9 abc-123.def:9',
    );
    const [a, b] = (await client.get('/id')).text.split(' ');
    expect(a).toMatch(UUID);
    expect(b).toBe(a);
    const other = (await client.get('/id')).text.split(' ')[0];
    expect(other).toMatch(UUID);
    expect(other).not.toBe(a);
  });

  it('does not trust a value that is not a plain token (spaces, quotes, too long)', async () => {
    const client = makeApp().testClient();
    for (const bad of ['two words', 'quote"d', 'x'.repeat(201), '']) {
      const id = (await client.get('/id', { headers: { 'X-Request-ID': bad } })).text.split(' ')[0];
      expect(id, bad).toMatch(UUID);
    }
    expect((await client.get('/id', { headers: { 'X-Request-ID': 'x'.repeat(200) } })).text).toBe(
      `${'x'.repeat(200)} ${'x'.repeat(200)}`,
    );
  });

  it('reads the header REQUEST_ID_HEADER names, and none when it is null', async () => {
    const app = makeApp();
    app.config.REQUEST_ID_HEADER = 'X-Amzn-Trace-Id';
    const client = app.testClient();
    const trace = 'Root=1-67891233-abcdef012345678912345678';
    expect((await client.get('/id', { headers: { 'X-Amzn-Trace-Id': trace } })).text).toBe(
      `${trace} ${trace}`,
    );
    expect((await client.get('/id', { headers: { 'X-Request-ID': 'ignored' } })).text).toMatch(
      /^[0-9a-f-]{36} /,
    );
    app.config.REQUEST_ID_HEADER = null;
    expect((await client.get('/id', { headers: { 'X-Amzn-Trace-Id': trace } })).text).toMatch(
      new RegExp(UUID.source.slice(0, -1)),
    );
  });
});

/** One raw HTTP/1.1 exchange on a keep-alive connection: the bytes of every response, split by request. */
function exchange(port: number, requests: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d) => {
      out += d.toString('latin1');
    });
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.write(requests.join(''));
  });
}

describe.each(['phial', 'node'] as const)('the access log entry on %s', (kind) => {
  async function start(app: Phial): Promise<{ port: number; entries: AccessEntry[] }> {
    const entries: AccessEntry[] = [];
    const server = await app.listen(0, '127.0.0.1', { server: kind, onResponse: (e) => entries.push(e) });
    stops.push(() => new Promise<void>((r) => server.close(() => r())));
    return { port: (server.address() as AddressInfo).port, entries };
  }

  it('has the bytes sent (head + body), the head, the duration, the headers and the request ID the app saw', async () => {
    const { port, entries } = await start(makeApp());
    const ua = 'probe/1.0 "quoted"';
    const raw = await exchange(port, [
      `GET /body HTTP/1.1\r\nHost: x\r\nUser-Agent: ${ua}\r\nReferer: http://ref/\r\n\r\n`,
      'GET /id HTTP/1.1\r\nHost: x\r\nX-Request-ID: from-proxy-1\r\n\r\n',
      'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ]);
    await waitFor(() => entries.length === 4);
    const [body, id, slow, stream] = entries as [AccessEntry, AccessEntry, AccessEntry, AccessEntry];
    // the four answers are the connection's bytes, in order: each entry counts exactly its own
    const total = entries.reduce((n, e) => n + (e.bytesSent ?? 0), 0);
    expect(total).toBe(Buffer.byteLength(raw, 'latin1'));
    const first = raw.slice(0, body.bytesSent);
    expect(first.endsWith('x'.repeat(1000))).toBe(true);
    expect(body.headBytes).toBe(first.indexOf('\r\n\r\n') + 4);
    expect((body.bytesSent ?? 0) - (body.headBytes ?? 0)).toBe(1000);
    expect(body.headers?.['user-agent']).toBe(ua);
    expect(body.status).toBe(200);
    expect(id.requestId).toBe('from-proxy-1');
    expect(slow.durationMs).toBeGreaterThanOrEqual(50);
    expect(body.durationMs).toBeLessThan(slow.durationMs ?? 0);
    // a streamed body is counted as written (chunk framing included)
    const streamed = raw.slice(-(stream.bytesSent ?? 0));
    expect(streamed.startsWith('HTTP/1.1 200')).toBe(true);
    expect(streamed).toContain('a'.repeat(100));
    expect(streamed).toContain('b'.repeat(50));
    // the app never read the ID of /body: one is made for the log, and stays the same
    expect(body.requestId).toMatch(UUID);
    expect(body.requestId).toBe(body.requestId);
  });

  it('logs the client a trusted proxy forwarded (PROXY_FIX), the peer otherwise', async () => {
    const app = makeApp();
    const { port, entries } = await start(app);
    const headers = { 'X-Forwarded-For': '203.0.113.9, 10.0.0.2' };
    await fetch(`http://127.0.0.1:${port}/body`, { headers }).then((r) => r.text());
    app.config.PROXY_FIX = { xFor: 1 };
    await fetch(`http://127.0.0.1:${port}/body`, { headers }).then((r) => r.text());
    app.config.PROXY_FIX = { xFor: 2 };
    await fetch(`http://127.0.0.1:${port}/body`, { headers }).then((r) => r.text());
    await waitFor(() => entries.length === 3);
    expect(entries.map((e) => e.remoteAddress)).toEqual(['127.0.0.1', '10.0.0.2', '203.0.113.9']);
  });

  it('logs the request ID the view read, made by the app when no proxy sent one', async () => {
    const { port, entries } = await start(makeApp());
    const res = await fetch(`http://127.0.0.1:${port}/id`);
    const [seen] = (await res.text()).split(' ');
    await waitFor(() => entries.length === 1);
    expect(seen).toMatch(UUID);
    expect(entries[0]?.requestId).toBe(seen);
  });

  it('logs WebSocket handshakes: 101 when accepted, the refusal status otherwise', async () => {
    const app = makeApp();
    app.websocket('/ws', async (ws) => {
      await ws.send(request.id);
      ws.close();
    });
    const { port, entries } = await start(app);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { 'X-Request-ID': 'ws-1' } });
    const got = await new Promise<string>((resolve, reject) => {
      ws.once('message', (d) => resolve(String(d)));
      ws.once('error', reject);
    });
    expect(got).toBe('ws-1');
    const refused = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
      headers: { Origin: 'https://evil.example' },
    });
    const status = await new Promise<number>((resolve) => {
      refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      refused.once('error', () => resolve(-1));
    });
    expect(status).toBe(403);
    await waitFor(() => entries.length === 2);
    const byStatus = new Map(entries.map((e) => [e.status, e]));
    expect(byStatus.get(101)?.url).toBe('/ws');
    expect(byStatus.get(101)?.requestId).toBe('ws-1');
    expect(byStatus.get(101)?.bytesSent).toBeGreaterThan(100);
    expect(byStatus.get(403)?.method).toBe('GET');
  });
});

describe("Phial's server logs the requests it refuses before the app", () => {
  it('a malformed request line (400) and an oversized head (431) each get a line', async () => {
    const entries: AccessEntry[] = [];
    const server = await makeApp().listen(0, '127.0.0.1', { onResponse: (e) => entries.push(e) });
    stops.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as AddressInfo).port;
    const bad = await exchange(port, ['NOT A REQUEST\r\n\r\n']);
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    const big = await exchange(port, [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    await waitFor(() => entries.length === 2);
    expect(entries.map((e) => [e.method, e.url, e.status])).toEqual([
      ['-', '-', 400],
      ['-', '-', 431],
    ]);
    expect(entries[0]?.bytesSent).toBe(Buffer.byteLength(bad, 'latin1'));
    expect(accessLine(entries[0] as AccessEntry)).toMatch(/"- - HTTP\/1\.1" 400 -$/);
  });
});

describe('access line formats', () => {
  const entry: AccessEntry = {
    method: 'GET',
    url: '/a?q="x"\n',
    status: 200,
    httpVersion: '1.1',
    remoteAddress: '10.0.0.1',
    headers: { 'user-agent': 'ua "1"\\', referer: 'http://r/' },
    bytesSent: 150,
    headBytes: 100,
    durationMs: 12.34567,
    requestId: 'rid',
  };
  const date = new Date(Date.UTC(2026, 11, 5, 6, 7, 8, 9));

  it("text is Werkzeug's line", () => {
    expect(accessLine(entry, date)).toMatch(
      /^10\.0\.0\.1 - - \[05\/Dec\/2026 \d\d:07:08\] "GET \/a\?q=\\x22x\\x22\\x0a HTTP\/1\.1" 200 -$/,
    );
  });

  it("combined is Apache's and gunicorn's: body bytes, referer, user agent, escaped", () => {
    expect(combinedLine(entry, date)).toMatch(
      /^10\.0\.0\.1 - - \[05\/Dec\/2026:\d\d:07:08 [+-]\d{4}\] "GET \/a\?q=\\x22x\\x22\\x0a HTTP\/1\.1" 200 50 "http:\/\/r\/" "ua \\x221\\x22\\x5c"$/,
    );
    expect(combinedLine({ ...entry, bytesSent: 100, headers: {} }, date)).toMatch(/ 200 - "-" "-"$/);
  });

  it('json is one object per line with nginx-style names', () => {
    const line = jsonLine(entry, date);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      time: '2026-12-05T06:07:08.009Z',
      remote_addr: '10.0.0.1',
      method: 'GET',
      path: '/a?q="x"\n',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes_sent: 150,
      body_bytes_sent: 50,
      duration_ms: 12.346,
      referer: 'http://r/',
      user_agent: 'ua "1"\\',
      request_id: 'rid',
    });
    expect(
      JSON.parse(
        jsonLine({ method: 'GET', url: '/', status: 404, httpVersion: '1.0', remoteAddress: undefined }),
      ),
    ).toMatchObject({
      remote_addr: null,
      bytes_sent: null,
      duration_ms: null,
      request_id: null,
      protocol: 'HTTP/1.0',
    });
  });

  it('an unknown format is a clear error', () => {
    expect(() => accessLogFormatter('xml' as 'json')).toThrow(
      "Unknown access log format 'xml': use 'text', 'combined', 'json'.",
    );
  });
});

async function waitFor(fn: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!fn()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
