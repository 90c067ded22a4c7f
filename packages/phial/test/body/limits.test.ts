/**
 * Body limits: the route option `maxContentLength`, then `req.maxContentLength` (settable in a hook), then
 * `MAX_CONTENT_LENGTH`; in-memory caps by default. A declared length over the limit is refused before a
 * byte is read, a chunked body as soon as it crosses it. Real sockets on both servers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bodyLimitsFromConfig, DEFAULT_BODY_LIMITS } from '../../src/http/body/index.js';
import { Phial, type Request } from '../../src/index.js';
import { RawClient, SERVERS, sleep, start, statuses } from './helpers.js';

const MiB = 1024 * 1024;

function uploadsApp(): Phial {
  const app = new Phial('limits');
  app.post('/upload', { maxContentLength: 16 * MiB }, (req) => {
    const f = req.files.get('file');
    return { size: f?.size ?? -1, spooled: f?.spooled ?? null };
  });
  app.post('/api', { maxContentLength: 1 * MiB }, (req) => ({ keys: Object.keys(req.json as object) }));
  app.post('/plain', (req) => ({ size: req.data.byteLength }));
  app.post('/hooked', (req) => ({ size: req.data.byteLength }));
  app.beforeRequest((req) => {
    if (req.path === '/hooked') req.maxContentLength = 100;
    if (req.path === '/api') req.maxContentLength = 10; // the route's own option wins
  });
  return app;
}

function multipart(size: number): { body: Buffer; type: string } {
  const boundary = 'b0undary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    body: Buffer.concat([head, Buffer.alloc(size, 0x61), tail]),
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

describe('limits through the test client', () => {
  it('a 16 MiB upload route next to a JSON route that refuses 2 MiB', async () => {
    const client = uploadsApp().testClient();
    const big = new File([new Uint8Array(16 * MiB - 1024)], 'big.bin');
    const up = await client.post('/upload', { files: { file: big } });
    expect(up.status).toBe(200);
    expect(up.json).toEqual({ size: 16 * MiB - 1024, spooled: true });
    const json = { blob: 'x'.repeat(2 * MiB) };
    expect((await client.post('/api', { json })).status).toBe(413);
    expect((await client.post('/api', { json: { b: 1, a: 2 } })).json).toEqual({ keys: ['b', 'a'] });
  });

  it('req.maxContentLength set in a hook limits a route without its own option', async () => {
    const client = uploadsApp().testClient();
    expect((await client.post('/hooked', { data: 'x'.repeat(100) })).status).toBe(200);
    expect((await client.post('/hooked', { data: 'x'.repeat(101) })).status).toBe(413);
  });

  it('MAX_CONTENT_LENGTH applies when neither says otherwise; the getter reports the limit', async () => {
    const app = new Phial('cfg');
    app.config.MAX_CONTENT_LENGTH = 50;
    const seen: (number | null)[] = [];
    app.post('/p', { maxContentLength: null }, (req) => {
      seen.push(req.maxContentLength);
      return 'p';
    });
    app.post('/q', (req) => {
      seen.push(req.maxContentLength);
      return 'q';
    });
    const c = app.testClient();
    expect((await c.post('/q', { data: 'x'.repeat(51) })).status).toBe(413);
    expect((await c.post('/q', { data: 'x'.repeat(50) })).status).toBe(200);
    // a route's explicit `null` lifts the app's limit
    expect((await c.post('/p', { data: 'x'.repeat(5000) })).status).toBe(200);
    expect(seen).toEqual([50, null]);
  });

  it('JSON and raw bodies are capped in memory by default (MAX_BODY_MEMORY_SIZE)', async () => {
    const app = uploadsApp();
    expect(app.config.MAX_BODY_MEMORY_SIZE).toBe(4 * MiB);
    const c = app.testClient();
    const res = await c.post('/plain', { data: new Uint8Array(4 * MiB + 1) });
    expect(res.status).toBe(413);
    expect(res.text).toMatch(/keeps in memory/);
    expect((await c.post('/plain', { data: new Uint8Array(4 * MiB) })).json).toEqual({ size: 4 * MiB });
    app.config.MAX_BODY_MEMORY_SIZE = 8 * MiB;
    expect((await c.post('/plain', { data: new Uint8Array(5 * MiB) })).json).toEqual({ size: 5 * MiB });
  });

  it('urlencoded bodies are capped by MAX_FORM_MEMORY_SIZE', async () => {
    const app = new Phial('form');
    app.post('/f', (req) => req.form.get('a') ?? '');
    const c = app.testClient();
    expect((await c.post('/f', { form: { a: 'x'.repeat(500_001) } })).status).toBe(413);
    expect((await c.post('/f', { form: { a: 'xy' } })).text).toBe('xy');
  });

  it('req.maxFormMemorySize and req.maxFormParts set in a hook (Flask 3.1)', async () => {
    const app = new Phial('formlimits');
    app.beforeRequest((req) => {
      if (req.path === '/small') req.maxFormMemorySize = 10;
      if (req.path === '/few') req.maxFormParts = 2;
    });
    const view = (req: Request) => ({
      n: [...req.form.keys()].length,
      mem: req.maxFormMemorySize,
      parts: req.maxFormParts,
    });
    app.post('/small', view);
    app.post('/few', view);
    const c = app.testClient();
    expect((await c.post('/small', { form: { a: 'x'.repeat(20) } })).status).toBe(413);
    expect((await c.post('/small', { form: { a: 'xy' } })).json).toEqual({ n: 1, mem: 10, parts: 1000 });
    expect((await c.post('/few', { form: { a: '1', b: '2', c: '3' } })).status).toBe(413);
    expect((await c.post('/few', { form: { a: '1', b: '2' } })).json).toEqual({
      n: 2,
      mem: 500_000,
      parts: 2,
    });
  });

  it('the defaults, and how config keys map to limits', () => {
    const app = new Phial('defaults');
    expect(app.config.MAX_CONTENT_LENGTH).toBeNull();
    expect(app.config.MAX_FORM_MEMORY_SIZE).toBe(500_000);
    expect(app.config.MAX_FILE_MEMORY_SIZE).toBe(512 * 1024);
    expect(app.config.BODY_TIMEOUT).toBe(20);
    expect(app.config.BODY_MIN_RATE).toBe(500);
    expect(bodyLimitsFromConfig(app.config)).toEqual(DEFAULT_BODY_LIMITS);
    app.config.MAX_BODY_MEMORY_SIZE = null;
    expect(bodyLimitsFromConfig(app.config, 7)).toMatchObject({
      maxContentLength: 7,
      maxBodyMemorySize: null,
    });
  });
});

const sockets: RawClient[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of closers.splice(0)) await c();
});

describe.each(SERVERS)('limits over a real socket (%s server)', (kind) => {
  async function serveApp() {
    const s = await start(uploadsApp(), kind);
    closers.push(s.close);
    return () => {
      const c = new RawClient(s.port);
      sockets.push(c);
      return c;
    };
  }

  it('a 2 MiB JSON body is refused with 413 before a byte of it is sent', async () => {
    const client = await serveApp();
    const c = client();
    c.write(
      `POST /api HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${2 * MiB}\r\n\r\n`,
    );
    const text = await c.until((t) => /\r\n\r\n/.test(t), 3000);
    expect(statuses(text)).toEqual([413]);
    await c.untilClosed();
  });

  it('a chunked body gets 413 as soon as it crosses the limit', async () => {
    const client = await serveApp();
    const c = client();
    c.write('POST /hooked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = `32\r\n${'y'.repeat(50)}\r\n`;
    c.write(chunk);
    c.write(chunk); // 100 bytes: still allowed
    await sleep(100);
    expect(c.text).toBe('');
    c.write(chunk); // 150: over
    const text = await c.until((t) => /\r\n\r\n/.test(t), 3000);
    expect(statuses(text)).toEqual([413]);
  });

  it('a 16 MiB multipart upload goes through on its route', async () => {
    const client = await serveApp();
    const c = client();
    const { body, type } = multipart(16 * MiB - 4096);
    c.write(
      `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    for (let off = 0; off < body.length; off += MiB) c.write(body.subarray(off, off + MiB));
    const text = await c.until((t) => t.includes('"spooled"'), 20_000);
    expect(statuses(text)).toEqual([200]);
    expect(text).toContain(`{"size":${16 * MiB - 4096},"spooled":true}`);
  });
});
