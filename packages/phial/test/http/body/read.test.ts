import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type BodyLimits, readRequestBody } from '../../../src/http/body/index.js';
import { BadRequest, ClientDisconnected, RequestEntityTooLarge } from '../../../src/http/exceptions.js';
import { bytes, chunked, endless } from './helpers.js';

const NO_LIMITS: BodyLimits = { maxContentLength: null, maxFormMemorySize: null, maxFormParts: null };
const text = (d: Uint8Array) => Buffer.from(d).toString('utf8');

describe('readRequestBody', () => {
  it('reads any other content type to bytes', async () => {
    const body = await readRequestBody(chunked(['{"a"', ':1}']), 'application/json', null, NO_LIMITS);
    expect(text(body.data)).toBe('{"a":1}');
    expect(body.form).toBeNull();
    expect(body.files).toBeNull();
  });

  it('returns an empty body for no stream or a zero length', async () => {
    const none = await readRequestBody(null, undefined, null, NO_LIMITS);
    expect(none.data.byteLength).toBe(0);
    expect(none.form).toBeNull();
    const src = chunked(['ignored']);
    const zero = await readRequestBody(src, 'application/x-www-form-urlencoded', 0, NO_LIMITS);
    expect(zero.form?.size).toBe(0);
    expect(src.pulled).toBe(0);
    const mp = await readRequestBody(null, 'multipart/form-data; boundary=x', null, NO_LIMITS);
    expect(mp.form?.size).toBe(0);
    expect(mp.files?.size).toBe(0);
  });

  it('parses urlencoded bodies into form and keeps the bytes', async () => {
    const body = await readRequestBody(
      chunked(['a=1&b', '=2&a=3']),
      'Application/X-WWW-Form-Urlencoded; charset=utf-8',
      null,
      NO_LIMITS,
    );
    expect(body.form?.getAll('a')).toEqual(['1', '3']);
    expect(body.form?.get('b')).toBe('2');
    expect(text(body.data)).toBe('a=1&b=2&a=3');
  });

  it('413 before reading anything when the declared length is over the limit', async () => {
    const src = chunked(['x'.repeat(10)]);
    const p = readRequestBody(src, 'text/plain', 11, { ...NO_LIMITS, maxContentLength: 10 });
    await expect(p).rejects.toBeInstanceOf(RequestEntityTooLarge);
    await expect(p).rejects.toMatchObject({ code: 413 });
    expect(src.pulled).toBe(0);
  });

  it('a body exactly at the limit passes', async () => {
    const body = await readRequestBody(chunked(['12345', '67890']), 'text/plain', null, {
      ...NO_LIMITS,
      maxContentLength: 10,
    });
    expect(text(body.data)).toBe('1234567890');
  });

  it('413 at the first chunk that crosses the limit of a chunked body, never reading the rest', async () => {
    const src = chunked(['aaaa', 'bbbb', 'cccc', 'dddd', 'eeee']);
    const p = readRequestBody(src, 'text/plain', null, { ...NO_LIMITS, maxContentLength: 10 });
    await expect(p).rejects.toBeInstanceOf(RequestEntityTooLarge);
    expect(src.pulled).toBe(3);
    expect(src.closed).toBe(true);
  });

  it('an endless body stops at the limit instead of hanging', async () => {
    const src = endless(1024);
    await expect(
      readRequestBody(src, 'application/octet-stream', null, { ...NO_LIMITS, maxContentLength: 64 * 1024 }),
    ).rejects.toBeInstanceOf(RequestEntityTooLarge);
    expect(src.pulled).toBe(65);
  });

  it('a lying Content-Length does not bypass the limit', async () => {
    const src = endless(100);
    await expect(
      readRequestBody(src, 'text/plain', 5, { ...NO_LIMITS, maxContentLength: 500 }),
    ).rejects.toBeInstanceOf(RequestEntityTooLarge);
  });

  it('MAX_FORM_MEMORY_SIZE bounds a urlencoded body (declared or streamed)', async () => {
    const limits = { ...NO_LIMITS, maxFormMemorySize: 8 };
    await expect(
      readRequestBody(chunked(['a=123456789']), 'application/x-www-form-urlencoded', 11, limits),
    ).rejects.toBeInstanceOf(RequestEntityTooLarge);
    await expect(
      readRequestBody(chunked(['a=1234', '56789']), 'application/x-www-form-urlencoded', null, limits),
    ).rejects.toBeInstanceOf(RequestEntityTooLarge);
    // other bodies are not bound by the form limit
    const body = await readRequestBody(chunked(['a=123456789']), 'text/plain', null, limits);
    expect(body.data.byteLength).toBe(11);
  });

  it('MAX_FORM_PARTS bounds urlencoded fields', async () => {
    await expect(
      readRequestBody(chunked(['a=1&b=2&c=3']), 'application/x-www-form-urlencoded', null, {
        ...NO_LIMITS,
        maxFormParts: 2,
      }),
    ).rejects.toBeInstanceOf(RequestEntityTooLarge);
  });

  it('a failing source becomes ClientDisconnected (400)', async () => {
    const src: AsyncIterable<Uint8Array> = {
      async *[Symbol.asyncIterator]() {
        yield bytes('abc');
        throw new Error('socket hang up');
      },
    };
    const p = readRequestBody(src, 'text/plain', null, NO_LIMITS);
    await expect(p).rejects.toBeInstanceOf(ClientDisconnected);
    await expect(p).rejects.toBeInstanceOf(BadRequest);
    await expect(p).rejects.toMatchObject({ code: 400 });
  });

  describe('node streams', () => {
    it('reads a Readable', async () => {
      const s = new PassThrough();
      const p = readRequestBody(s, 'text/plain', null, NO_LIMITS);
      s.write('hello ');
      s.end('world');
      expect(text((await p).data)).toBe('hello world');
    });

    it('413 pauses a Readable at the crossing chunk without destroying it', async () => {
      const s = new PassThrough();
      const p = readRequestBody(s, 'text/plain', null, { ...NO_LIMITS, maxContentLength: 5 });
      s.write('abc');
      s.write('defgh');
      await expect(p).rejects.toBeInstanceOf(RequestEntityTooLarge);
      expect(s.destroyed).toBe(false);
      expect(s.isPaused()).toBe(true);
      s.destroy(new Error('later failure must not crash'));
    });

    it('a Readable that is destroyed mid-body gives ClientDisconnected', async () => {
      const s = new PassThrough();
      const p = readRequestBody(s, 'text/plain', null, NO_LIMITS);
      s.write('abc');
      setTimeout(() => s.destroy(), 5);
      await expect(p).rejects.toBeInstanceOf(ClientDisconnected);
    });

    it('reads a fully arrived IncomingMessage from its buffer (and still applies the limit)', async () => {
      const results: string[] = [];
      const server = createServer((req: IncomingMessage, res) => {
        // let the whole small request arrive before reading, as after the app's own awaits
        setTimeout(() => {
          const limit = req.url === '/limited' ? 4 : null;
          readRequestBody(req, req.headers['content-type'], null, {
            ...NO_LIMITS,
            maxContentLength: limit,
          }).then(
            (b) => {
              results.push(`${req.url}:${(req as { complete?: boolean }).complete}:${text(b.data)}`);
              res.end('ok');
            },
            (e: unknown) => {
              results.push(`${req.url}:${(e as RequestEntityTooLarge).code}`);
              res.writeHead(413, { connection: 'close' });
              res.end();
            },
          );
        }, 30);
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      try {
        for (const path of ['/open', '/limited']) {
          await new Promise<void>((resolve, reject) => {
            const req = httpRequest(
              { port, host: '127.0.0.1', method: 'POST', path, agent: false },
              (res) => {
                res.resume();
                res.on('end', () => resolve());
              },
            );
            req.on('error', reject);
            req.end('héllo');
          });
        }
        expect(results).toEqual(['/open:true:héllo', '/limited:413']);
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });

    it('an IncomingMessage over the limit gets 413 and the server can still answer', async () => {
      let seen: unknown;
      const server = createServer((req: IncomingMessage, res) => {
        readRequestBody(req, req.headers['content-type'], null, {
          ...NO_LIMITS,
          maxContentLength: 1000,
        }).then(
          (b) => res.end(`ok ${b.data.byteLength}`),
          (e: unknown) => {
            seen = e;
            res.writeHead(413, { connection: 'close' });
            res.end('too large', () => req.socket.destroy());
          },
        );
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      try {
        const status = await new Promise<number>((resolve, reject) => {
          const req = httpRequest(
            { port, host: '127.0.0.1', method: 'POST', path: '/', headers: { 'content-type': 'text/plain' } },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          // chunked upload that keeps going: the server must answer without reading it all
          let n = 0;
          const write = () => {
            while (n < 200 && req.write('x'.repeat(100))) n++;
            if (n < 200) req.once('drain', write);
            else req.end();
          };
          write();
        });
        expect(status).toBe(413);
        expect(seen).toBeInstanceOf(RequestEntityTooLarge);
        // a normal request on a fresh connection still works
        const ok = await new Promise<string>((resolve, reject) => {
          const req = httpRequest(
            { port, host: '127.0.0.1', method: 'POST', path: '/', agent: false },
            (res) => {
              let s = '';
              res.setEncoding('utf8');
              res.on('data', (d: string) => (s += d));
              res.on('end', () => resolve(s));
            },
          );
          req.on('error', reject);
          req.end('small');
        });
        expect(ok).toBe('ok 5');
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });
  });
});
