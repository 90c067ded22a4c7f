/** Malformed input: every case is a short 4xx/5xx with `Connection: close`, and the server keeps serving. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type Probe } from './fixture.js';
import { exchange, serve, stopAll } from './helpers.js';

const probe: Probe = { aborts: 0, streamsClosed: 0, hits: 0 };
let port = 0;

beforeAll(async () => {
  port = (await serve(makeApp(probe))).port;
});
afterAll(stopAll);

/** A request that must be refused with `status`; a pipelined GET /plaintext after it must never run. */
async function refused(raw: string, status: number): Promise<void> {
  const before = probe.hits;
  const { responses, closed, text } = await exchange(
    port,
    `${raw}GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n`,
  );
  expect(responses.length, text).toBe(1);
  expect(responses[0]?.status, text).toBe(status);
  expect(responses[0]?.headers.connection).toEqual(['close']);
  expect(closed).toBe(true);
  expect(probe.hits).toBe(before);
  // the server is fine
  const ok = await exchange(port, 'GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n');
  expect(ok.responses[0]?.body).toBe('n=1');
}

const H = 'Host: x\r\n';

describe('request line', () => {
  it.each([
    ['no target', 'GET HTTP/1.1\r\n'],
    ['two spaces', 'GET  / HTTP/1.1\r\n'],
    ['trailing space', 'GET / HTTP/1.1 \r\n'],
    ['lower-case method', 'get / HTTP/1.1\r\n'],
    ['method with a digit-free junk', 'G@T / HTTP/1.1\r\n'],
    ['HTTP/0.9 style (no version)', 'GET /\r\n'],
    ['bad version text', 'GET / HTTP/1.x\r\n'],
    ['lower-case protocol', 'GET / http/1.1\r\n'],
    ['tab in the target', 'GET /a\tb HTTP/1.1\r\n'],
    ['a relative target', 'GET plaintext HTTP/1.1\r\n'],
    ['a dot-segment target', 'GET ./plaintext HTTP/1.1\r\n'],
    ['asterisk-form on GET', 'GET * HTTP/1.1\r\n'],
    ['authority-form on GET', 'GET x:80 HTTP/1.1\r\n'],
    ['a scheme without //', 'GET http:/plaintext HTTP/1.1\r\n'],
    ['a non-ASCII byte in the target', 'GET /caf\xe9 HTTP/1.1\r\n'],
  ])('%s → 400', async (_name, line) => {
    await refused(`${line}${H}\r\n`, 400);
  });

  it.each([
    ['HTTP/2.0', 'GET / HTTP/2.0\r\n'],
    ['HTTP/1.2', 'GET / HTTP/1.2\r\n'],
    ['HTTP/0.9', 'GET / HTTP/0.9\r\n'],
  ])('%s → 505', async (_name, line) => {
    await refused(`${line}${H}\r\n`, 505);
  });
});

