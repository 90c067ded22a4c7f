/**
 * WebSocket routes over real sockets on Phial's server and node:http (app.listen, and app.handler +
 * app.handleUpgrade on a hand-made node:http server), including the bad-input cases: malformed
 * handshakes, oversized frames, invalid UTF-8, ping floods, a client that never reads, idle peers.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Broadcast, makeResponse, Phial, request, session } from '../../src/index.js';
import { directSocket } from '../../src/realtime/websocket/node.js';
import { type Kind, recordingLogger, serve, sleep, waitFor } from './helpers.js';

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const inboxes = new WeakMap<WebSocket, { queue: string[]; wake: (() => void) | null }>();

/** Connects; messages are queued from the start (the first one may arrive with the handshake). */
function connect(
  url: string,
  options: WebSocket.ClientOptions & { protocols?: string[] } = {},
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? [], options);
    stops.push(() => ws.terminate());
    const box = { queue: [] as string[], wake: null as (() => void) | null };
    inboxes.set(ws, box);
    ws.on('message', (data, isBinary) => {
      box.queue.push(isBinary ? `<${(data as Buffer).length} bytes>` : String(data));
      box.wake?.();
    });
    ws.on('close', () => box.wake?.());
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () =>
        reject(Object.assign(new Error(`status ${res.statusCode}`), { status: res.statusCode, body })),
      );
    });
    ws.once('error', reject);
  });
}

async function next(ws: WebSocket): Promise<string> {
  const box = inboxes.get(ws);
  if (box === undefined) throw new Error('not connected through connect()');
  for (;;) {
    const m = box.queue.shift();
    if (m !== undefined) return m;
    if (ws.readyState >= WebSocket.CLOSING) throw new Error('closed');
    await new Promise<void>((r) => {
      box.wake = r;
    });
  }
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
}

