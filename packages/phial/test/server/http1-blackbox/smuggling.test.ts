/**
 * Request framing and header parsing (RFC 9112 §2-7, HTTP1.md "Strict parsing"): everything ambiguous is a
 * short 4xx with `Connection: close`, and the bytes after an ambiguous request are never served as a second
 * request (a smuggled `GET /admin` must not reach the app).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, makeProbe, type Probe } from './fixture.js';
import { Conn, exchange, header, simpleGet, start, stopAll } from './harness.js';

let port: number;
let probe: Probe;

beforeAll(async () => {
  probe = makeProbe();
  port = (await start(makeApp(probe))).port;
});
afterAll(stopAll);

const SMUGGLED = 'GET /admin HTTP/1.1\r\nHost: x\r\n\r\n';

/** Sends `bytes`; expects exactly one `status` response with Connection: close, then a closed connection. */
async function rejects(bytes: string, statuses: number[]): Promise<void> {
  const before = probe.hits.get('admin') ?? 0;
  const { res, closed, conn } = await exchange(port, bytes);
  expect(statuses, `sent ${JSON.stringify(bytes)} got ${res.status}`).toContain(res.status);
  expect(header(res, 'connection')?.toLowerCase()).toBe('close');
  expect(closed, 'connection closed after the error').toBe(true);
  // nothing else came back (no second response from smuggled bytes)
  expect(conn.pending().length, `extra bytes: ${JSON.stringify(conn.pending().toString('latin1'))}`).toBe(0);
  expect(probe.hits.get('admin') ?? 0).toBe(before);
}

/** Sends a request expected to be valid; returns the echo view's JSON and whether the conn stayed open. */
async function accepted(
  bytes: string,
): Promise<{ status: number; json: { method: string; len: number; body: string } | null }> {
  const conn = await Conn.open(port);
  try {
    conn.write(bytes);
    const res = await conn.read();
    const ct = header(res, 'content-type') ?? '';
    return { status: res.status, json: ct.includes('json') ? JSON.parse(res.body.toString()) : null };
  } finally {
    conn.destroy();
  }
}

