/**
 * Timeouts from the server object (HTTP1.md): headersTimeout / requestTimeout → 408 and close, idle keep-alive
 * closed after keepAliveTimeout — and never a response cut while it is still being delivered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, makeProbe } from './fixture.js';
import { Conn, simpleGet, sleep, start, stopAll } from './harness.js';

const LIMIT = 1000;
afterAll(stopAll);

// independent connections: run concurrently to keep the file fast (each test waits on real timers)
describe.concurrent('timeouts', () => {
  let tport: number;
  beforeAll(async () => {
    tport = (
      await start(makeApp(makeProbe(), LIMIT), (s) => {
        s.headersTimeout = 300;
        s.requestTimeout = 500;
        s.keepAliveTimeout = 300;
      })
    ).port;
  });

  it('slow-loris head (a byte every 50 ms) → 408 and close soon after headersTimeout', async () => {
    const conn = await Conn.open(tport);
    const t0 = Date.now();
    const text = `GET / HTTP/1.1\r\nHost: x\r\n${'X-Slow: '.repeat(200)}`;
    let i = 0;
    const iv = setInterval(() => conn.write(text[i++ % text.length] as string), 50);
    try {
      const closed = await conn.waitClosed(2500);
      expect(closed, 'closed within 2.5 s').toBe(true);
      expect(conn.text()).toMatch(/^HTTP\/1\.1 408 /);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    } finally {
      clearInterval(iv);
      conn.destroy();
    }
  });

  it('a silent connection that never sends a head is closed too (408 or plain close)', async () => {
    const conn = await Conn.open(tport);
    conn.write('GET / HTT');
    expect(await conn.waitClosed(2500)).toBe(true);
    const t = conn.text();
    if (t) expect(t).toMatch(/^HTTP\/1\.1 408 /);
    conn.destroy();
  });

  it('a body trickled past requestTimeout → 408 and close', async () => {
    const conn = await Conn.open(tport);
    conn.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 200\r\n\r\n');
    const iv = setInterval(() => conn.write('b'), 50);
    try {
      expect(await conn.waitClosed(3000)).toBe(true);
      expect(conn.text()).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(iv);
      conn.destroy();
    }
  });

  it('a view slower than headersTimeout and requestTimeout still answers (timeouts are about receiving)', async () => {
    const conn = await Conn.open(tport);
    conn.write('GET /slow?ms=900 HTTP/1.1\r\nHost: x\r\n\r\nGET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n');
    const [a, b] = await conn.readAll(['GET', 'GET'], 2500);
    expect(a?.body.toString()).toBe('slow done');
    expect(b?.body.toString()).toBe('n=1');
    conn.destroy();
  });

  it('other connections are served while a slow-loris connection is pending', async () => {
    const slow = await Conn.open(tport);
    slow.write('GET / HTTP/1.1\r\n');
    const r = await simpleGet(tport, '/n/5');
    expect([r.status, r.body.toString()]).toEqual([200, 'n=5']);
    // answered while the slow connection was still pending (not after its 408)
    expect(slow.ended).toBe(false);
    slow.destroy();
  });

  it('keepAliveTimeout counts from when the response was flushed: an 8 MB answer to a reader 0.7 s late is whole', async () => {
    const conn = await Conn.open(tport);
    conn.socket.pause();
    conn.write('GET /blob?kb=8192 HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(700);
    conn.socket.resume();
    const r = await conn.read('GET', 5000);
    expect(r.body.length).toBe(8192 * 1024);
    conn.destroy();
  });

  it('the last response of a connection goes out whole to a client that reads 2.3 s late (8 MB string with Connection: close; 8 MB HTTP/1.0 stream)', async () => {
    const late = async (req: string, closeDelimited: boolean): Promise<number> => {
      const conn = await Conn.open(tport);
      conn.socket.pause();
      conn.write(req);
      await sleep(2300);
      conn.socket.resume();
      try {
        if (closeDelimited) expect(await conn.waitClosed(5000)).toBe(true);
        return (await conn.read('GET', 5000)).body.length;
      } finally {
        conn.destroy();
      }
    };
    const [a, b] = await Promise.all([
      late('GET /blob?kb=8192 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', false),
      late('GET /big?mb=8 HTTP/1.0\r\n\r\n', true),
    ]);
    expect([a, b]).toEqual([8 * 1024 * 1024, 8 * 1024 * 1024]);
  }, 10_000);

  it('an idle keep-alive connection is closed after keepAliveTimeout; activity keeps it alive', async () => {
    const conn = await Conn.open(tport);
    for (let i = 0; i < 3; i++) {
      conn.write(`GET /n/${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect((await conn.read()).body.toString()).toBe(`n=${i}`);
      await sleep(200); // under keepAliveTimeout (300 ms): 600 ms in all
    }
    const t0 = Date.now();
    expect(await conn.waitClosed(2500)).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    // nothing but the responses came back (no 408 on an idle connection)
    expect(conn.pending().length).toBe(0);
    conn.destroy();
  });
});
