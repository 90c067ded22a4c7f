/**
 * Limits and timeouts (HTTP1.md): a head over maxHeaderSize → 431; a body over MAX_CONTENT_LENGTH → 413
 * before it is read and the connection closes; `Expect`; headersTimeout / requestTimeout → 408 and close;
 * idle keep-alive closed after keepAliveTimeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, makeProbe, type Probe } from './fixture.js';
import { Conn, exchange, header, sleep, start, stopAll } from './harness.js';

let port: number;
let probe: Probe;
const LIMIT = 1000;

beforeAll(async () => {
  probe = makeProbe();
  port = (await start(makeApp(probe, LIMIT))).port;
});
afterAll(stopAll);

const SMUGGLED = 'GET /admin HTTP/1.1\r\nHost: x\r\n\r\n';

describe('head size (maxHeaderSize, default 16384)', () => {
  it('one 17 KB header → 431 with Connection: close, connection closed', async () => {
    const { res, closed } = await exchange(
      port,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17000)}\r\n\r\n`,
    );
    expect(res.status).toBe(431);
    expect(header(res, 'connection')?.toLowerCase()).toBe('close');
    expect(closed).toBe(true);
  });

  it('a request line (URL) over the limit → 414, as Werkzeug and uvicorn answer, finished or not', async () => {
    const { res, closed } = await exchange(port, `GET /${'u'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(res.status).toBe(414);
    expect(closed).toBe(true);
    const conn = await Conn.open(port);
    conn.write(`GET /${'u'.repeat(20_000)}`);
    expect((await conn.read('GET', 1500)).status).toBe(414);
    conn.destroy();
  });

  it('many small headers adding up to > 16 KB → 431', async () => {
    let h = '';
    for (let i = 0; i < 400; i++) h += `X-H${i}: ${'v'.repeat(40)}\r\n`;
    const { res, closed } = await exchange(port, `GET / HTTP/1.1\r\nHost: x\r\n${h}\r\n`);
    expect(res.status).toBe(431);
    expect(closed).toBe(true);
  });

  it('an unfinished head over the limit is answered 431 without waiting for its end', async () => {
    const conn = await Conn.open(port);
    conn.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}`);
    const res = await conn.read('GET', 1500);
    expect(res.status).toBe(431);
    expect(await conn.waitClosed()).toBe(true);
    conn.destroy();
  });

  it('a 17 KB request target → 431 (or 414)', async () => {
    const { res, closed } = await exchange(port, `GET /${'p'.repeat(17000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect([414, 431]).toContain(res.status);
    expect(closed).toBe(true);
  });

  it('a 15 KB head is still served', async () => {
    const conn = await Conn.open(port);
    conn.write(`GET /n/2 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(15000)}\r\n\r\n`);
    const res = await conn.read();
    expect([res.status, res.body.toString()]).toEqual([200, 'n=2']);
    conn.destroy();
  });
});

describe('MAX_CONTENT_LENGTH', () => {
  it('Content-Length over the limit → 413 before any body byte is sent, then close', async () => {
    const before = probe.hits.get('echo') ?? 0;
    const conn = await Conn.open(port);
    conn.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${LIMIT * 50}\r\n\r\n`);
    const res = await conn.read('POST', 1500);
    expect(res.status).toBe(413);
    expect(header(res, 'connection')?.toLowerCase()).toBe('close');
    expect(await conn.waitClosed()).toBe(true);
    conn.destroy();
    expect(probe.hits.get('echo') ?? 0).toBe(before);
  });

  it('an oversized body that contains a request is never parsed as the next request', async () => {
    const body = (SMUGGLED + 'x'.repeat(LIMIT)).slice(0, LIMIT + 10);
    const conn = await Conn.open(port);
    conn.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const res = await conn.read('POST');
    expect(res.status).toBe(413);
    if (header(res, 'connection')?.toLowerCase() === 'close') {
      expect(await conn.waitClosed()).toBe(true);
    } else {
      // the server skipped the whole body it already had: the connection must then be in sync
      conn.write('GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n');
      expect((await conn.read()).body.toString()).toBe('n=1');
    }
    expect(conn.pending().length).toBe(0);
    conn.destroy();
    expect(probe.hits.get('admin') ?? 0).toBe(0);
  });

  it('an oversized body only partly sent → 413 with Connection: close, closed without waiting for the rest', async () => {
    const conn = await Conn.open(port);
    conn.write(
      `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${LIMIT * 100}\r\n\r\n${'p'.repeat(LIMIT * 3)}`,
    );
    const res = await conn.read('POST', 1500);
    expect(res.status).toBe(413);
    expect(header(res, 'connection')?.toLowerCase()).toBe('close');
    expect(await conn.waitClosed()).toBe(true);
    conn.destroy();
  });

  it('a chunked body growing past the limit → 413 and close, no terminating chunk needed', async () => {
    const conn = await Conn.open(port);
    conn.write('POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 3; i++) {
      conn.write(`258\r\n${'y'.repeat(600)}\r\n`);
      await sleep(10);
    }
    const res = await conn.read('POST', 1500);
    expect(res.status).toBe(413);
    expect(await conn.waitClosed()).toBe(true);
    conn.destroy();
  });

  it('a body exactly at the limit is accepted', async () => {
    const conn = await Conn.open(port);
    conn.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${LIMIT}\r\n\r\n${'z'.repeat(LIMIT)}`);
    const res = await conn.read('POST');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString()).len).toBe(LIMIT);
    expect(await conn.waitClosed(150)).toBe(false);
    conn.destroy();
  });
});

describe('Expect', () => {
  it('100-continue under the limit: exactly `HTTP/1.1 100 Continue\\r\\n\\r\\n` first, then the body is read', async () => {
    const conn = await Conn.open(port);
    conn.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    const cont = await conn.read('POST', 1500);
    expect(cont.status).toBe(100);
    expect(conn.text()).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    expect(await conn.quiet(100)).toBe(true);
    conn.write('hello');
    const res = await conn.read('POST');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toMatchObject({ len: 5, body: 'hello' });
    // still usable
    conn.write('GET /n/9 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await conn.read()).body.toString()).toBe('n=9');
    conn.destroy();
  });

  it('100-continue is case-insensitive', async () => {
    const conn = await Conn.open(port);
    conn.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-Continue\r\n\r\n');
    expect((await conn.read('POST', 1500)).status).toBe(100);
    conn.write('ok');
    expect((await conn.read('POST')).status).toBe(200);
    conn.destroy();
  });

  it('100-continue over the limit: no 100, a 413, connection closed', async () => {
    const conn = await Conn.open(port);
    conn.write(
      `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${LIMIT + 1}\r\nExpect: 100-continue\r\n\r\n`,
    );
    const res = await conn.read('POST', 1500);
    expect(res.status).toBe(413);
    expect(conn.text()).not.toContain('100 Continue');
    expect(await conn.waitClosed()).toBe(true);
    conn.destroy();
  });

  it('100-continue on a pipelined request comes after the previous response, never interleaved', async () => {
    const conn = await Conn.open(port);
    conn.write(
      'GET /slow HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n',
    );
    const first = await conn.read('GET', 1500);
    expect(first.body.toString()).toBe('slow done');
    expect((await conn.read('POST', 1500)).status).toBe(100);
    conn.write('abc');
    expect(JSON.parse((await conn.read('POST')).body.toString())).toMatchObject({ body: 'abc' });
    conn.destroy();
  });

  it('no 100 Continue to an HTTP/1.0 client (RFC 9110 §10.1.1)', async () => {
    const conn = await Conn.open(port);
    conn.write('POST /echo HTTP/1.0\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n');
    expect(await conn.quiet(150)).toBe(true);
    conn.write('abc');
    const r = await conn.read('POST');
    expect(r.status).toBe(200);
    expect(conn.text()).not.toContain('100 Continue');
    conn.destroy();
  });

  it('an unknown expectation → 417', async () => {
    const { res, closed } = await exchange(
      port,
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: fly\r\n\r\n',
    );
    expect(res.status).toBe(417);
    expect(closed).toBe(true);
  });
});
