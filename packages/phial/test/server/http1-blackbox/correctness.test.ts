/**
 * Correct HTTP/1.x behaviour over real sockets: keep-alive, pipelining, HTTP/1.0, HEAD/204/304 framing,
 * streamed responses (framing, backpressure, client going away), parsed bodies, errors, header injection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, makeProbe, type Probe } from './fixture.js';
import { Conn, header, simpleGet, sleep, start, stopAll } from './harness.js';

let port: number;
let probe: Probe;

beforeAll(async () => {
  probe = makeProbe();
  port = (await start(makeApp(probe, 100_000_000))).port;
});
afterAll(stopAll);

describe('connection management', () => {
  it('100 sequential requests on one keep-alive socket', async () => {
    const conn = await Conn.open(port);
    for (let i = 0; i < 100; i++) {
      conn.write(`GET /n/${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      const r = await conn.read();
      expect(r.status).toBe(200);
      expect(r.body.toString()).toBe(`n=${i}`);
      expect(header(r, 'connection')?.toLowerCase()).not.toBe('close');
    }
    expect(conn.ended).toBe(false);
    conn.destroy();
  });

  it('10 pipelined requests in one write (bodies, a chunked POST in the middle) answered in order', async () => {
    const reqs: string[] = [];
    const methods: string[] = [];
    for (let i = 0; i < 10; i++) {
      if (i === 5) {
        reqs.push(
          'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n',
        );
        methods.push('POST');
      } else if (i % 3 === 0) {
        const body = 'b'.repeat(i * 7);
        reqs.push(`PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        methods.push('PUT');
      } else if (i === 7) {
        reqs.push('HEAD / HTTP/1.1\r\nHost: x\r\n\r\n');
        methods.push('HEAD');
      } else {
        reqs.push(`GET /n/${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
        methods.push('GET');
      }
    }
    const conn = await Conn.open(port);
    conn.write(reqs.join(''));
    const rs = await conn.readAll(methods);
    for (let i = 0; i < 10; i++) {
      const r = rs[i];
      if (!r) throw new Error('missing response');
      expect(r.status, `response ${i}`).toBe(200);
      if (i === 5) expect(JSON.parse(r.body.toString())).toMatchObject({ method: 'POST', body: 'abcdefg' });
      else if (i % 3 === 0)
        expect(JSON.parse(r.body.toString())).toMatchObject({ method: 'PUT', len: i * 7 });
      else if (i === 7) {
        expect(r.body.length).toBe(0);
        expect(header(r, 'content-length')).toBe('13');
      } else expect(r.body.toString()).toBe(`n=${i}`);
    }
    expect(await conn.quiet(100)).toBe(true);
    conn.destroy();
  });

  it('pipelined requests whose first answer is slow still come back in order', async () => {
    const conn = await Conn.open(port);
    conn.write(
      'GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /n/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /stream?n=3 HTTP/1.1\r\nHost: x\r\n\r\nGET /n/2 HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const rs = await conn.readAll(['GET', 'GET', 'GET', 'GET']);
    expect(rs.map((r) => r.body.toString())).toEqual(['slow done', 'n=1', 'part0;part1;part2;', 'n=2']);
    conn.destroy();
  });

  it('a request split into single bytes is parsed', async () => {
    const conn = await Conn.open(port);
    const req = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz';
    for (const ch of req) {
      conn.write(ch);
      await sleep(1);
    }
    const r = await conn.read('POST');
    expect(JSON.parse(r.body.toString())).toMatchObject({ body: 'xyz' });
    conn.destroy();
  });

  it('every 3-segment split of a request parses (segments arrive separately)', async () => {
    const req = 'GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n';
    const splits: [number, number][] = [];
    for (let i = 1; i < req.length; i++) for (let j = i + 1; j < req.length; j++) splits.push([i, j]);
    const bad: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        while (next < splits.length) {
          const [i, j] = splits[next++] as [number, number];
          const conn = await Conn.open(port);
          try {
            conn.write(req.slice(0, i));
            await sleep(2);
            conn.write(req.slice(i, j));
            await sleep(2);
            conn.write(req.slice(j));
            const r = await conn.read();
            if (r.status !== 200 || r.body.toString() !== 'n=1')
              bad.push(`${JSON.stringify([req.slice(0, i), req.slice(i, j), req.slice(j)])} → ${r.status}`);
          } finally {
            conn.destroy();
          }
        }
      }),
    );
    expect(bad.slice(0, 10), `${bad.length} of ${splits.length} splits fail`).toEqual([]);
  });

  it('a chunked body split into single bytes is parsed', async () => {
    const conn = await Conn.open(port);
    const req =
      'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n';
    for (const ch of req) {
      conn.write(ch);
      await sleep(1);
    }
    const r = await conn.read('POST');
    expect(JSON.parse(r.body.toString())).toMatchObject({ body: 'abcde' });
    conn.destroy();
  });

  it('bodies holding bare LF, CR, NUL and CRLFCRLF are data, not head syntax (same packet as the head)', async () => {
    const conn = await Conn.open(port);
    const bodies = ['a\nb', 'a\rb', 'a\0b', '\r\n\r\n', 'GET / HTTP/1.1\r\n\r\n', '\n\n\n', '\x7f\xff'];
    conn.write(
      bodies.map((b) => `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${b.length}\r\n\r\n${b}`).join(''),
    );
    const rs = await conn.readAll(bodies.map(() => 'POST'));
    expect(rs.map((r) => r.status)).toEqual(bodies.map(() => 200));
    expect(rs.map((r) => (JSON.parse(r.body.toString()) as { len: number }).len)).toEqual(
      bodies.map((b) => Buffer.byteLength(Buffer.from(b, 'latin1').toString('utf8'))),
    );
    conn.destroy();
  });

  it('pipelined heads of every size around internal buffer windows (2-8 KB) are each parsed once, in order', async () => {
    const conn = await Conn.open(port);
    const reqs: string[] = [];
    const methods: string[] = [];
    let k = 0;
    for (let pad = 1900; pad < 8300; pad += 173) {
      const body = 'b'.repeat(k % 5 === 0 ? 0 : (k * 37) % 3000);
      if (body)
        reqs.push(
          `POST /echo HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(pad)}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
      else reqs.push(`GET /n/${k} HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(pad)}\r\n\r\n`);
      methods.push(body ? 'POST' : 'GET');
      k++;
    }
    conn.write(reqs.join(''));
    const rs = await conn.readAll(methods, 5000);
    rs.forEach((r, i) => {
      expect(r.status, `request ${i}`).toBe(200);
      if (methods[i] === 'GET') expect(r.body.toString()).toBe(`n=${i}`);
      else expect((JSON.parse(r.body.toString()) as { len: number }).len).toBe((i * 37) % 3000);
    });
    expect(await conn.quiet(50)).toBe(true);
    conn.destroy();
  });

  it('Connection: close from the client → response then close', async () => {
    const conn = await Conn.open(port);
    conn.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await conn.read();
    expect(r.status).toBe(200);
    expect(header(r, 'connection')?.toLowerCase()).toBe('close');
    expect(await conn.waitClosed()).toBe(true);
    expect(conn.pending().length).toBe(0);
    conn.destroy();
  });

  it('HTTP/1.0 without keep-alive: HTTP/1.x answer, then the server closes', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /n/3 HTTP/1.0\r\n\r\n');
    const r = await conn.read();
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('n=3');
    expect(header(r, 'connection')?.toLowerCase() ?? 'close').toBe('close');
    expect(await conn.waitClosed()).toBe(true);
    conn.destroy();
  });

  it('HTTP/1.0 with Connection: keep-alive is answered keep-alive and stays open', async () => {
    const conn = await Conn.open(port);
    for (let i = 0; i < 3; i++) {
      conn.write(`GET /n/${i} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`);
      const r = await conn.read();
      expect(r.body.toString()).toBe(`n=${i}`);
      expect(header(r, 'connection')?.toLowerCase()).toBe('keep-alive');
      expect(header(r, 'content-length')).toBe(String(`n=${i}`.length));
    }
    expect(await conn.waitClosed(150)).toBe(false);
    conn.destroy();
  });

  it('HTTP/1.0 streamed response is close-delimited (no chunked) and complete', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /stream?n=4 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect(await conn.waitClosed(2000)).toBe(true);
    const r = await conn.read();
    expect(r.chunked).toBe(false);
    expect(header(r, 'transfer-encoding')).toBeUndefined();
    // it will close: it must not promise keep-alive
    expect(header(r, 'connection')?.toLowerCase() ?? 'close').toBe('close');
    expect(r.body.toString()).toBe('part0;part1;part2;part3;');
    conn.destroy();
  });

  it('the client half-closing after a full request: the response then a close, or a prompt close (like node)', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    conn.end();
    expect(await conn.waitClosed(2000)).toBe(true);
    if (conn.text().length > 0) expect((await conn.read('GET', 100)).body.toString()).toBe('slow done');
    conn.destroy();
  });
});

describe('bodiless responses', () => {
  it('HEAD: Content-Length of the GET body, no body; the next request on the connection parses', async () => {
    const conn = await Conn.open(port);
    conn.write('HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /n/8 HTTP/1.1\r\nHost: x\r\n\r\n');
    const h = await conn.read('HEAD');
    expect(h.status).toBe(200);
    expect(header(h, 'content-length')).toBe('13');
    const g = await conn.read('GET');
    expect(g.body.toString()).toBe('n=8');
    expect(conn.text()).not.toContain('Hello, World!');
    conn.destroy();
  });

  it('HEAD on a streamed view sends no body bytes', async () => {
    const conn = await Conn.open(port);
    conn.write('HEAD /stream?n=3 HTTP/1.1\r\nHost: x\r\n\r\nGET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n');
    await conn.read('HEAD');
    const g = await conn.read('GET');
    expect(g.body.toString()).toBe('n=1');
    expect(conn.text()).not.toContain('part0');
    conn.destroy();
  });

  it('204 and 304 carry no body and no Content-Length/Transfer-Encoding (204); the connection continues', async () => {
    const conn = await Conn.open(port);
    conn.write(
      'GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\nGET /notmodified HTTP/1.1\r\nHost: x\r\n\r\nGET /n/6 HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const [a, b, c] = await conn.readAll(['GET', 'GET', 'GET']);
    expect(a?.status).toBe(204);
    expect(header(a, 'content-length')).toBeUndefined();
    expect(header(a, 'transfer-encoding')).toBeUndefined();
    expect(b?.status).toBe(304);
    expect(header(b, 'transfer-encoding')).toBeUndefined();
    expect(header(b, 'etag')).toBe('"v1"');
    expect(c?.body.toString()).toBe('n=6');
    conn.destroy();
  });

  it('204/304 whose view returned a body: the body is not sent, the connection stays in sync', async () => {
    const conn = await Conn.open(port);
    conn.write(
      'GET /204-with-body HTTP/1.1\r\nHost: x\r\n\r\nGET /304-with-body HTTP/1.1\r\nHost: x\r\n\r\nGET /204-stream HTTP/1.1\r\nHost: x\r\n\r\nGET /n/5 HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const rs = await conn.readAll(['GET', 'GET', 'GET', 'GET']);
    expect(rs.map((r) => r.status)).toEqual([204, 304, 204, 200]);
    expect(rs[3]?.body.toString()).toBe('n=5');
    expect(conn.text()).not.toContain('oops');
    expect(conn.text()).not.toContain('never');
    expect(header(rs[0], 'content-length')).toBeUndefined();
    conn.destroy();
  });

  it('Connection: close set by the view closes the connection after the response', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /close-me HTTP/1.1\r\nHost: x\r\n\r\nGET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await conn.read();
    expect(r.body.toString()).toBe('bye');
    expect(header(r, 'connection')).toBe('close');
    expect(r.headers.get('connection')).toHaveLength(1);
    expect(await conn.waitClosed()).toBe(true);
    expect(conn.pending().length).toBe(0);
    conn.destroy();
  });

  it('Transfer-Encoding / Content-Length set by the view never produce a mis-framed response', async () => {
    const conn = await Conn.open(port);
    conn.write(
      'GET /te-header HTTP/1.1\r\nHost: x\r\n\r\nGET /cl-header HTTP/1.1\r\nHost: x\r\n\r\nGET /n/2 HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    // the strict reader throws on TE + CL together or on a bad chunked body
    const [a, b, c] = await conn.readAll(['GET', 'GET', 'GET']);
    expect(a?.body.toString()).toBe('abc');
    expect(b?.body.toString()).toBe('abc');
    expect(b?.headers.get('content-length')).toEqual(['3']);
    expect(c?.body.toString()).toBe('n=2');
    conn.destroy();
  });

  it('a Date set by the view is kept and not doubled', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /date-set HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await conn.read();
    expect(r.headers.get('date')).toEqual(['Mon, 01 Jan 2024 00:00:00 GMT']);
    conn.destroy();
  });

  it('every response carries a Date header', async () => {
    const conn = await Conn.open(port);
    conn.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await conn.read();
    const d = header(r, 'date');
    expect(d).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Math.abs(Date.parse(d ?? '') - Date.now())).toBeLessThan(3000);
    conn.destroy();
  });
});

describe('streamed responses', () => {
  it('async generator → valid chunked framing, no Content-Length', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /stream?n=20 HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await conn.read();
    expect(r.chunked).toBe(true);
    expect(header(r, 'content-length')).toBeUndefined();
    expect(r.body.toString()).toBe(Array.from({ length: 20 }, (_, i) => `part${i};`).join(''));
    // connection reusable after the terminating chunk
    conn.write('GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await conn.read()).body.toString()).toBe('n=1');
    conn.destroy();
  });

  it('an empty stream is a valid chunked body of length 0', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /stream?n=0 HTTP/1.1\r\nHost: x\r\n\r\nGET /n/2 HTTP/1.1\r\nHost: x\r\n\r\n');
    const [a, b] = await conn.readAll(['GET', 'GET']);
    expect(a?.body.length).toBe(0);
    expect(b?.body.toString()).toBe('n=2');
    conn.destroy();
  });

  it('16 MB stream to a slow reader: backpressure holds the generator, everything arrives intact', async () => {
    probe.produced = 0;
    const conn = await Conn.open(port);
    conn.socket.pause();
    conn.write('GET /big?mb=16 HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(400);
    const whilePaused = probe.produced;
    expect(whilePaused, 'the generator must wait for drain').toBeLessThan(16 * 1024 * 1024);
    // read slowly for a while
    for (let i = 0; i < 5; i++) {
      conn.socket.resume();
      await sleep(5);
      conn.socket.pause();
      await sleep(20);
    }
    conn.socket.resume();
    const r = await conn.read('GET', 8000);
    expect(r.chunked).toBe(true);
    expect(r.body.length).toBe(16 * 1024 * 1024);
    const size = 64 * 1024;
    for (let k = 0; k < r.body.length / size; k++) {
      const b = r.body;
      if (b[k * size] !== k % 251 || b[k * size + size - 1] !== k % 251)
        throw new Error(`chunk ${k} corrupted`);
    }
    conn.destroy();
  });

  it('a client that disconnects mid-stream stops the generator (finally runs) and fires the abort signal', async () => {
    const f0 = probe.streamFinally;
    const a0 = probe.aborts;
    const conn = await Conn.open(port);
    conn.write('GET /endless HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 50 && !conn.text().includes('tick 2'); i++) await sleep(20);
    expect(conn.text()).toContain('tick 2');
    conn.destroy();
    for (let i = 0; i < 50 && (probe.streamFinally === f0 || probe.aborts === a0); i++) await sleep(20);
    expect(probe.streamFinally).toBe(f0 + 1);
    expect(probe.aborts).toBe(a0 + 1);
  });

  it('a client that half-closes and resets mid-stream also stops it', async () => {
    const f0 = probe.streamFinally;
    const conn = await Conn.open(port);
    conn.write('GET /endless HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 50 && !conn.text().includes('tick 1'); i++) await sleep(20);
    conn.socket.resetAndDestroy();
    for (let i = 0; i < 50 && probe.streamFinally === f0; i++) await sleep(20);
    expect(probe.streamFinally).toBe(f0 + 1);
  });
});

describe('streams that fail', () => {
  it('a generator that throws mid-stream: no terminating chunk, the connection is cut (truncation is visible)', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /stream-fail HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await conn.waitClosed(1500)).toBe(true);
    const text = conn.text();
    // node:http drops everything; a server that already sent the head must cut the chunked body short
    if (text) expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text.endsWith('0\r\n\r\n')).toBe(false);
    await expect(conn.read('GET', 100)).rejects.toThrow();
    conn.destroy();
    expect((await simpleGet(port, '/n/1')).status).toBe(200);
  });

  it('a generator that throws before its first chunk: a complete 500, or a cut connection — never a complete 200', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /stream-fail?early=1 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await conn.waitClosed(1500)).toBe(true);
    let complete: number | null = null;
    try {
      complete = (await conn.read('GET', 100)).status;
    } catch {
      complete = null;
    }
    expect(complete === null || complete === 500).toBe(true);
    conn.destroy();
  });
});

describe('large bodies', () => {
  it('a 5 MB Content-Length upload and a 5 MB chunked upload (64 KB chunks) arrive complete', async () => {
    const size = 5 * 1024 * 1024;
    const conn = await Conn.open(port);
    conn.write(`PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`);
    conn.write(Buffer.alloc(size, 'u'));
    const a = await conn.read('PUT', 6000);
    expect(JSON.parse(a.body.toString()).len).toBe(size);
    conn.write('PUT /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const piece = Buffer.alloc(65536, 'c');
    for (let i = 0; i < size / 65536; i++)
      conn.write(Buffer.concat([Buffer.from('10000\r\n'), piece, Buffer.from('\r\n')]));
    conn.write('0\r\n\r\n');
    const b = await conn.read('PUT', 6000);
    expect(JSON.parse(b.body.toString()).len).toBe(size);
    conn.destroy();
  });

  it('20 000 one-byte chunks are parsed quickly', async () => {
    const conn = await Conn.open(port);
    const t0 = Date.now();
    conn.write(
      `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${'1\r\nq\r\n'.repeat(20_000)}0\r\n\r\n`,
    );
    const r = await conn.read('POST', 3000);
    expect(JSON.parse(r.body.toString()).len).toBe(20_000);
    expect(Date.now() - t0).toBeLessThan(3000);
    conn.destroy();
  });

  it('a 1 MB body the view never reads (405): the next request is in sync, or Connection: close and a close', async () => {
    const size = 1024 * 1024;
    const conn = await Conn.open(port);
    conn.write(`POST /n/1 HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`);
    conn.write(Buffer.alloc(size, 'GET /admin HTTP/1.1\r\nHost: x\r\n\r\n'));
    conn.write('GET /n/2 HTTP/1.1\r\nHost: x\r\n\r\n');
    const a = await conn.read('POST', 3000);
    expect(a.status).toBe(405);
    if (header(a, 'connection')?.toLowerCase() === 'close') expect(await conn.waitClosed(1500)).toBe(true);
    else expect((await conn.read('GET', 3000)).body.toString()).toBe('n=2');
    expect(conn.text()).not.toContain('admin area');
    conn.destroy();
  });

  it('a 4 MB string body to a slow reader arrives complete', async () => {
    const conn = await Conn.open(port);
    conn.socket.pause();
    conn.write('GET /blob?kb=4096 HTTP/1.1\r\nHost: x\r\n\r\nGET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(200);
    conn.socket.resume();
    const [a, b] = await conn.readAll(['GET', 'GET'], 6000);
    expect(a?.body.length).toBe(4096 * 1024);
    expect(header(a, 'content-length')).toBe(String(4096 * 1024));
    expect(a?.body.every((c) => c === 120)).toBe(true);
    expect(b?.body.toString()).toBe('n=1');
    conn.destroy();
  });
});

describe('Response._close() runs exactly once', () => {
  it('for string, 204, streamed, HEAD-streamed, failing, abandoned and never-delivered responses', async () => {
    const cases: [string, string, string][] = [
      ['s', 'GET', 'GET /oc/s?kind=string HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['n', 'GET', 'GET /oc/n?kind=204 HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['st', 'GET', 'GET /oc/st?kind=stream HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['h', 'HEAD', 'HEAD /oc/h?kind=stream HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['h10', 'GET', 'GET /oc/h10?kind=stream HTTP/1.0\r\n\r\n'],
      ['p', 'POST', 'POST /oc/p?kind=string HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc'],
    ];
    for (const [, method, bytes] of cases) {
      const conn = await Conn.open(port);
      conn.write(bytes);
      await conn.read(method, 2000).catch(() => undefined);
      conn.destroy();
    }
    // a stream that throws mid-way
    const f = await Conn.open(port);
    f.write('GET /oc/f?kind=fail HTTP/1.1\r\nHost: x\r\n\r\n');
    await f.waitClosed(1000);
    f.destroy();
    // a stream the client abandons
    const e = await Conn.open(port);
    e.write('GET /oc/e?kind=endless HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 50 && !e.text().includes('c2;'); i++) await sleep(10);
    e.socket.resetAndDestroy();
    // a response whose client went before it was ready
    const g = await Conn.open(port);
    g.write('GET /oc/g?kind=string&wait=100 HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(20);
    g.socket.resetAndDestroy();
    await sleep(300);
    const tags = ['s', 'n', 'st', 'h', 'h10', 'p', 'f', 'e', 'g'];
    expect(Object.fromEntries(tags.map((t) => [t, probe.closed.get(t) ?? 0]))).toEqual(
      Object.fromEntries(tags.map((t) => [t, 1])),
    );
  });
});

describe('close callbacks do not hold the connection', () => {
  it('a never-settling callOnClose after a complete response does not block the next request', async () => {
    const conn = await Conn.open(port);
    conn.write(
      'GET /close-hangs HTTP/1.1\r\nHost: x\r\n\r\nGET /n/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /close-hangs?string=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /n/2 HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const rs = await conn.readAll(['GET', 'GET', 'GET', 'GET'], 1500);
    expect(rs.map((r) => r.body.toString())).toEqual(['streamed;', 'n=1', 'plain', 'n=2']);
    conn.destroy();
  });
});

describe('request bodies reach the view parsed', () => {
  it('JSON', async () => {
    const body = '{"a":[1,2,{"b":"é"}]}';
    const conn = await Conn.open(port);
    conn.write(
      Buffer.concat([
        Buffer.from(
          `POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
        ),
        Buffer.from(body, 'utf8'),
      ]),
    );
    const r = await conn.read('POST');
    expect(JSON.parse(r.body.toString())).toEqual({ got: { a: [1, 2, { b: 'é' }] } });
    conn.destroy();
  });

  it('urlencoded', async () => {
    const body = 'name=J%C3%BCrgen&x=1+2&empty=';
    const conn = await Conn.open(port);
    conn.write(
      `POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    const r = await conn.read('POST');
    expect(JSON.parse(r.body.toString())).toEqual({
      form: { name: 'Jürgen', x: '1 2', empty: '' },
      files: {},
    });
    conn.destroy();
  });

  it('multipart (chunked transfer) with a field and a file', async () => {
    const b = '----blackbox42';
    const body =
      `--${b}\r\nContent-Disposition: form-data; name="title"\r\n\r\nhello world\r\n` +
      `--${b}\r\nContent-Disposition: form-data; name="up"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nfile\r\ncontent\r\n` +
      `--${b}--\r\n`;
    const half = Math.floor(body.length / 2);
    const conn = await Conn.open(port);
    conn.write(
      `POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${b}\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `${half.toString(16)}\r\n${body.slice(0, half)}\r\n${(body.length - half).toString(16)}\r\n${body.slice(half)}\r\n0\r\n\r\n`,
    );
    const r = await conn.read('POST');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString())).toEqual({
      form: { title: 'hello world' },
      files: { up: { filename: 'a.txt', text: 'file\r\ncontent', type: 'text/plain' } },
    });
    conn.destroy();
  });

  it('duplicate request headers merge like node (cookie "; ", others ", "), names lower-cased', async () => {
    const conn = await Conn.open(port);
    conn.write(
      'GET /headers HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nCOOKIE: b=2\r\nX-Multi: 1\r\nx-multi: 2\r\nAccept: a/b\r\nAccept: c/d\r\n\r\n',
    );
    const h = JSON.parse((await conn.read()).body.toString()) as Record<string, string>;
    expect(h.cookie).toBe('a=1; b=2');
    expect(h['x-multi']).toBe('1, 2');
    expect(h.accept).toBe('a/b, c/d');
    expect(h.host).toBe('x');
    conn.destroy();
  });
});

describe('errors and header safety', () => {
  it('a view that throws → 500 and the connection remains usable', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /throw HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await conn.read();
    expect(r.status).toBe(500);
    conn.write('GET /n/4 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await conn.read()).body.toString()).toBe('n=4');
    conn.destroy();
  });

  it('a 404 keeps the connection', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /n/3 HTTP/1.1\r\nHost: x\r\n\r\n');
    const [a, b] = await conn.readAll(['GET', 'GET']);
    expect(a?.status).toBe(404);
    expect(b?.body.toString()).toBe('n=3');
    conn.destroy();
  });

  it('CR/LF in an app-set header value never splits the response head', async () => {
    const conn = await Conn.open(port);
    const v = encodeURIComponent('a\r\nX-Injected: 1\r\n\r\n<html>evil');
    conn.write(`GET /inject?v=${v} HTTP/1.1\r\nHost: x\r\n\r\nGET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n`);
    const [a, b] = await conn.readAll(['GET', 'GET']);
    expect(a?.headers.has('x-injected')).toBe(false);
    expect([200, 500]).toContain(a?.status);
    if (a?.status === 200) expect(a.body.toString()).toBe('ok');
    expect(b?.body.toString()).toBe('n=1');
    conn.destroy();
  });

  it('CR/LF in an app-set status text never splits the response head', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /inject-status HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await conn.read();
    expect(r.headers.has('x-evil')).toBe(false);
    expect(r.rawHead.split('\r\n')[0]).not.toMatch(/[\r\n]/);
    conn.destroy();
  });

  it('a non-ASCII header value goes out as its UTF-8 bytes (node:http double-encodes it when the body is a string)', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /inject?v=caf%C3%A9%20%E2%82%AC HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await conn.read();
    expect(Buffer.from(header(r, 'x-echo') ?? '', 'latin1').toString('utf8')).toBe('café €');
    conn.destroy();
  });

  it('a non-ASCII reason phrase stays on the status line (latin1 obs-text or UTF-8 bytes)', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /status-text?t=Tr%C3%A8s%20bien HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await conn.read();
    expect(r.status).toBe(299);
    expect(['Très bien', Buffer.from('Très bien').toString('latin1')]).toContain(r.reason);
    expect(r.body.toString()).toBe('st');
    conn.destroy();
  });

  it('Set-Cookie headers stay separate lines', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /cookie HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await conn.read();
    expect(r.headers.get('set-cookie')).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    conn.destroy();
  });
});
