/**
 * The test client reports what the node server really sends: the same status, the same Content-Length
 * (HEAD keeps the GET body's length), no invented Content-Length for streams (`isStreamed`), no body where
 * HTTP forbids one. Each case is checked against a real socket.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Phial, Response, redirect, sendFile } from '../../src/index.js';
import { rawRequest, serve } from './socket-helpers.js';

const enc = new TextEncoder();
const FILE = join(tmpdir(), `phial-parity-${process.pid}.txt`);
let generatorBodiesRun = 0;
let generatorsClosed = 0;

function makeApp(): Phial {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.get('/text', () => 'héllo wörld');
  app.get('/json', () => ({ a: 'é', list: [1, 2, 3] }));
  app.get('/bytes', () => new Uint8Array([1, 2, 3, 4, 5]));
  app.get('/empty', () => '');
  app.get('/explicit-length', () => new Response('abc', { headers: { 'Content-Length': '3' } }));
  app.get('/generator', function* generator() {
    generatorBodiesRun++;
    try {
      yield 'chunk-1 ';
      yield enc.encode('chunk-2');
    } finally {
      generatorsClosed++;
    }
  });
  app.get('/async-generator', async function* asyncGenerator() {
    yield 'a';
    await new Promise((r) => setTimeout(r, 1));
    yield 'bc';
  });
  app.get(
    '/readable-stream',
    () =>
      new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(enc.encode('rs-body'));
          c.close();
        },
      }),
  );
  app.get('/web-response', () => new globalThis.Response('from fetch', { status: 201 }));
  app.get(
    '/stream-with-length',
    () =>
      new Response(
        (async function* streamWithLength() {
          yield 'four';
        })(),
        { headers: { 'Content-Length': '4' } },
      ),
  );
  app.get('/file', () => sendFile(FILE));
  app.get('/no-content', () => new Response('ignored', { status: 204 }));
  app.get('/not-modified', () => new Response('ignored', { status: 304, headers: { ETag: '"x"' } }));
  app.get('/redirect', () => redirect('/text'));
  app.get('/teapot', () => new Response('short and stout', { status: 418 }));
  return app;
}

const PATHS = [
  '/text',
  '/json',
  '/bytes',
  '/empty',
  '/explicit-length',
  '/generator',
  '/async-generator',
  '/readable-stream',
  '/web-response',
  '/stream-with-length',
  '/file',
  '/no-content',
  '/not-modified',
  '/redirect',
  '/teapot',
  '/missing',
];

/** Streams whose length the app declared: sent with Content-Length, not chunked, still streamed. */
const SIZED_STREAMS = new Set(['/stream-with-length', '/file']);

describe('test client parity with the node server', () => {
  const app = makeApp();
  let port = 0;
  let close: () => Promise<void> = async () => {};
  beforeAll(async () => {
    writeFileSync(FILE, 'file contents\n'.repeat(100));
    ({ port, close } = await serve(app));
  });
  afterAll(() => {
    rmSync(FILE, { force: true });
    return close();
  });

  for (const path of PATHS) {
    it(`GET and HEAD ${path}`, async () => {
      const client = app.testClient();
      const sockGet = await rawRequest(port, 'GET', path);
      const sockHead = await rawRequest(port, 'HEAD', path);
      const get = await client.get(path);
      const head = await client.head(path);

      // status and body
      expect(get.status).toBe(sockGet.status);
      expect(head.status).toBe(sockHead.status);
      expect(Buffer.from(get.data).equals(sockGet.body)).toBe(true);
      expect(head.data.byteLength).toBe(0);
      expect(sockHead.body.byteLength).toBe(0);

      // Content-Length: exactly what the server sent (absent when it sent none)
      expect(get.headers.get('content-length')).toBe(sockGet.headers['content-length'] ?? null);
      expect(head.headers.get('content-length')).toBe(sockHead.headers['content-length'] ?? null);

      // a streamed body goes out chunked (unless the app gave its length), and the client says it was
      // streamed
      const chunked = sockGet.headers['transfer-encoding'] === 'chunked';
      const streamed = chunked || SIZED_STREAMS.has(path);
      expect(get.isStreamed).toBe(streamed);
      // (sendFile answers HEAD with a sized empty body, so only unsized streams must stay streamed)
      if (chunked || !streamed) expect(head.isStreamed).toBe(streamed);
      if (chunked) expect(sockGet.headers['content-length']).toBeUndefined();
      if (SIZED_STREAMS.has(path)) expect(sockGet.headers['content-length']).toBeDefined();

      // HEAD carries the GET body's length whenever the GET had one
      if (
        sockGet.headers['content-length'] !== undefined &&
        sockGet.status !== 204 &&
        sockGet.status !== 304
      ) {
        expect(head.headers.get('content-length')).toBe(String(sockGet.body.byteLength));
      }
      expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    });
  }

  it('streams are flagged and sized as expected (absolute values, not only parity)', async () => {
    const client = app.testClient();
    const text = await client.head('/text');
    expect(text.headers.get('content-length')).toBe(String(Buffer.byteLength('héllo wörld')));
    expect(text.isStreamed).toBe(false);
    const gen = await client.get('/generator');
    expect(gen.isStreamed).toBe(true);
    expect(gen.headers.has('content-length')).toBe(false);
    expect(gen.text).toBe('chunk-1 chunk-2');
    const file = await client.head('/file');
    expect(file.headers.get('content-length')).toBe(String('file contents\n'.length * 100));
    const nm = await client.get('/not-modified');
    expect(nm.data.byteLength).toBe(0);
    expect(nm.headers.has('content-length')).toBe(false);
    expect(nm.headers.get('etag')).toBe('"x"');
    const nc = await client.get('/no-content');
    expect(nc.text).toBe('');
  });

  it('HEAD never runs a streamed body, and closes it (client and server alike)', async () => {
    const client = app.testClient();
    const before = generatorBodiesRun;
    await client.head('/generator');
    await rawRequest(port, 'HEAD', '/generator');
    expect(generatorBodiesRun).toBe(before);
    const closedBefore = generatorsClosed;
    await client.get('/generator');
    expect(generatorBodiesRun).toBe(before + 1);
    expect(generatorsClosed).toBe(closedBefore + 1);
  });
});