describe('Content-Length / Transfer-Encoding ambiguity', () => {
  it('CL + TE together → 400 and close; the smuggled request is never served', async () => {
    await rejects(
      `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
      [400],
    );
    await rejects(
      `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n${SMUGGLED}`,
      [400],
    );
  });

  it('CL + TE with odd header-name case → 400', async () => {
    await rejects(
      `POST /echo HTTP/1.1\r\nHost: x\r\ncontent-LENGTH: 3\r\ntransfer-ENCODING: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
      [400],
    );
  });

  it('two different Content-Length headers → 400', async () => {
    await rejects(
      `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 38\r\n\r\nhello${SMUGGLED}`,
      [400],
    );
  });

  it('Content-Length list with different values → 400', async () => {
    await rejects(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 38\r\n\r\nhello${SMUGGLED}`, [400]);
  });

  it.each([
    ['+5', '+5'],
    ['-5', '-5'],
    ['hex 0x5', '0x5'],
    ['hex 5a', '5a'],
    ['space inside', '5 5'],
    ['empty', ''],
    ['decimal point', '5.0'],
    ['huge', '99999999999999999999999'],
  ])('Content-Length %s → 400', async (_n, v) => {
    await rejects(
      `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${v}\r\n\r\nhello${SMUGGLED}`,
      [400, 413],
    );
  });

  it('Content-Length 5,5 / duplicated 5: either 400 or exactly 5 body bytes (never 10, never a smuggle)', async () => {
    for (const h of [
      'Content-Length: 5,5',
      'Content-Length: 5, 5',
      'Content-Length: 5\r\nContent-Length: 5',
    ]) {
      const before = probe.hits.get('admin') ?? 0;
      const conn = await Conn.open(port);
      conn.write(`POST /echo HTTP/1.1\r\nHost: x\r\n${h}\r\n\r\nhello`);
      const res = await conn.read();
      if (res.status === 200) {
        expect(JSON.parse(res.body.toString())).toMatchObject({ len: 5, body: 'hello' });
      } else {
        expect(res.status).toBe(400);
        expect(await conn.waitClosed()).toBe(true);
      }
      conn.destroy();
      expect(probe.hits.get('admin') ?? 0).toBe(before);
    }
  });

  it('whitespace around the Content-Length value is OWS (valid)', async () => {
    const r = await accepted(
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length:    5   \r\nConnection: close\r\n\r\nhello',
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ len: 5, body: 'hello' });
  });

  it.each([
    ['chunked, gzip', 'chunked, gzip'],
    ['gzip, chunked', 'gzip, chunked'],
    ['xchunked', 'xchunked'],
    ['chunkedx', 'chunkedx'],
    ['identity', 'identity'],
    ['empty', ''],
  ])('Transfer-Encoding: %s → 501 (or 400) and close', async (_n, v) => {
    await rejects(
      `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ${v}\r\n\r\n0\r\n\r\n${SMUGGLED}`,
      [400, 501],
    );
  });

  it('Transfer-Encoding: chunked twice (two lines or a list) → 400/501', async () => {
    await rejects(
      `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
      [400, 501],
    );
    await rejects(
      `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
      [400, 501],
    );
  });

  it('Transfer-Encoding is case-insensitive: `Chunked` is chunked', async () => {
    const r = await accepted(
      'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ len: 5, body: 'hello' });
  });

  it('Transfer-Encoding on an HTTP/1.0 request: never leaves the connection open for a smuggle', async () => {
    const before = probe.hits.get('admin') ?? 0;
    const conn = await Conn.open(port);
    conn.write(
      `POST /echo HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n${SMUGGLED}`,
    );
    const res = await conn.read();
    expect([200, 400, 501]).toContain(res.status);
    expect(await conn.waitClosed()).toBe(true);
    conn.destroy();
    expect(probe.hits.get('admin') ?? 0).toBe(before);
  });
});

describe('chunked framing', () => {
  const head = 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';

  it('valid chunked body with extensions and trailers is read exactly; the connection stays open', async () => {
    const conn = await Conn.open(port);
    conn.write(
      `${head}5;name=val\r\nhello\r\n1;a="b"\r\n!\r\n0\r\nX-Trailer: t\r\n\r\nGET /n/7 HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    const [a, b] = await conn.readAll(['POST', 'GET']);
    expect(a?.status).toBe(200);
    expect(JSON.parse(a?.body.toString() ?? '')).toMatchObject({ len: 6, body: 'hello!' });
    expect(b?.body.toString()).toBe('n=7');
    expect(await conn.waitClosed(200)).toBe(false);
    conn.destroy();
  });

  it('framing fields in trailers are ignored (or refused): the next request is parsed where the chunked body ends', async () => {
    const conn = await Conn.open(port);
    conn.write(
      `${head}5\r\nhello\r\n0\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\nGET /n/8 HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    const a = await conn.read('POST');
    if (a.status === 400) {
      // refusing framing fields in trailers (node:http does) is fine too
      expect(await conn.waitClosed()).toBe(true);
    } else {
      expect(JSON.parse(a.body.toString())).toMatchObject({ body: 'hello' });
      expect((await conn.read()).body.toString()).toBe('n=8');
    }
    conn.destroy();
  });

  it.each([
    ['overflowing size', `ffffffffffffffffff\r\nhello\r\n0\r\n\r\n`],
    ['17 hex digits', `10000000000000000\r\nhello\r\n0\r\n\r\n`],
    ['negative size', `-5\r\nhello\r\n0\r\n\r\n`],
    ['0x prefix', `0x5\r\nhello\r\n0\r\n\r\n`],
    ['non-hex size', `g\r\nhello\r\n0\r\n\r\n`],
    ['empty size line', `\r\nhello\r\n0\r\n\r\n`],
    ['missing CRLF after data', `5\r\nhelloX0\r\n\r\n`],
    ['data longer than size', `3\r\nhello\r\n0\r\n\r\n`],
    ['LF-only after size', `5\nhello\r\n0\r\n\r\n`],
    ['LF-only after data', `5\r\nhello\n0\r\n\r\n`],
    ['bare CR after size', `5\rhello\r\n0\r\n\r\n`],
    ['NUL in a trailer', `5\r\nhello\r\n0\r\nX-T: a\0b\r\n\r\n`],
    ['trailer without colon', `5\r\nhello\r\n0\r\nXT ab\r\n\r\n`],
    ['obs-fold in trailers', `5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n`],
    ['bare LF ending the trailers', `5\r\nhello\r\n0\r\n\n`],
    ['size then garbage', `5 x\r\nhello\r\n0\r\n\r\n`],
  ])('%s → 400 and close', async (_n, body) => {
    await rejects(`${head}${body}${SMUGGLED}`, [400]);
  });

  it('a huge declared chunk is not trusted: 413/400 and close, or the server waits for the data; never a smuggle', async () => {
    const before = probe.hits.get('admin') ?? 0;
    const conn = await Conn.open(port);
    conn.write(`${head}fffffffffffffff\r\nhello\r\n0\r\n\r\n${SMUGGLED}`);
    const closed = await conn.waitClosed(500);
    const text = conn.text();
    conn.destroy();
    if (text.length > 0) {
      expect(text).toMatch(/^HTTP\/1\.1 (400|413) /);
      expect(closed).toBe(true);
    }
    expect(text).not.toContain('admin area');
    expect(probe.hits.get('admin') ?? 0).toBe(before);
  });
});

describe('line endings and header syntax', () => {
  it.each([
    ['LF-only line endings', 'GET / HTTP/1.1\nHost: x\n\n'],
    ['LF-only after the request line', 'GET / HTTP/1.1\nHost: x\r\n\r\n'],
    ['bare CR in the request line', 'GET /\r HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['bare CR ending a header line', 'GET / HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n'],
    ['space before colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n'],
    ['tab before colon', 'GET / HTTP/1.1\r\nHost: x\r\nX-A\t: b\r\n\r\n'],
    ['obs-fold (space)', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n'],
    ['obs-fold (tab)', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: b\r\n\tc\r\n\r\n'],
    ['whitespace line before first header', 'GET / HTTP/1.1\r\n Host: x\r\n\r\n'],
    ['NUL in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: b\0c\r\n\r\n'],
    ['CTL 0x01 in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: b\x01c\r\n\r\n'],
    ['DEL in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: b\x7fc\r\n\r\n'],
    ['( in a header name', 'GET / HTTP/1.1\r\nHost: x\r\nX(A): b\r\n\r\n'],
    ['@ in a header name', 'GET / HTTP/1.1\r\nHost: x\r\nX@A: b\r\n\r\n'],
    ['space inside a header name', 'GET / HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n'],
    ['empty header name', 'GET / HTTP/1.1\r\nHost: x\r\n: b\r\n\r\n'],
    ['header line without colon', 'GET / HTTP/1.1\r\nHost: x\r\nXA b\r\n\r\n'],
    ['non-ASCII header name', 'GET / HTTP/1.1\r\nHost: x\r\nX\xe9: b\r\n\r\n'],
  ])('%s → 400', async (_n, req) => {
    await rejects(req + SMUGGLED, [400]);
  });

  it('obs-text (0x80-0xFF) and HTAB in a header value are allowed', async () => {
    const conn = await Conn.open(port);
    conn.write('GET /headers HTTP/1.1\r\nHost: x\r\nX-A: caf\xe9\tau lait\r\nConnection: close\r\n\r\n');
    const res = await conn.read();
    conn.destroy();
    expect(res.status).toBe(200);
    const h = JSON.parse(res.body.toString()) as Record<string, string>;
    expect(h['x-a']).toBe('caf\xe9\tau lait');
  });
});

describe('request line', () => {
  it.each([
    ['double space', 'GET  / HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['tab separator', 'GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['leading space', ' GET / HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['trailing space', 'GET / HTTP/1.1 \r\nHost: x\r\n\r\n'],
    ['missing target', 'GET HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['space in target', 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['CTL in target', 'GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['NUL in target', 'GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['lower-case protocol', 'GET / http/1.1\r\nHost: x\r\n\r\n'],
    ['junk version', 'GET / HTTP/1.1x\r\nHost: x\r\n\r\n'],
    ['version without minor', 'GET / HTTP/1\r\nHost: x\r\n\r\n'],
    ['non-token method', 'G(T / HTTP/1.1\r\nHost: x\r\n\r\n'],
  ])('%s → 400', async (_n, req) => {
    await rejects(req + SMUGGLED, [400]);
  });

  it.each([
    ['relative path', 'GET admin HTTP/1.1'],
    ['relative path with segments', 'GET n/3 HTTP/1.1'],
    ['dot segment', 'GET ./admin HTTP/1.1'],
    ['authority-form on GET', 'GET x:80 HTTP/1.1'],
    ['asterisk on GET', 'GET * HTTP/1.1'],
    ['scheme without //', 'GET http:/admin HTTP/1.1'],
    ['non-ASCII byte in the path', 'GET /caf\xe9 HTTP/1.1'],
    ['non-ASCII byte in the query', 'GET /n/1?x=\xff HTTP/1.1'],
  ])('request-target that is not origin/absolute form (%s) → 400', async (_n, line) => {
    await rejects(`${line}\r\nHost: x\r\n\r\n${SMUGGLED}`, [400]);
  });

  it('HTTP/0.9-style request (no version) → 400/505 and close', async () => {
    await rejects(`GET /\r\n\r\n${SMUGGLED}`, [400, 505]);
  });

  it.each([
    ['HTTP/2.0', 'HTTP/2.0'],
    ['HTTP/3.0', 'HTTP/3.0'],
    ['HTTP/0.9', 'HTTP/0.9'],
  ])('%s → 505 (or 400) and close', async (_n, v) => {
    await rejects(`GET / ${v}\r\nHost: x\r\n\r\n${SMUGGLED}`, [505, 400]);
  });

  it('HTTP/1.2: 505/400, or served as HTTP/1.1 (RFC 9110 §2.5) — never anything else', async () => {
    const conn = await Conn.open(port);
    conn.write('GET / HTTP/1.2\r\nHost: x\r\nConnection: close\r\n\r\n');
    const res = await conn.read();
    conn.destroy();
    if (res.status === 200) expect(res.version).toBe('1.1');
    else expect([400, 505]).toContain(res.status);
  });

  it('lower-case `get` is not GET (methods are case-sensitive): 400/405/501, never 200', async () => {
    const { res } = await exchange(port, 'get / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect([400, 405, 501]).toContain(res.status);
  });

  it('an unknown but well-formed method never reaches a GET view as GET', async () => {
    const { res } = await exchange(port, 'FOO /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect([400, 405, 501]).toContain(res.status);
  });

  it('absolute-form target is accepted', async () => {
    const { res } = await exchange(port, 'GET http://x/n/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('n=3');
  });

  it('leading empty lines before a request line are ignored (RFC 9112 §2.2) or rejected, never misparsed', async () => {
    const conn = await Conn.open(port);
    conn.write('\r\nGET /n/4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const res = await conn.read();
    conn.destroy();
    if (res.status === 200) expect(res.body.toString()).toBe('n=4');
    else expect(res.status).toBe(400);
  });
});

describe('Host', () => {
  it('missing Host on HTTP/1.1 → 400', async () => {
    await rejects(`GET / HTTP/1.1\r\nX-A: b\r\n\r\n${SMUGGLED}`, [400]);
  });

  it('two Host headers → 400 (even when equal)', async () => {
    await rejects(`GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n${SMUGGLED}`, [400]);
    await rejects(`GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n${SMUGGLED}`, [400]);
  });

  it('HTTP/1.0 without Host is fine', async () => {
    const conn = await Conn.open(port);
    conn.write('GET / HTTP/1.0\r\n\r\n');
    const res = await conn.read();
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('Hello, World!');
    expect(await conn.waitClosed()).toBe(true);
    conn.destroy();
  });
});

describe('after all that', () => {
  it('the server still serves and no smuggled request ever reached /admin', async () => {
    const r = await simpleGet(port, '/n/1');
    expect([r.status, r.body.toString()]).toEqual([200, 'n=1']);
    expect(probe.hits.get('admin') ?? 0).toBe(0);
  });
});
