/**
 * Resource-exhaustion and server-object behaviour: timeouts that a client must not be able to reset,
 * chunk-extension / trailer floods, a pipelining flood against a client that does not read, header names
 * that collide with Object.prototype, and the `http.Server` surface (close, closeIdleConnections,
 * maxHeaderSize, onResponse).
 */
import { Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccessEntry } from '../../../src/server/http1/index.js';
import { createHttp1Server } from '../../../src/server/http1/index.js';
import { makeApp, makeProbe, type Probe } from './fixture.js';
import { Conn, header, simpleGet, sleep, start, stopAll, TARGET } from './harness.js';

let port: number;
let probe: Probe;

beforeAll(async () => {
  probe = makeProbe();
  port = (await start(makeApp(probe, 1_000_000))).port;
});
afterAll(stopAll);

describe('timeouts a client cannot dodge', () => {
  let tport: number;
  beforeAll(async () => {
    tport = (
      await start(makeApp(makeProbe(), 1000), (s) => {
        s.headersTimeout = 300;
        s.requestTimeout = 700;
        s.keepAliveTimeout = 300;
      })
    ).port;
  });

  it('a fresh connection trickling empty lines (CRLF every 100 ms) is still closed', async () => {
    const conn = await Conn.open(tport);
    const iv = setInterval(() => conn.write('\r\n'), 100);
    try {
      expect(await conn.waitClosed(2500), 'closed within 2.5 s').toBe(true);
    } finally {
      clearInterval(iv);
      conn.destroy();
    }
  });

  it('an idle keep-alive connection trickling empty lines is still closed', async () => {
    const conn = await Conn.open(tport);
    conn.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await conn.read();
    const iv = setInterval(() => conn.write('\r\n'), 100);
    try {
      expect(await conn.waitClosed(2500), 'closed within 2.5 s').toBe(true);
    } finally {
      clearInterval(iv);
      conn.destroy();
    }
  });
});

describe('half-closed clients with default timeouts', () => {
  it('FIN in the middle of a head: the connection is closed promptly (not after headersTimeout)', async () => {
    const conn = await Conn.open(port);
    conn.write('GET / HTTP/1.1\r\nHost: x\r\nX-A: par');
    conn.end();
    expect(await conn.waitClosed(1500)).toBe(true);
    const t = conn.text();
    if (t) expect(t).toMatch(/^HTTP\/1\.1 400 /);
    conn.destroy();
  });

  it('FIN in the middle of a body: closed promptly', async () => {
    const conn = await Conn.open(port);
    conn.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nonly a part');
    conn.end();
    expect(await conn.waitClosed(1500)).toBe(true);
    conn.destroy();
  });
});

describe('floods', () => {
  it('chunk extensions adding up to 100 KB (1-byte chunks): refused, or parsed exactly (node accepts them)', async () => {
    const ext = `;x=${'e'.repeat(1000)}`;
    let body = '';
    for (let i = 0; i < 100; i++) body += `1${ext}\r\na\r\n`;
    const conn = await Conn.open(port);
    conn.write(`POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${body}0\r\n\r\n`);
    const r = await conn.read('POST', 2000);
    if (r.status === 200)
      expect(JSON.parse(r.body.toString())).toMatchObject({ len: 100, body: 'a'.repeat(100) });
    else {
      expect([400, 413]).toContain(r.status);
      expect(await conn.waitClosed()).toBe(true);
    }
    conn.destroy();
  });

  it('one chunk-size line with a 100 KB extension is refused', async () => {
    const conn = await Conn.open(port);
    conn.write(
      `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;x=${'e'.repeat(100_000)}\r\na\r\n0\r\n\r\n`,
    );
    const r = await conn.read('POST', 2000);
    expect([400, 413]).toContain(r.status);
    expect(await conn.waitClosed()).toBe(true);
    conn.destroy();
  });

  it('a 100 KB trailer section is refused', async () => {
    let trailers = '';
    for (let i = 0; i < 1000; i++) trailers += `X-T${i}: ${'t'.repeat(100)}\r\n`;
    const conn = await Conn.open(port);
    conn.write(
      `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n${trailers}\r\n`,
    );
    const r = await conn.read('POST', 2000);
    expect([400, 413, 431]).toContain(r.status);
    expect(await conn.waitClosed()).toBe(true);
    conn.destroy();
  });

  it('30 000 pipelined requests from a client that pauses reading: all answered, in order, none lost', async () => {
    const N = 30_000;
    const one = 'GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n';
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.pause();
    sock.write(one.repeat(N));
    await sleep(500);
    let count = 0;
    let carry = '';
    const marker = 'HTTP/1.1 200 OK\r\n';
    const done = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`only ${count} of ${N} responses`)), 8000);
      sock.on('data', (d: Buffer) => {
        const s = carry + d.toString('latin1');
        let i = s.indexOf(marker);
        let last = 0;
        while (i !== -1) {
          count++;
          last = i + marker.length;
          i = s.indexOf(marker, last);
        }
        carry = s.slice(Math.max(last, s.length - marker.length));
        if (count === N) {
          clearTimeout(t);
          resolve();
        }
      });
      sock.on('close', () => {
        clearTimeout(t);
        if (count !== N) reject(new Error(`closed after ${count} of ${N} responses`));
      });
    });
    sock.resume();
    try {
      await done;
    } finally {
      sock.destroy();
    }
    expect(count).toBe(N);
  });
});