/** Sends raw bytes and collects everything until the server closes the connection. */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d) => {
      out += d.toString('latin1');
    });
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.write(text);
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close; got ${JSON.stringify(out)}`));
    }, 3000).unref();
  });
}

const burstMessage = (i: number) => `${i}:`.padEnd(4000, String.fromCharCode(65 + (i % 26)));

function makeApp(): Phial {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.logger = { debug() {}, info() {}, warn() {}, error() {} };
  app.websocket('/echo/<room>', { subprotocols: ['v2', 'v1'] }, async (ws, req) => {
    await ws.send(`room ${req.params.room} ${request.path} ${ws.protocol}`);
    for await (const m of ws) await ws.send(m);
  });
  app.websocket('/burst', { maxBufferedAmount: 64 * 1024 * 1024 }, async (ws) => {
    // many frames without awaiting: past what the kernel takes, they wait in memory while the client does not read
    for await (const m of ws) {
      let most = 0;
      for (let i = 0; i < Number(m); i++) {
        void ws.send(burstMessage(i));
        most = Math.max(most, ws.bufferedAmount);
      }
      void ws.send(`most buffered: ${most}`);
    }
  });
  app.websocket('/direct', async (ws) => {
    const raw = (ws as unknown as { transport: { ws: WebSocket } }).transport.ws;
    await ws.send(directSocket(raw) === null ? 'through ws' : 'direct');
  });
  const room = new Broadcast();
  app.websocket('/room', async (ws) => {
    // every member gets every message: one string sent to many sockets (Phial encodes it once)
    const leave = room.subscribe('chat', (m) => void ws.send(m as string));
    for await (const m of ws) room.publish('chat', m);
    leave();
  });
  app.websocket('/variants', async (ws) => {
    // the string received, a copy of it, and strings of the same length with other content: Phial reuses the
    // received bytes for an equal string only
    for await (const m of ws) {
      const text = m as string;
      void ws.send(text);
      void ws.send(text.split('').join(''));
      void ws.send(text.toUpperCase());
      void ws.send(text.split('').reverse().join(''));
    }
  });
  app.websocket('/small', { maxPayload: 1024 }, async (ws) => {
    for await (const m of ws) await ws.send(m);
  });
  app.beforeRequest((req) => (req.args.get('deny') ? makeResponse('denied by hook', 401) : undefined));
  app.get('/page', () => 'a page');
  return app;
}

describe.each(['phial', 'node'] as Kind[])('WebSocket on a real %s server', (kind) => {
  async function start(app = makeApp()) {
    const s = await serve(app, kind);
    stops.push(s.close);
    return s.port;
  }

  it('echoes text and binary, negotiates a subprotocol, runs the handler in the request context', async () => {
    const port = await start();
    const ws = await connect(`ws://127.0.0.1:${port}/echo/lobby`, { protocols: ['v1', 'v2'] });
    expect(ws.protocol).toBe('v2');
    expect(await next(ws)).toBe('room lobby /echo/lobby v2');
    ws.send('hello');
    expect(await next(ws)).toBe('hello');
    ws.send(Buffer.alloc(4096, 7));
    expect(await next(ws)).toBe('<4096 bytes>');
    ws.close(1000, 'done');
    expect((await closed(ws)).code).toBe(1000);
  });

  it('frames every payload length exactly: text (multi-byte) and binary across the 7/16/64-bit length forms', async () => {
    // Phial frames outgoing messages itself (one write per message): the client's parser is strict
    const port = await start();
    const ws = await connect(`ws://127.0.0.1:${port}/echo/sizes`);
    expect(await next(ws)).toBe('room sizes /echo/sizes ');
    const got: { data: Buffer; binary: boolean }[] = [];
    const wake: (() => void)[] = [];
    ws.removeAllListeners('message');
    ws.on('message', (data, isBinary) => {
      got.push({ data: data as Buffer, binary: isBinary });
      wake.shift()?.();
    });
    ws.on('close', () => {
      for (const w of wake.splice(0)) w();
    });
    const sizes = [0, 1, 125, 126, 127, 65535, 65536, 16384, 16385, 70001];
    const sent: { data: Buffer; binary: boolean }[] = [];
    for (const n of sizes) {
      // 'é' is two bytes: the frame's length is in bytes, not characters
      const text = 'é'.repeat(Math.floor(n / 2)) + (n % 2 ? 'a' : '');
      sent.push({ data: Buffer.from(text, 'utf8'), binary: false });
      ws.send(text);
      const bytes = Buffer.alloc(n);
      for (let i = 0; i < n; i++) bytes[i] = (i * 31 + n) & 255;
      sent.push({ data: bytes, binary: true });
      ws.send(bytes);
      ws.ping(); // control frames interleave with the data frames
    }
    const deadline = Date.now() + 5000;
    while (got.length < sent.length && ws.readyState === WebSocket.OPEN && Date.now() < deadline)
      await new Promise<void>((r) => wake.push(r));
    expect(got.length).toBe(sent.length);
    for (let i = 0; i < sent.length; i++) {
      expect(got[i]?.binary).toBe(sent[i]?.binary);
      expect(got[i]?.data.equals(sent[i]?.data as Buffer)).toBe(true);
    }
    ws.close(1000);
    expect((await closed(ws)).code).toBe(1000);
  });

  it('sends the string it received, an equal copy and same-length strings with other content, each exactly', async () => {
    const port = await start();
    const a = await connect(`ws://127.0.0.1:${port}/variants`);
    const b = await connect(`ws://127.0.0.1:${port}/variants`);
    const texts = ['hello', 'héllo wörld ✓', 'ab'.repeat(2000), 'é'.repeat(8000), 'x'.repeat(20000), ''];
    for (const text of texts) {
      // two connections interleave: what one received must not stand in for the other's strings
      a.send(text);
      b.send(`${text}!`);
      for (const [ws, t] of [
        [a, text],
        [b, `${text}!`],
      ] as const) {
        expect(await next(ws)).toBe(t);
        expect(await next(ws)).toBe(t);
        expect(await next(ws)).toBe(t.toUpperCase());
        expect(await next(ws)).toBe(t.split('').reverse().join(''));
      }
    }
  });

  it('keeps every queued frame intact while a paused client lets them pile up', async () => {
    const port = await start();
    const ws = await connect(`ws://127.0.0.1:${port}/burst`);
    ws.pause();
    ws.send('4000'); // 16 MB: loopback's kernel buffers take about 8 MB, the rest waits in the server
    await sleep(300);
    ws.resume();
    for (let i = 0; i < 4000; i++) expect(await next(ws)).toBe(burstMessage(i));
    const most = Number((await next(ws)).replace('most buffered: ', ''));
    expect(most).toBeGreaterThan(1024 * 1024);
    ws.close(1000);
  });

  it('writes messages itself: the ws internals the direct path reads are there', async () => {
    const port = await start();
    const ws = await connect(`ws://127.0.0.1:${port}/direct`);
    expect(await next(ws)).toBe('direct');
  });

  it('a broadcast reaches every member intact, message after message', async () => {
    const port = await start();
    const members = await Promise.all([1, 2, 3].map(() => connect(`ws://127.0.0.1:${port}/room`)));
    await sleep(50); // every member has subscribed
    const said = ['hello', 'hello', 'héllo wörld', 'x'.repeat(200), 'hello'];
    for (const [i, text] of said.entries()) {
      members[i % 3]?.send(text);
      for (const m of members) expect(await next(m)).toBe(text);
    }
  });

  it('refuses with a hook response, 403 cross-site, and answers non-WebSocket routes normally', async () => {
    const port = await start();
    await expect(connect(`ws://127.0.0.1:${port}/echo/x?deny=1`)).rejects.toMatchObject({
      status: 401,
      body: 'denied by hook',
    });
    await expect(
      connect(`ws://127.0.0.1:${port}/echo/x`, { headers: { Origin: 'https://evil.example' } }),
    ).rejects.toMatchObject({ status: 403 });
    const same = await connect(`ws://127.0.0.1:${port}/echo/x`, { origin: `http://127.0.0.1:${port}` });
    expect(await next(same)).toContain('room x');
    await expect(connect(`ws://127.0.0.1:${port}/page`)).rejects.toMatchObject({
      status: 200,
      body: 'a page',
    });
    await expect(connect(`ws://127.0.0.1:${port}/missing`)).rejects.toMatchObject({ status: 404 });
  });

  it('sends a session cookie a hook set with the 101 handshake', async () => {
    const app = makeApp();
    app.secretKey = 'handshake secret';
    app.beforeRequest((req) => {
      if (req.endpoint === 'counted') session.set('seen', true);
    });
    app.websocket('/counted', async function counted(ws) {
      await ws.send(`seen=${String(session.get('seen'))}`);
    });
    const port = await start(app);
    let setCookie: string[] | undefined;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/counted`);
    stops.push(() => ws.terminate());
    ws.on('upgrade', (res) => {
      setCookie = res.headers['set-cookie'];
    });
    const first = await new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
    expect(first).toBe('seen=true');
    expect(setCookie?.[0]).toMatch(/^session=[^;]+;.*HttpOnly/);
  });

  it('answers malformed handshakes with 400 and closes the connection', async () => {
    const port = await start();
    const head = (extra: string) =>
      `GET /echo/x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${extra}\r\n`;
    const missingKey = await rawExchange(port, head('Sec-WebSocket-Version: 13\r\n'));
    expect(missingKey).toMatch(/^HTTP\/1\.1 400 /);
    expect(missingKey).toContain('Connection: close');
    const wrongVersion = await rawExchange(
      port,
      head('Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 7\r\n'),
    );
    expect(wrongVersion).toMatch(/^HTTP\/1\.1 400 /);
    expect(wrongVersion).toContain('Sec-WebSocket-Version: 13');
    const shortKey = await rawExchange(
      port,
      head('Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n'),
    );
    expect(shortKey).toMatch(/^HTTP\/1\.1 400 /);
    // only GET upgrades: a HEAD with a valid handshake gets 426 (no body), not a socket
    const headUpgrade = await rawExchange(
      port,
      head('Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n').replace(
        /^GET/,
        'HEAD',
      ),
    );
    expect(headUpgrade).toMatch(/^HTTP\/1\.1 426 /);
    expect(headUpgrade.endsWith('\r\n\r\n')).toBe(true);
  });

  it('closes with 1009 on an oversized message and 1007 on invalid UTF-8', async () => {
    const port = await start();
    const big = await connect(`ws://127.0.0.1:${port}/small`);
    big.send('x'.repeat(1025));
    expect((await closed(big)).code).toBe(1009);
    const bad = await connect(`ws://127.0.0.1:${port}/small`);
    bad.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false });
    expect((await closed(bad)).code).toBe(1007);
  });

  it('closes with 1011 and logs once when the handler throws', async () => {
    const app = makeApp();
    const errors: unknown[][] = [];
    app.logger = recordingLogger(errors);
    app.websocket('/boom', async (ws) => {
      await ws.send('x');
      throw new Error('kaput');
    });
    const port = await start(app);
    const ws = await connect(`ws://127.0.0.1:${port}/boom`);
    const c = closed(ws);
    expect((await c).code).toBe(1011);
    expect(errors).toHaveLength(1);
  });

  it('keeps serving others during a ping flood and a tiny-frame flood', async () => {
    const port = await start();
    const flooder = await connect(`ws://127.0.0.1:${port}/echo/flood`);
    await next(flooder);
    const other = await connect(`ws://127.0.0.1:${port}/echo/calm`);
    await next(other);
    let flooding = true;
    const flood = (async () => {
      while (flooding && flooder.readyState === WebSocket.OPEN) {
        for (let i = 0; i < 500; i++) {
          flooder.ping();
          flooder.send('.');
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      other.send(`m${i}`);
      expect(await next(other)).toBe(`m${i}`);
      times.push(performance.now() - t);
    }
    flooding = false;
    await flood;
    times.sort((a, b) => a - b);
    expect(times[Math.floor(times.length * 0.9)]).toBeLessThan(500);
  });

  it('drops a client that never reads once its buffer limit is reached', async () => {
    const app = makeApp();
    let serverClosed = false;
    let falseSends = 0;
    app.websocket('/firehose', { maxBufferedAmount: 1024 * 1024 }, async (ws) => {
      ws.on('close', () => {
        serverClosed = true;
      });
      const chunk = 'y'.repeat(64 * 1024);
      while (!ws.closed) {
        // not awaited: a broadcaster that does not wait for each client
        void ws.send(chunk).then((ok) => {
          if (!ok) falseSends++;
        });
        await sleep(0);
      }
    });
    const port = await start(app);
    const ws = await connect(`ws://127.0.0.1:${port}/firehose`);
    (ws as unknown as { _socket: net.Socket })._socket.pause();
    await waitFor(() => serverClosed, 10000, 'server to drop the slow client');
    expect(falseSends).toBeGreaterThan(0);
  }, 15000);

  it('an awaited send waits while the client does not read and resolves once it does', async () => {
    const app = makeApp();
    let sent = 0;
    let done = false;
    app.websocket('/bulk', async (ws) => {
      const chunk = 'z'.repeat(256 * 1024);
      for (let i = 0; i < 40; i++) {
        if (!(await ws.send(chunk))) return;
        sent++;
      }
      done = true;
    });
    const port = await start(app);
    const ws = await connect(`ws://127.0.0.1:${port}/bulk`);
    const raw = (ws as unknown as { _socket: net.Socket })._socket;
    raw.pause();
    await sleep(300);
    const stalled = sent;
    expect(done).toBe(false);
    expect(stalled).toBeLessThan(40); // 10 MiB do not fit in the socket buffers: the handler waits
    raw.resume();
    await waitFor(() => done, 5000, 'all sends to resolve');
    expect(sent).toBe(40);
  });

  it('pings an idle peer and drops one that does not answer', async () => {
    const app = makeApp();
    let dropped = false;
    app.websocket('/idle', { idleTimeout: 0.1 }, (ws) => {
      ws.on('close', () => {
        dropped = true;
      });
      ws.on('message', () => {});
    });
    const port = await start(app);
    const live = await connect(`ws://127.0.0.1:${port}/idle`);
    await sleep(450);
    expect(live.readyState).toBe(WebSocket.OPEN); // its pongs keep it open
    expect(dropped).toBe(false);
    live.close();
    await waitFor(() => dropped, 1000, 'close');
    dropped = false;
    const dead = await connect(`ws://127.0.0.1:${port}/idle`);
    (dead as unknown as { _socket: net.Socket })._socket.pause(); // never reads the pings
    await waitFor(() => dropped, 2000, 'idle drop');
  });
});

describe('WebSocket on a hand-made node:http server (app.handler + app.handleUpgrade)', () => {
  it('routes upgrades through the documented listener', async () => {
    const app = makeApp();
    const server = http.createServer(app.handler);
    server.on('upgrade', app.handleUpgrade);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    stops.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as AddressInfo).port;
    const ws = await connect(`ws://127.0.0.1:${port}/echo/hand`);
    expect(await next(ws)).toBe('room hand /echo/hand ');
    ws.send('ping?');
    expect(await next(ws)).toBe('ping?');
    ws.close();
    await closed(ws);
  });
});

describe('a runtime that cannot upgrade', () => {
  it('answers a real upgrade through app.fetch with 501 (not 426, which would ask for the same again)', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.websocket('/ws', async (ws) => ws.close());
    const handshake = {
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'sec-websocket-version': '13',
    };
    // Node has no upgrade API for a Fetch handler (as Workers): the request reaches the route's view
    const res = await app.fetch(new Request('http://app.test/ws', { headers: handshake }));
    expect(res.status).toBe(501);
    expect(await res.text()).toContain('cannot take WebSocket connections');
    // a plain GET still learns that the URL takes WebSocket connections
    const plain = await app.fetch(new Request('http://app.test/ws'));
    expect([plain.status, plain.headers.get('upgrade')]).toEqual([426, 'websocket']);
  });
});
