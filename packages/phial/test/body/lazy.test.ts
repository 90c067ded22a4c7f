/**
 * The body is read only once routing matched and the beforeRequest hooks let the request through, just
 * before the view; earlier code awaits `req.loadBody()`. Checked with a body source that records reads, and
 * over real sockets on Phial's server and node:http.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Phial, type Request, Response } from '../../src/index.js';
import { RawClient, SERVERS, start, statuses } from './helpers.js';

/** A raw request whose body source records whether anything read it. */
function recordingRaw(method: string, url: string, body: string, headers: Record<string, string> = {}) {
  const log = { reads: 0 };
  const bytes = Buffer.from(body);
  const raw = {
    method,
    url,
    headers: {
      host: 'localhost',
      'content-type': 'application/json',
      'content-length': String(bytes.length),
      ...headers,
    },
    async *[Symbol.asyncIterator]() {
      log.reads++;
      yield new Uint8Array(bytes);
    },
  };
  return { raw, log };
}

function app(): Phial {
  const a = new Phial('lazy');
  a.post('/echo', (req) => ({ got: req.json }));
  a.route('/only-get', () => 'get');
  a.post('/dir/', () => 'dir');
  a.post('/guarded', () => 'never');
  a.beforeRequest((req) => {
    if (req.path === '/guarded') return new Response('no', { status: 401 });
    return undefined;
  });
  return a;
}

describe('the body is read just before the view', () => {
  it('views read json/form/data synchronously', async () => {
    const res = await app()
      .testClient()
      .post('/echo', { json: { b: 2, a: 1 } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ got: { b: 2, a: 1 } });
  });

  it.each([
    ['404', 'POST', '/missing', 404],
    ['405', 'POST', '/only-get', 405],
    ['308', 'POST', '/dir', 308],
    ['a hook answer', 'POST', '/guarded', 401],
  ])('%s reads no byte of the body', async (_name, method, url, status) => {
    const { raw, log } = recordingRaw(method, url, '{"x":1}');
    const res = await app().dispatch(raw);
    expect(res.status).toBe(status);
    expect(log.reads).toBe(0);
  });

  it('the view route reads it once', async () => {
    const { raw, log } = recordingRaw('POST', '/echo', '{"x":1}');
    const res = await app().dispatch(raw);
    expect(res.status).toBe(200);
    expect(log.reads).toBe(1);
  });

  it('reading it in a hook before loadBody throws an error naming loadBody', async () => {
    const a = new Phial('early');
    let message = '';
    a.beforeRequest((req) => {
      try {
        void req.form;
      } catch (e) {
        message = (e as Error).message;
      }
    });
    a.post('/f', (req) => req.form.get('x') ?? '');
    const res = await a.testClient().post('/f', { form: { x: 'y' } });
    expect(res.text).toBe('y');
    expect(message).toMatch(/loadBody/);
    // json, data and files say the same
    const b = new Phial('early2');
    const seen: string[] = [];
    b.beforeRequest((req) => {
      for (const read of [() => req.json, () => req.data, () => req.files, () => req.values]) {
        try {
          read();
        } catch (e) {
          seen.push((e as Error).message);
        }
      }
    });
    b.post('/j', () => 'ok');
    await b.testClient().post('/j', { json: { a: 1 } });
    expect(seen).toHaveLength(4);
    for (const m of seen) expect(m).toMatch(/await req\.loadBody\(\)/);
  });

  it('a request without a body reads empty values anywhere', async () => {
    const a = new Phial('nobody');
    a.beforeRequest((req) => {
      expect(req.form.toObject()).toEqual({});
      expect(req.data.byteLength).toBe(0);
    });
    a.route('/', (req) => String(req.bodyLoaded));
    expect((await a.testClient().get('/')).text).toBe('true');
  });

  it('a hook that awaits req.loadBody() reads the body; the view reads the same one', async () => {
    const a = new Phial('hookload');
    const { raw, log } = recordingRaw('POST', '/h', '{"role":"admin"}');
    a.beforeRequest(async (req: Request) => {
      expect(req.bodyLoaded).toBe(false);
      await req.loadBody();
      await req.loadBody(); // once
      if ((req.json as { role?: string }).role !== 'admin') return 'forbidden';
      return undefined;
    });
    a.post('/h', (req) => ({ role: (req.json as { role: string }).role }));
    const res = await a.dispatch(raw);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ role: 'admin' });
    expect(log.reads).toBe(1);
  });

  it('a body that arrived with the head is taken at once: the whole request stays synchronous', () => {
    const a = new Phial('sync');
    a.post('/echo', (req) => ({ got: req.json }));
    const bytes = Buffer.from('{"z":1,"a":2}');
    const raw = {
      method: 'POST',
      url: '/echo',
      headers: { host: 'x', 'content-type': 'application/json', 'content-length': String(bytes.length) },
      takeBufferedBody: () => new Uint8Array(bytes),
      [Symbol.asyncIterator]: () => {
        throw new Error('the async path was taken');
      },
    };
    const res = a.wsgiApp(raw);
    expect(res).toBeInstanceOf(Response);
    expect(JSON.parse((res as Response).text)).toEqual({ got: { z: 1, a: 2 } });
  });

  it('a failed read is an HTTP error for the request, rethrown by every accessor', async () => {
    const a = new Phial('bad');
    a.post('/j', (req) => ({ j: req.json }));
    a.config.MAX_CONTENT_LENGTH = 4;
    const res = await a.testClient().post('/j', { json: { a: 12345 } });
    expect(res.status).toBe(413);
  });
});