describe('hostile header names', () => {
  it('headers named after Object.prototype members are plain headers', async () => {
    const conn = await Conn.open(port);
    conn.write(
      'GET /headers HTTP/1.1\r\nHost: x\r\ntoString: a\r\nconstructor: b\r\nhasOwnProperty: c\r\nvalueOf: d\r\n__proto__: e\r\nX-After: f\r\n\r\n',
    );
    const r = await conn.read();
    expect(r.status).toBe(200);
    const h = JSON.parse(r.body.toString()) as Record<string, string>;
    expect(h.tostring).toBe('a');
    expect(h.constructor).toBe('b');
    expect(h.hasownproperty).toBe('c');
    expect(h.valueof).toBe('d');
    expect(h['x-after']).toBe('f');
    // the connection is fine
    conn.write('GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await conn.read()).body.toString()).toBe('n=1');
    conn.destroy();
  });

  it('duplicated prototype-named headers merge like any other', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /headers HTTP/1.1\r\nHost: x\r\ntoString: a\r\ntoString: b\r\n\r\n');
    const r = await conn.read();
    expect(r.status).toBe(200);
    expect((JSON.parse(r.body.toString()) as Record<string, string>).tostring).toBe('a, b');
    conn.destroy();
  });
});

describe('framing honesty', () => {
  it('an unread request body: either the next pipelined request is answered, or Connection: close and a close', async () => {
    const conn = await Conn.open(port);
    conn.write(
      'GET /n/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /n/2 HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const a = await conn.read();
    expect(a.body.toString()).toBe('n=1');
    if (header(a, 'connection')?.toLowerCase() === 'close') {
      expect(await conn.waitClosed()).toBe(true);
    } else {
      const b = await conn.read();
      expect(b.body.toString()).toBe('n=2');
    }
    conn.destroy();
  });

  it('a GET whose declared body arrives late: answered, and in sync with the next request (or an honest close)', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /n/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n');
    await sleep(50);
    conn.write('helloGET /n/2 HTTP/1.1\r\nHost: x\r\n\r\n');
    const a = await conn.read();
    expect(a.body.toString()).toBe('n=1');
    if (header(a, 'connection')?.toLowerCase() === 'close') expect(await conn.waitClosed()).toBe(true);
    else expect((await conn.read()).body.toString()).toBe('n=2');
    conn.destroy();
  });

  it('Connection: CLOSE and `Connection: foo, close` are honoured (case-insensitive token list)', async () => {
    for (const v of ['CLOSE', 'foo, close', 'Keep-Alive, Close']) {
      const conn = await Conn.open(port);
      conn.write(`GET /n/1 HTTP/1.1\r\nHost: x\r\nConnection: ${v}\r\n\r\n`);
      const r = await conn.read();
      expect(header(r, 'connection')?.toLowerCase()).toBe('close');
      expect(await conn.waitClosed(), v).toBe(true);
      conn.destroy();
    }
  });

  it('an Upgrade request no listener takes is answered as an ordinary request, then the connection closes', async () => {
    const conn = await Conn.open(port);
    conn.write(
      'GET /n/1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nGET /n/2 HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const a = await conn.read();
    expect(a.status).not.toBe(101);
    if (a.status === 200) expect(a.body.toString()).toBe('n=1');
    // what follows may be in the other protocol: never parsed as a request
    expect(await conn.waitClosed(2000)).toBe(true);
    expect(conn.text()).not.toContain('n=2');
    conn.destroy();
  });

  it('CONNECT and non-origin-form targets get a 4xx/501 or a close, never a 5xx crash or a hang', async () => {
    const reqs = [
      'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
      'GET foo HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET * HTTP/1.1\r\nHost: x\r\n\r\n',
      'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET ?a=1 HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET //evil.example/x HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /%00 HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /caf\xe9 HTTP/1.1\r\nHost: x\r\n\r\n',
    ];
    await Promise.all(
      reqs.map(async (req) => {
        const conn = await Conn.open(port);
        conn.write(req);
        let answered = false;
        try {
          await conn.read(req.startsWith('HEAD') ? 'HEAD' : 'GET', 1000);
          answered = true;
        } catch {
          // no full response: acceptable only if the server closed the connection
        }
        const closed = answered || (await conn.waitClosed(10));
        const text = conn.text();
        conn.destroy();
        expect(closed, `no answer and no close for ${JSON.stringify(req)}`).toBe(true);
        if (text) expect(text, JSON.stringify(req)).toMatch(/^HTTP\/1\.1 ([2-4]\d\d|501) /);
      }),
    );
    const ok = await simpleGet(port, '/n/1');
    expect(ok.status).toBe(200);
  });

  it('a bare CR before the request line is refused (RFC 9112 §2.2: a bare CR is invalid; contract: 400)', async () => {
    for (const pre of ['\r', '\r\r\n', '\r\n\r']) {
      const conn = await Conn.open(port);
      conn.write(`${pre}GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n`);
      const r = await conn.read();
      conn.destroy();
      expect(r.status, JSON.stringify(pre)).toBe(400);
    }
  });
});

describe('abort signal', () => {
  it('fires for a non-streamed view when the client resets the connection before the response', async () => {
    const app = makeApp(makeProbe());
    const seen: boolean[] = [];
    app.get('/wait', async (req) => {
      await sleep(250);
      seen.push(req.signal.aborted);
      return 'late';
    });
    const p = (await start(app)).port;
    const conn = await Conn.open(p);
    conn.write('GET /wait HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(50);
    conn.socket.resetAndDestroy();
    for (let i = 0; i < 40 && seen.length === 0; i++) await sleep(20);
    expect(seen).toEqual([true]);
    expect((await simpleGet(p, '/n/1')).status).toBe(200);
  });
});

describe.skipIf(TARGET === 'node')('the http.Server surface', () => {
  const mine: Server[] = [];
  afterEach(async () => {
    for (const s of mine.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(() => r(undefined)));
    }
  });

  async function listen(s: Server): Promise<number> {
    mine.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    return (s.address() as { port: number }).port;
  }

  it('is an http.Server', () => {
    expect(createHttp1Server(makeApp())).toBeInstanceOf(Server);
  });

  it('close() closes idle keep-alive connections and lets an in-flight response finish', async () => {
    const s = createHttp1Server(makeApp());
    const p = await listen(s);
    const idle = await Conn.open(p);
    idle.write('GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n');
    await idle.read();
    const busy = await Conn.open(p);
    busy.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(20);
    const closed = new Promise<boolean>((r) => s.close(() => r(true)));
    expect(await idle.waitClosed(500)).toBe(true);
    const r = await busy.read('GET', 1000);
    expect(r.body.toString()).toBe('slow done');
    expect(header(r, 'connection')?.toLowerCase()).toBe('close');
    expect(await busy.waitClosed(500)).toBe(true);
    expect(await Promise.race([closed, sleep(1000).then(() => false)])).toBe(true);
    mine.splice(0);
  });

  it('closeIdleConnections() spares a busy connection', async () => {
    const s = createHttp1Server(makeApp());
    const p = await listen(s);
    const idle = await Conn.open(p);
    idle.write('GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n');
    await idle.read();
    const busy = await Conn.open(p);
    busy.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(20);
    s.closeIdleConnections();
    expect(await idle.waitClosed(500)).toBe(true);
    expect((await busy.read('GET', 1000)).body.toString()).toBe('slow done');
    busy.destroy();
  });

  it('closeAllConnections() cuts busy and idle connections alike', async () => {
    const s = createHttp1Server(makeApp());
    const p = await listen(s);
    const idle = await Conn.open(p);
    idle.write('GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n');
    await idle.read();
    const busy = await Conn.open(p);
    busy.write('GET /endless HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(50);
    s.closeAllConnections();
    expect(await idle.waitClosed(500)).toBe(true);
    expect(await busy.waitClosed(500)).toBe(true);
  });

  it('maxHeaderSize set on the server object is honoured', async () => {
    const s = createHttp1Server(makeApp());
    (s as { maxHeaderSize?: number }).maxHeaderSize = 1024;
    const p = await listen(s);
    const conn = await Conn.open(p);
    conn.write(`GET / HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(2000)}\r\n\r\n`);
    expect((await conn.read()).status).toBe(431);
    conn.destroy();
  });

  it('onResponse gets one entry per finished response', async () => {
    const entries: AccessEntry[] = [];
    const s = createHttp1Server(makeApp(), { onResponse: (e) => entries.push(e) });
    const p = await listen(s);
    const conn = await Conn.open(p);
    conn.write(
      'GET /n/1?x=1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /missing HTTP/1.1\r\nHost: x\r\n\r\nGET /stream HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    await conn.readAll(['GET', 'POST', 'GET', 'GET']);
    conn.destroy();
    const c2 = await Conn.open(p);
    c2.write('GET /n/2 HTTP/1.0\r\n\r\n');
    await c2.read();
    c2.destroy();
    for (let i = 0; i < 20 && entries.length < 5; i++) await sleep(10);
    expect(entries.map((e) => [e.method, e.url, e.status, e.httpVersion])).toEqual([
      ['GET', '/n/1?x=1', 200, '1.1'],
      ['POST', '/echo', 200, '1.1'],
      ['GET', '/missing', 404, '1.1'],
      ['GET', '/stream', 200, '1.1'],
      ['GET', '/n/2', 200, '1.0'],
    ]);
    expect(entries[0]?.remoteAddress).toBe('127.0.0.1');
  });
});
