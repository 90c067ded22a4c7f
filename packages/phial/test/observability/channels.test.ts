/**
 * Phial's own server is observable like node:http: an instrumentation subscribing to node's diagnostics
 * channels, listening to 'request' or wrapping `emit` sees the same messages from both servers.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { IncomingMessage, type Server, ServerResponse } from 'node:http';
import { type AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Phial, Response } from '../../src/index.js';
import { isObserved } from '../../src/server/diagnostics.js';

function makeApp(): Phial {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Phial['logger'];
  app.get(
    '/items/<int:id>',
    (req) =>
      new Response(`item ${String(req.params.id)}`, {
        status: 201,
        headers: { 'X-Item': String(req.params.id) },
      }),
  );
  app.get('/slow', async () => {
    await new Promise((r) => setTimeout(r, 5));
    return 'slow';
  });
  app.get('/stream', () =>
    (async function* body() {
      yield 'a';
      yield 'b';
    })(),
  );
  return app;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

async function start(kind: 'phial' | 'node', app = makeApp()): Promise<{ server: Server; base: string }> {
  const server = await app.listen(0, '127.0.0.1', { server: kind });
  servers.push(server);
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Seen {
  channel: string;
  request: IncomingMessage;
  response: ServerResponse;
  socket: Socket;
  server: Server;
  statusAtPublish: number;
  headerAtPublish: unknown;
}

describe.each(['phial', 'node'] as const)('node diagnostics channels on the %s server', (kind) => {
  it('http.server.request.start and http.server.response.finish carry { request, response, socket, server }', async () => {
    const seen: Seen[] = [];
    const onStart = (m: unknown) => record('start', m);
    const onFinish = (m: unknown) => record('finish', m);
    function record(channel: string, m: unknown): void {
      const msg = m as Seen;
      seen.push({
        ...msg,
        channel,
        statusAtPublish: msg.response.statusCode,
        headerAtPublish: `${String(msg.response.getHeader('x-item'))} ${String(msg.response.getHeader('content-length'))}`,
      });
    }
    subscribe('http.server.request.start', onStart);
    subscribe('http.server.response.finish', onFinish);
    try {
      const { server, base } = await start(kind);
      const r = await fetch(`${base}/items/7?q=1`, { headers: { 'x-trace': 'abc' } });
      expect(r.status).toBe(201);
      expect(await r.text()).toBe('item 7');
      await new Promise((res) => setTimeout(res, 20));
      const mine = seen.filter((s) => s.server === server);
      expect(mine.map((s) => s.channel)).toEqual(['start', 'finish']);
      const [start0, finish] = mine as [Seen, Seen];
      expect(start0.request).toBeInstanceOf(IncomingMessage);
      expect(start0.response).toBeInstanceOf(ServerResponse);
      expect(start0.socket).toBeInstanceOf(Socket);
      expect(start0.request.method).toBe('GET');
      expect(start0.request.url).toBe('/items/7?q=1');
      expect(start0.request.httpVersion).toBe('1.1');
      expect(start0.request.headers['x-trace']).toBe('abc');
      expect(start0.request.headers.host).toBe(base.slice('http://'.length));
      expect(start0.request.socket.remoteAddress).toBe('127.0.0.1');
      expect(start0.socket.localPort).toBe((server.address() as AddressInfo).port);
      expect(finish.request).toBe(start0.request);
      expect(finish.response).toBe(start0.response);
      expect(finish.statusAtPublish).toBe(201);
      // Phial's server mirrors the head onto the ServerResponse; the node adapter hands node raw headers
      // (one writeHead), which `getHeader` does not see
      expect(finish.headerAtPublish).toBe(kind === 'phial' ? '7 6' : 'undefined undefined');
      expect(finish.response.writableEnded).toBe(true);
    } finally {
      unsubscribe('http.server.request.start', onStart);
      unsubscribe('http.server.response.finish', onFinish);
    }
  });

  it("emits 'request' with node objects whose 'finish' and 'close' follow the response", async () => {
    const { server, base } = await start(kind);
    const events: string[] = [];
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      events.push(`request ${req.method} ${req.url}`);
      res.on('finish', () => events.push(`finish ${res.statusCode}`));
      res.on('close', () => events.push('close'));
    });
    expect(await (await fetch(`${base}/slow`)).text()).toBe('slow');
    expect(await (await fetch(`${base}/stream`)).text()).toBe('ab');
    await new Promise((res) => setTimeout(res, 20));
    expect(events).toEqual([
      'request GET /slow',
      'finish 200',
      'close',
      'request GET /stream',
      'finish 200',
      'close',
    ]);
  });

  it('the app runs inside the request event: a context set by a wrapped emit is active in views', async () => {
    const { server, base } = await start(kind, appWithStore());
    const emit = server.emit as (this: Server, event: string, ...args: unknown[]) => boolean;
    server.emit = function wrapped(this: Server, event: string, ...args: unknown[]): boolean {
      if (event !== 'request') return emit.apply(this, [event, ...args]);
      return store.run(`span for ${(args[0] as IncomingMessage).url}`, () =>
        emit.apply(this, [event, ...args]),
      );
    } as typeof server.emit;
    expect(await (await fetch(`${base}/store`)).text()).toBe('span for /store');
    expect(await (await fetch(`${base}/store-async`)).text()).toBe('span for /store-async');
  });
});

const store = new AsyncLocalStorage<string>();
function appWithStore(): Phial {
  const app = makeApp();
  app.get('/store', () => store.getStore() ?? 'none');
  app.get('/store-async', async () => {
    await new Promise((r) => setTimeout(r, 2));
    return store.getStore() ?? 'none';
  });
  return app;
}

describe("Phial's server when nobody watches", () => {
  it('is not observed (no node objects are built) until a subscriber, a listener or a wrapped emit appears', async () => {
    const { server, base } = await start('phial');
    expect(isObserved(server)).toBe(false);
    const fn = () => {};
    subscribe('http.server.response.finish', fn);
    expect(isObserved(server)).toBe(true);
    unsubscribe('http.server.response.finish', fn);
    expect(isObserved(server)).toBe(false);
    server.on('request', fn);
    expect(isObserved(server)).toBe(true);
    server.off('request', fn);
    expect(isObserved(server)).toBe(false);
    const emit = server.emit;
    server.emit = function patched(this: Server, ...a: unknown[]) {
      return emit.apply(this, a as Parameters<typeof emit>);
    } as typeof server.emit;
    expect(isObserved(server)).toBe(true);
    expect(await (await fetch(`${base}/items/1`)).text()).toBe('item 1');
    server.emit = emit;
    expect(isObserved(server)).toBe(false);
  });

  it("a throwing 'request' listener is logged; the request is served", async () => {
    const app = makeApp();
    const errors: unknown[] = [];
    app.logger = {
      debug() {},
      info() {},
      warn() {},
      error: (_m: string, e: unknown) => errors.push(e),
    } as unknown as Phial['logger'];
    const { server, base } = await start('phial', app);
    server.on('request', () => {
      throw new Error('observer bug');
    });
    const r = await fetch(`${base}/items/3`);
    expect(r.status).toBe(201);
    expect(await r.text()).toBe('item 3');
    expect(String(errors[0])).toContain('observer bug');
  });

  it("a client that goes mid-stream: 'close' without 'finish'", async () => {
    const app = makeApp();
    let release: () => void = () => {};
    app.get('/hang', () =>
      (async function* body() {
        yield 'first';
        await new Promise<void>((r) => {
          release = r;
        });
        yield 'never';
      })(),
    );
    const { server, base } = await start('phial', app);
    const events: string[] = [];
    let closed: () => void = () => {};
    const gone = new Promise<void>((r) => {
      closed = r;
    });
    server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
      res.on('finish', () => events.push('finish'));
      res.on('close', () => {
        events.push('close');
        closed();
      });
    });
    const ac = new AbortController();
    const r = await fetch(`${base}/hang`, { signal: ac.signal });
    const reader = r.body?.getReader();
    await reader?.read();
    ac.abort();
    await gone;
    release();
    await new Promise((res) => setTimeout(res, 20));
    expect(events).toEqual(['close']);
  });
});

describe('node:domain', () => {
  it("replacing EventEmitter's emit (as node:domain does) does not make every server look observed", async () => {
    const { EventEmitter } = await import('node:events');
    const { server } = await start('phial');
    const original = EventEmitter.prototype.emit;
    EventEmitter.prototype.emit = function replaced(this: unknown, ...a: Parameters<typeof original>) {
      return original.apply(this, a);
    };
    try {
      expect(isObserved(server)).toBe(false);
    } finally {
      EventEmitter.prototype.emit = original;
    }
  });
});