const sockets: RawClient[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of closers.splice(0)) await c();
});

describe.each(SERVERS)('over a real socket (%s server)', (kind) => {
  async function serveApp(a = app()) {
    const s = await start(a, kind);
    closers.push(s.close);
    const client = () => {
      const c = new RawClient(s.port);
      sockets.push(c);
      return c;
    };
    return { client };
  }

  it.each([
    ['a 404', 'POST /missing', 404],
    ['a 405', 'POST /only-get', 405],
    ['a 308', 'POST /dir', 308],
    ['a hook answer', 'POST /guarded', 401],
  ])(
    '%s is answered without waiting for a 10 MB body, and the connection closes',
    async (_n, line, status) => {
      const { client } = await serveApp();
      const c = client();
      c.write(
        `${line} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{"a":`,
      );
      const text = await c.until((t) => /\r\n\r\n/.test(t), 3000);
      expect(statuses(text)[0]).toBe(status);
      expect(text.toLowerCase()).toContain('connection: close');
      await c.untilClosed(5000);
    },
  );

  it('the view route waits for the body and answers with it', async () => {
    const { client } = await serveApp();
    const c = client();
    c.write(
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a"',
    );
    await new Promise((r) => setTimeout(r, 150));
    expect(c.text).toBe('');
    c.write(':1}');
    const text = await c.until((t) => t.includes('{"got":{"a":1}}'));
    expect(statuses(text)).toEqual([200]);
  });

  it('a small unread body is dropped and the connection carries the next request', async () => {
    const { client } = await serveApp();
    const c = client();
    const body = 'x'.repeat(1000);
    c.write(
      `POST /missing HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":2}',
    );
    const text = await c.until((t) => t.includes('{"got":{"a":2}}'));
    expect(statuses(text)).toEqual([404, 200]);
    expect(c.closed).toBe(false);
  });

  it('Expect: 100-continue gets 100 only when the body is read', async () => {
    const { client } = await serveApp();
    const refused = client();
    refused.write(
      'POST /missing HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n',
    );
    const text = await refused.until((t) => /\r\n\r\n/.test(t));
    expect(statuses(text)).toEqual([404]);
    const ok = client();
    ok.write(
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n',
    );
    await ok.until((t) => t.includes('100 Continue'));
    ok.write('{"a":3}');
    const text2 = await ok.until((t) => t.includes('{"got":{"a":3}}'));
    expect(statuses(text2)).toEqual([100, 200]);
  });
});

describe("Phial's server: the rest of a skipped body", () => {
  it('may not stall the connection longer than an idle keep-alive', async () => {
    const s = await start(app(), 'phial');
    closers.push(s.close);
    s.server.keepAliveTimeout = 400;
    const c = new RawClient(s.port);
    sockets.push(c);
    c.write('POST /missing HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n0123456789');
    const text = await c.until((t) => /\r\n\r\n/.test(t));
    expect(statuses(text)).toEqual([404]);
    expect(text.toLowerCase()).not.toContain('connection: close');
    const began = Date.now();
    await c.untilClosed(5000);
    expect(Date.now() - began).toBeLessThan(4000);
  });
});