describe('request targets that are accepted', () => {
  it('absolute-form is routed by its path; OPTIONS * is answered', async () => {
    const abs = await exchange(port, 'GET http://x/n/5 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(abs.responses[0]?.body).toBe('n=5');
    const star = await exchange(port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(star.responses[0]?.status).toBeLessThan(500);
    expect(star.responses[0]?.status).not.toBe(400);
  });
});

describe('header section', () => {
  it.each([
    ['bare LF line ends', `GET / HTTP/1.1\n${H.replace('\r\n', '\n')}\n`],
    ['a bare LF in the middle', `GET / HTTP/1.1\r\n${H}X-A: 1\nX-B: 2\r\n\r\n`],
    ['a bare CR', `GET / HTTP/1.1\r\n${H}X-A: 1\rX-B: 2\r\n\r\n`],
    ['obs-fold', `GET / HTTP/1.1\r\n${H}X-A: 1\r\n  continued\r\n\r\n`],
    ['NUL in a value', `GET / HTTP/1.1\r\n${H}X-A: a\0b\r\n\r\n`],
    ['a control character in a value', `GET / HTTP/1.1\r\n${H}X-A: a\x01b\r\n\r\n`],
    ['DEL in a value', `GET / HTTP/1.1\r\n${H}X-A: a\x7fb\r\n\r\n`],
    ['space before the colon', `GET / HTTP/1.1\r\n${H}X-A : 1\r\n\r\n`],
    ['no colon', `GET / HTTP/1.1\r\n${H}X-A\r\n\r\n`],
    ['empty name', `GET / HTTP/1.1\r\n${H}: 1\r\n\r\n`],
    ['a bad character in a name', `GET / HTTP/1.1\r\n${H}X(A): 1\r\n\r\n`],
    ['missing Host on 1.1', 'GET / HTTP/1.1\r\nX-A: 1\r\n\r\n'],
    ['two Host headers', `GET / HTTP/1.1\r\n${H}Host: y\r\n\r\n`],
  ])('%s → 400', async (_name, raw) => {
    await refused(raw, 400);
  });

  it('a head over maxHeaderSize → 431 (complete or not)', async () => {
    await refused(`GET / HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(17000)}\r\n\r\n`, 431);
    const partial = await exchange(port, `GET / HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(17000)}`);
    expect(partial.responses[0]?.status).toBe(431);
    expect(partial.closed).toBe(true);
  });

  it('an unknown expectation → 417', async () => {
    await refused(`GET / HTTP/1.1\r\n${H}Expect: something\r\n\r\n`, 417);
  });
});

describe('body framing (no smuggling)', () => {
  it.each([
    ['Content-Length with a sign', 'Content-Length: +3\r\n'],
    ['Content-Length in hex', 'Content-Length: 0x3\r\n'],
    ['Content-Length as a list', 'Content-Length: 3, 3\r\n'],
    ['two different Content-Lengths', 'Content-Length: 3\r\nContent-Length: 4\r\n'],
    ['an overflowing Content-Length', 'Content-Length: 99999999999999999999\r\n'],
    ['Content-Length and Transfer-Encoding', 'Content-Length: 3\r\nTransfer-Encoding: chunked\r\n'],
  ])('%s → 400', async (_name, framing) => {
    await refused(`POST /echo HTTP/1.1\r\n${H}${framing}\r\nabc`, 400);
  });

  it.each([
    ['gzip', 'gzip'],
    ['gzip, chunked', 'gzip, chunked'],
    ['identity', 'identity'],
  ])('Transfer-Encoding: %s → 501', async (_name, te) => {
    await refused(`POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: ${te}\r\n\r\n0\r\n\r\n`, 501);
  });

  it.each([
    ['a non-hex size', 'zz\r\nabc\r\n0\r\n\r\n'],
    ['an overflowing size', 'fffffffffffffffff\r\nabc\r\n0\r\n\r\n'],
    ['a negative size', '-3\r\nabc\r\n0\r\n\r\n'],
    ['data longer than its size', '2\r\nabc\r\n0\r\n\r\n'],
    ['no CRLF after the data', '3\r\nabcX\r\n0\r\n\r\n'],
    ['a bare LF after the size', '3\nabc\r\n0\r\n\r\n'],
    ['a bad trailer', '3\r\nabc\r\n0\r\nbad trailer\r\n\r\n'],
  ])('chunked with %s → 400, nothing after it is served', async (_name, body) => {
    const before = probe.hits;
    const { responses, closed } = await exchange(
      port,
      `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n${body}GET /plaintext HTTP/1.1\r\n${H}\r\n`,
    );
    expect(responses[0]?.status).toBe(400);
    expect(responses.length).toBe(1);
    expect(closed).toBe(true);
    expect(probe.hits).toBe(before);
  });

  it('Transfer-Encoding on HTTP/1.0 is answered, then the connection closes', async () => {
    const before = probe.hits;
    const { responses, closed } = await exchange(
      port,
      'POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(responses.length).toBe(1);
    expect(closed).toBe(true);
    expect(probe.hits).toBe(before);
  });
});
