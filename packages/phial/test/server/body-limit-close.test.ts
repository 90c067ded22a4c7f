/**
 * A request body cut off by MAX_CONTENT_LENGTH while it streams in (chunked, so no Content-Length to
 * check up front): the 413 goes out with `Connection: close`, the connection is closed afterwards (the
 * unread rest of the body must not be parsed as the next request, and a paused socket must not hang
 * around), and the server keeps serving everyone else.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Phial } from '../../src/index.js';
import { rawExchange, rawRequest, serve } from '../testing/socket-helpers.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(limit: number): Promise<number> {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.logger = { debug() {}, info() {}, warn() {}, error() {} };
  app.config.MAX_CONTENT_LENGTH = limit;
  app.post('/up', (req) => `got ${req.data.byteLength}`);
  app.get('/ok', () => 'still serving');
  const { port, close } = await serve(app);
  stops.push(close);
  return port;
}

function chunk(size: number, fill = 'x'): string {
  return `${size.toString(16)}\r\n${fill.repeat(size)}\r\n`;
}

function headersOf(text: string): string {
  return text.slice(0, text.indexOf('\r\n\r\n') + 2);
}

describe('413 while a chunked body streams in', () => {
  it('answers 413 with Connection: close and closes the connection (no terminating chunk sent)', async () => {
    const port = await start(1000);
    const out = await rawExchange(
      port,
      async (write) => {
        write('POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
        for (let i = 0; i < 4; i++) {
          write(chunk(600));
          await sleep(20);
        }
        // the client stops here without the final 0-chunk: the server must not wait for it
      },
      2500,
    );
    expect(out.text).toMatch(/^HTTP\/1\.1 413 /);
    const head = headersOf(out.text);
    expect(head).toMatch(/\r\nConnection: close\r\n/i);
    expect(head).not.toMatch(/keep-alive/i);
    expect(out.closed).toBe(true);
    // the server is fine
    const ok = await rawRequest(port, 'GET', '/ok');
    expect([ok.status, ok.body.toString()]).toEqual([200, 'still serving']);
  });

  it('answers only the 413 on that connection, even with a request pipelined after the body', async () => {
    const port = await start(1000);
    const out = await rawExchange(
      port,
      (write) => {
        write('POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
        write(`${chunk(800)}${chunk(800)}${chunk(800)}0\r\n\r\n`);
        write('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
      },
      2500,
    );
    expect(out.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(headersOf(out.text)).toMatch(/\r\nConnection: close\r\n/i);
    expect(out.text).not.toContain('still serving');
    expect(out.text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(out.closed).toBe(true);
  });

  it('a declared Content-Length over the limit: 413, Connection: close, the body is not read', async () => {
    const port = await start(1000);
    const out = await rawExchange(
      port,
      (write) => {
        write('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n');
        write('x'.repeat(64 * 1024));
      },
      2500,
    );
    expect(out.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(headersOf(out.text)).toMatch(/\r\nConnection: close\r\n/i);
    expect(out.closed).toBe(true);
    expect((await rawRequest(port, 'GET', '/ok')).status).toBe(200);
  });

  it('other connections are served while an oversized upload stalls, and afterwards', async () => {
    const port = await start(1000);
    const stalled = rawExchange(
      port,
      async (write) => {
        write('POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
        write(chunk(1500));
      },
      2500,
    );
    const during = await rawRequest(port, 'GET', '/ok');
    expect(during.status).toBe(200);
    const out = await stalled;
    expect(out.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(out.closed).toBe(true);
    for (let i = 0; i < 3; i++) expect((await rawRequest(port, 'GET', '/ok')).status).toBe(200);
  });

  it('a body under the limit keeps the connection alive for the next request', async () => {
    const port = await start(1000);
    const out = await rawExchange(
      port,
      (write) => {
        write('POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
        write(`${chunk(300)}${chunk(300)}0\r\n\r\n`);
        write('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
      },
      500,
    );
    expect(out.text).toContain('got 600');
    expect(out.text).toContain('still serving');
    expect(out.closed).toBe(false);
  });
});
