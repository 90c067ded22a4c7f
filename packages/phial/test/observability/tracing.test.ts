/**
 * Phial's own tracing channels (`phial.route`, `phial.hook`, `phial.view`) and the signals bridged to
 * node:diagnostics_channel (`phial.signal.<name>`), subscribed to the way an APM would.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Channel } from 'node:diagnostics_channel';
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { NotFound, Phial, type Response, requestFinished } from '../../src/index.js';

type Handlers = Parameters<ReturnType<typeof tracingChannel>['subscribe']>[0];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Records `<event> <label>` for every event of a tracing channel. */
function record(name: string, label: (ctx: Record<string, unknown>) => string): string[] {
  const events: string[] = [];
  const tc = tracingChannel(name);
  const handlers: Handlers = {
    start: (m) => events.push(`start ${label(m as Record<string, unknown>)}`),
    end: (m) => events.push(`end ${label(m as Record<string, unknown>)}`),
    asyncStart: (m) => events.push(`asyncStart ${label(m as Record<string, unknown>)}`),
    asyncEnd: (m) => events.push(`asyncEnd ${label(m as Record<string, unknown>)}`),
    error: (m) => events.push(`error ${label(m as Record<string, unknown>)}`),
  };
  tc.subscribe(handlers);
  cleanups.push(() => tc.unsubscribe(handlers));
  return events;
}

function makeApp(): Phial {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Phial['logger'];
  app.get('/items/<int:id>', (req) => `item ${String(req.params.id)}`);
  app.get('/async', async () => {
    await new Promise((r) => setTimeout(r, 1));
    return 'later';
  });
  app.get('/boom', () => {
    throw new Error('boom');
  });
  return app;
}

describe('phial.route', () => {
  it('publishes the match: endpoint, rule text and params, or the routing error', async () => {
    const seen: Record<string, unknown>[] = [];
    const tc = tracingChannel('phial.route');
    const handlers = {
      end: (m: object) => seen.push({ ...(m as Record<string, unknown>) }),
    } as unknown as Handlers;
    tc.subscribe(handlers);
    cleanups.push(() => tc.unsubscribe(handlers));
    const client = makeApp().testClient();
    await client.get('/items/7?x=1');
    await client.get('/nowhere');
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({
      method: 'GET',
      path: '/items/7',
      endpoint: '/items/<int:id>',
      rule: '/items/<int:id>',
      params: { id: 7 },
    });
    expect(seen[0]?.request).toBeDefined();
    expect(seen[1]).toMatchObject({ method: 'GET', path: '/nowhere' });
    expect(seen[1]?.error).toBeInstanceOf(NotFound);
  });

  it("is published by Phial's server too (the same app code)", async () => {
    const events = record('phial.route', (c) => String(c.path));
    const server = await makeApp().listen(0, '127.0.0.1');
    try {
      const r = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/items/3`);
      expect(await r.text()).toBe('item 3');
      expect(events).toEqual(['start /items/3', 'end /items/3']);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
    }
  });
});

describe('phial.hook and phial.view', () => {
  it('a sync view: start/end; an async view: start/end then asyncStart/asyncEnd with the result', async () => {
    const events = record(
      'phial.view',
      (c) =>
        `${String(c.endpoint)}${c.result instanceof Promise ? '' : c.result === undefined ? '' : ` → ${String(c.result)}`}`,
    );
    const client = makeApp().testClient();
    await client.get('/items/1');
    await client.get('/async');
    expect(events).toEqual([
      'start /items/<int:id>',
      'end /items/<int:id> → item 1',
      'start /async',
      'end /async',
      'asyncStart /async → later',
      'asyncEnd /async → later',
    ]);
  });

  it('a view that throws: error, and the request still gets its 500', async () => {
    const events = record(
      'phial.view',
      (c) => `${String(c.endpoint)}${c.error ? ` ${(c.error as Error).message}` : ''}`,
    );
    const r = await makeApp().testClient().get('/boom');
    expect(r.status).toBe(500);
    expect(events).toEqual(['start /boom', 'error /boom boom', 'end /boom boom']);
  });

  it('beforeRequest and afterRequest hooks, sync and async', async () => {
    const app = makeApp();
    app.beforeRequest(async () => {
      await new Promise((r) => setTimeout(r, 1));
    });
    app.afterRequest((res: Response) => {
      res.headers.set('X-After', '1');
    });
    const events = record('phial.hook', (c) => String(c.hook));
    const r = await app.testClient().get('/items/2');
    expect(r.headers.get('x-after')).toBe('1');
    expect(events).toEqual([
      'start beforeRequest',
      'end beforeRequest',
      'asyncStart beforeRequest',
      'asyncEnd beforeRequest',
      'start afterRequest',
      'end afterRequest',
    ]);
  });

  it('an APM binds its store to the start channel: the view runs with it', async () => {
    const als = new AsyncLocalStorage<string>();
    const start = tracingChannel<string, { endpoint: string }>('phial.view').start;
    start.bindStore(als, (ctx) => `span:${ctx.endpoint}`);
    cleanups.push(() => start.unbindStore(als));
    const app = makeApp();
    app.get('/store', async () => {
      await new Promise((r) => setTimeout(r, 1));
      return als.getStore() ?? 'none';
    });
    expect((await app.testClient().get('/store')).text).toBe('span:/store');
  });
});

describe('signals on node:diagnostics_channel', () => {
  it('phial.signal.request-started and request-finished carry the sender and the extra data', async () => {
    const app = makeApp();
    const seen: string[] = [];
    const onStarted = (m: unknown) => {
      const msg = m as { signal: string; sender: unknown };
      seen.push(`${msg.signal} ${msg.sender === app}`);
    };
    const onFinished = (m: unknown) => {
      const msg = m as { signal: string; extra: { response: Response } };
      seen.push(`${msg.signal} ${msg.extra.response.status}`);
    };
    subscribe('phial.signal.request-started', onStarted);
    subscribe('phial.signal.request-finished', onFinished);
    cleanups.push(() => {
      unsubscribe('phial.signal.request-started', onStarted);
      unsubscribe('phial.signal.request-finished', onFinished);
    });
    await app.testClient().get('/items/5');
    await app.testClient().get('/missing');
    expect(seen).toEqual([
      'request-started true',
      'request-finished 200',
      'request-started true',
      'request-finished 404',
    ]);
  });

  it('each signal names its channel (a public, typed getter)', () => {
    expectTypeOf(requestFinished.diagnosticsChannel).toEqualTypeOf<Channel>();
    expect(requestFinished.diagnosticsChannel.name).toBe('phial.signal.request-finished');
    expect(requestFinished.hasReceivers).toBe(false);
    const fn = () => {};
    subscribe('phial.signal.request-finished', fn);
    expect(requestFinished.hasReceivers).toBe(true);
    unsubscribe('phial.signal.request-finished', fn);
    expect(requestFinished.hasReceivers).toBe(false);
  });
});
