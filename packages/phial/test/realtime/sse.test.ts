/**
 * Server-sent events: the framing, the producer inside the request context, heartbeats, `lastEventId`,
 * stopping when the client goes, and the slow-client policy, on the test client, Phial's server,
 * node:http and `app.fetch`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { currentRequestContext } from '../../src/app/context.js';
import { isPushBody, PUSH, type PushBody } from '../../src/http/push.js';
import {
  Broadcast,
  type EventStream,
  eventStream,
  formatComment,
  formatEvent,
  g,
  Phial,
  request,
} from '../../src/index.js';
import { parseEventStream } from '../../src/testing/stream.js';
import { type Kind, openSse, recordingLogger, serve, sleep, waitFor } from './helpers.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

describe('SSE framing', () => {
  it('frames data, event, id, retry and multi-line data', () => {
    expect(formatEvent('hello')).toBe('data: hello\n\n');
    expect(formatEvent({ data: 'a\nb\r\nc\rd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
    expect(formatEvent({ data: { n: 1, s: 'x\ny' } })).toBe('data: {"n":1,"s":"x\\ny"}\n\n');
    expect(formatEvent({ event: 'tick', id: 7, retry: 2500, data: 'x' })).toBe(
      'event: tick\nid: 7\nretry: 2500\ndata: x\n\n',
    );
    expect(formatEvent({ data: '' })).toBe('data: \n\n');
    expect(formatEvent({ data: 'end\n' })).toBe('data: end\ndata: \n\n');
    expect(formatEvent({ retry: 1000 })).toBe('retry: 1000\n\n');
    expect(formatComment('keep\nalive')).toBe(': keep\n: alive\n\n');
    expect(formatComment('')).toBe(':\n\n');
  });

  it('refuses line breaks in event and id (they would inject fields)', () => {
    expect(() => formatEvent({ event: 'a\nb', data: 'x' })).toThrow(TypeError);
    expect(() => formatEvent({ id: '1\r\ndata: evil', data: 'x' })).toThrow(TypeError);
    expect(() => formatEvent({ id: 'a\0b', data: 'x' })).toThrow(TypeError);
    expect(() => formatEvent({ retry: -1 })).toThrow(TypeError);
  });

  it('round-trips through the parser as a browser would read it', async () => {
    const text =
      formatComment('hi') +
      formatEvent({ event: 'tick', id: '1', data: 'line1\nline2' }) +
      formatEvent({ data: { ok: true } });
    const bytes = new TextEncoder().encode(text);
    // split in awkward places, including between \r and \n
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 3) yield bytes.subarray(i, i + 3);
    }
    const got = [];
    for await (const ev of parseEventStream(chunks())) got.push(ev);
    expect(got).toEqual([
      { event: 'tick', data: 'line1\nline2', id: '1' },
      { event: 'message', data: '{"ok":true}', id: '1' },
    ]);
  });
});

describe('eventStream on the test client', () => {
  it('returns before the body ends, runs the producer in the request context, stops on close()', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let closedBy: string | null = null;
    let sawPath = '';
    let sawG = '';
    let aborted = false;
    app.beforeRequest(() => {
      g.user = 'ada';
    });
    app.get('/events', (req) =>
      eventStream(async (stream) => {
        stream.onClose(() => {
          closedBy = 'onClose';
        });
        stream.signal.addEventListener('abort', () => {
          aborted = true;
        });
        await stream.send({ event: 'hello', data: { user: g.user } });
        await gate;
        sawPath = request.path;
        sawG = String(g.user);
        expect(req.lastEventId).toBe('41');
        expect(stream.lastEventId).toBe('41');
        let n = 42;
        while (!stream.closed) {
          await stream.send({ id: String(n++), data: `n=${n}` });
          await sleep(5);
        }
      }),
    );
    const client = app.testClient();
    const res = await client.get('/events', { stream: true, headers: { 'Last-Event-ID': '41' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    const events = res.events();
    const first = await events.next();
    expect(first.value).toEqual({ event: 'hello', data: '{"user":"ada"}', id: '' });
    release();
    const second = await events.next();
    expect(second.value?.id).toBe('42');
    const third = await events.next();
    expect(third.value?.id).toBe('43');
    await res.close();
    await waitFor(() => closedBy !== null && aborted, 1000, 'producer to stop');
    expect(sawPath).toBe('/events');
    expect(sawG).toBe('ada');
  });

  it('starts the producer once the head is ready, before the test reads, as a real server does', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    const bus = new Broadcast();
    let started = 0;
    app.get('/news', () =>
      eventStream(async (stream) => {
        started++;
        for await (const m of bus.events('news', { signal: stream.signal }))
          await stream.send({ event: 'news', data: m });
      }),
    );
    const res = await app.testClient().get('/news', { stream: true });
    // the test publishes first and reads afterwards: the event waits in the stream for the reader
    await waitFor(() => bus.subscriberCount('news') === 1, 1000, 'the producer to subscribe');
    expect(started).toBe(1);
    await bus.publish('news', { n: 1 });
    const first = await res.events().next();
    expect(first.value).toEqual({ event: 'news', data: '{"n":1}', id: '' });
    await res.close();
    await waitFor(() => bus.subscriberCount('news') === 0, 1000, 'the producer to stop');
  });

  it('takes an async generator and runs its finally block when the client goes', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    let cleaned = false;
    app.get('/gen', () =>
      eventStream(
        (async function* () {
          try {
            for (let i = 0; ; i++) {
              yield { data: `${request.path}#${i}` };
              await sleep(2);
            }
          } finally {
            cleaned = true;
          }
        })(),
      ),
    );
    const res = await app.testClient().get('/gen', { stream: true });
    const got: string[] = [];
    for await (const ev of res.events()) {
      got.push(ev.data);
      if (got.length === 3) break;
    }
    await res.close();
    expect(got).toEqual(['/gen#0', '/gen#1', '/gen#2']);
    await waitFor(() => cleaned, 1000, 'generator finally');
  });

  it('a buffered client read gets the whole finite stream (retry first, producer return ends it)', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.get('/finite', () =>
      eventStream(
        async (s) => {
          await s.send('a');
          await s.comment('note');
          await s.send({ event: 'done', data: 'b' });
        },
        { retry: 3000 },
      ),
    );
    const res = await app.testClient().get('/finite');
    expect(res.text).toBe(':\n\nretry: 3000\n\ndata: a\n\n: note\n\nevent: done\ndata: b\n\n');
  });

  it('sends heartbeats while the producer is silent', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.get('/quiet', () =>
      eventStream(async (s) => void (await new Promise((r) => s.onClose(() => r(null)))), {
        heartbeat: 0.03,
      }),
    );
    const res = await app.testClient().get('/quiet', { stream: true });
    const chunks: string[] = [];
    for await (const c of res) {
      chunks.push(new TextDecoder().decode(c));
      if (chunks.length === 3) break;
    }
    await res.close();
    expect(chunks).toEqual([':\n\n', ':\n\n', ':\n\n']);
  });

  it('whenClosed() keeps a listener-only producer open until the client leaves', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    const bus = new Broadcast();
    let left = false;
    app.get('/fanout', () =>
      eventStream(async (stream) => {
        const leave = bus.subscribe('t', (m) => void stream.send({ data: m }));
        await stream.whenClosed();
        leave();
        left = true;
      }),
    );
    const res = await app.testClient().get('/fanout', { stream: true });
    await waitFor(() => bus.subscriberCount('t') === 1, 1000, 'the subscription');
    await bus.publish('t', 'one');
    expect((await res.events().next()).value?.data).toBe('one');
    expect(left).toBe(false);
    await res.close();
    await waitFor(() => left && bus.subscriberCount('t') === 0, 1000, 'the producer to leave');
  });

  it('sends a heartbeat one period after the last event, not up to two periods later', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.get('/late', () =>
      eventStream(
        async (s) => {
          // an event just after where a fixed beat would have ticked, then silence
          await sleep(260);
          await s.send({ data: 'x' });
          await new Promise((r) => s.onClose(() => r(null)));
        },
        { heartbeat: 0.25 },
      ),
    );
    const res = await app.testClient().get('/late', { stream: true });
    const seen: [string, number][] = [];
    for await (const c of res) {
      seen.push([new TextDecoder().decode(c), performance.now()]);
      if (seen.some(([t]) => t === 'data: x\n\n') && seen[seen.length - 1]?.[0] === ':\n\n') break;
    }
    await res.close();
    const at = seen.findIndex(([t]) => t === 'data: x\n\n');
    expect(seen[at + 1]?.[0]).toBe(':\n\n');
    const gap = (seen[at + 1]?.[1] ?? 0) - (seen[at]?.[1] ?? 0);
    // one period (250 ms) after the event; a fixed 250 ms beat would have waited until 750 ms (a 490 ms gap)
    expect(gap).toBeGreaterThanOrEqual(230);
    expect(gap).toBeLessThan(420);
  });

  it('keeps the request context in timer callbacks and onClose callbacks', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    let closedIn = '';
    app.get('/timers', () =>
      eventStream(async (s) => {
        s.onClose(() => {
          closedIn = request.path;
        });
        const t = setInterval(() => void s.send(`tick from ${request.path}`), 5);
        s.onClose(() => clearInterval(t));
        await new Promise((r) => s.onClose(() => r(null)));
      }),
    );
    const res = await app.testClient().get('/timers', { stream: true });
    const events = res.events();
    expect((await events.next()).value?.data).toBe('tick from /timers');
    await res.close();
    await waitFor(() => closedIn === '/timers', 1000, 'onClose in context');
  });

  /** An app whose `/boom` stream sends one event, then its producer throws; `errors` records the logger. */
  function boomApp(testing: boolean) {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.testing = testing;
    const errors: unknown[][] = [];
    app.logger = recordingLogger(errors);
    app.get('/boom', () =>
      eventStream(async (s) => {
        await s.send('before');
        throw new Error('producer failed');
      }),
    );
    return { app, errors };
  }

  it('logs a producer error once and ends the stream', async () => {
    const { app, errors } = boomApp(false);
    const res = await app.testClient().get('/boom');
    expect(res.text).toContain('data: before');
    expect(errors).toHaveLength(1);
    expect(String(errors[0]?.[1])).toContain('producer failed');
  });

  it('with TESTING, the test reading the stream gets the producer error after the events before it', async () => {
    const { app, errors } = boomApp(true);
    const res = await app.testClient().get('/boom', { stream: true });
    const events = res.events();
    expect((await events.next()).value?.data).toBe('before');
    await expect(events.next()).rejects.toThrow('producer failed');
    // a buffered read raises it too
    await expect(app.testClient().get('/boom')).rejects.toThrow('producer failed');
    expect(errors).toEqual([]);
  });
});

describe.each(['phial', 'node'] as Kind[])('eventStream on a real %s server', (kind) => {
  it('streams events as they are produced and stops the producer at once when the client leaves', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    let stopped = 0;
    let stoppedAt = 0;
    let sawId: string | null = null;
    app.get('/ticks', (req) =>
      eventStream(
        async (stream: EventStream) => {
          sawId = req.lastEventId;
          stream.onClose(() => {
            stopped++;
            stoppedAt = Date.now();
          });
          let n = 0;
          while (!stream.closed) {
            await stream.send({ event: 'tick', id: String(n), data: `${request.path} ${n++}` });
            await sleep(20);
          }
        },
        { heartbeat: 1 },
      ),
    );
    const { port, close } = await serve(app, kind);
    stops.push(close);
    const { res, events, destroy } = await openSse(port, '/ticks', { 'Last-Event-ID': 'abc' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['x-accel-buffering']).toBe('no');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-length']).toBeUndefined();
    const a = await events.next();
    const b = await events.next();
    expect(a.value).toEqual({ event: 'tick', id: '0', data: '/ticks 0' });
    expect(b.value).toEqual({ event: 'tick', id: '1', data: '/ticks 1' });
    expect(sawId).toBe('abc');
    const leftAt = Date.now();
    destroy();
    await waitFor(() => stopped === 1, 2000, 'producer stop');
    // well within one heartbeat (1 s): the request signal ends it
    expect(stoppedAt - leftAt).toBeLessThan(1000);
    await sleep(50);
    expect(stopped).toBe(1);
  });

  it('drops a client that never reads once its queue reaches highWaterMark (memory stays bounded)', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    let result: boolean | null = null;
    let sentOk = 0;
    let closed = false;
    const big = 'x'.repeat(64 * 1024);
    app.get('/flood', () =>
      eventStream(
        async (stream) => {
          stream.onClose(() => {
            closed = true;
          });
          // a broadcaster that does not await each client: queue, queue, queue
          for (let i = 0; i < 2000 && !stream.closed; i++) {
            void stream.send(big).then((ok) => {
              if (ok) sentOk++;
            });
            await sleep(0);
          }
          result = await stream.send('last');
        },
        { highWaterMark: 256 * 1024 },
      ),
    );
    const { port, close } = await serve(app, kind);
    stops.push(close);
    const { res, destroy } = await openSse(port, '/flood');
    res.pause(); // never read
    await waitFor(() => closed && result !== null, 15000, 'slow client drop');
    expect(result).toBe(false);
    // what was handed to the socket before the drop is far less than what was offered (2000 × 64 KiB)
    expect(sentOk).toBeLessThan(1500);
    destroy();
  }, 20000);
});

describe('eventStream as a pushed body', () => {
  it('reaches the server unwrapped, and each event is on the socket before send() returns', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    let stream: EventStream | null = null;
    const res = await app.testRequestContext('/live', () => {
      const ctx = currentRequestContext();
      if (ctx === undefined) throw new Error('no request context');
      const made = eventStream((s) => {
        stream = s;
        return new Promise<void>((r) => s.onClose(r));
      });
      return app._toResponse(made, ctx);
    });
    // wrapping it for the request context (as other streamed bodies are) would hide the push method
    expect(isPushBody(res._body)).toBe(true);
    const body = res._body as PushBody;
    const written: string[] = [];
    let ended = 0;
    body[PUSH]({
      write: (chunk) => {
        written.push(new TextDecoder().decode(chunk));
        return true;
      },
      drained: () => Promise.resolve(),
      end: () => {
        ended++;
      },
    });
    expect(written).toEqual([':\n\n']);
    await sleep(0); // the producer starts in its request context
    const s = stream as EventStream | null;
    if (s === null) throw new Error('the producer did not start');
    void s.send('a');
    expect(written).toEqual([':\n\n', 'data: a\n\n']);
    s.close();
    expect(ended).toBe(1);
    expect(await s.send('late')).toBe(false);
    expect(() => body[PUSH]({ write: () => true, drained: () => Promise.resolve(), end: () => {} })).toThrow(
      /only once/,
    );
  });
});

describe.each(['phial', 'node'] as Kind[])(
  'eventStream backpressure and fan-out on a real %s server',
  (kind) => {
    it('an awaited send waits while the client does not read; every event then arrives whole and in order', async () => {
      const app = new Phial(import.meta.url, { staticFolder: null });
      const big = 'y'.repeat(32 * 1024);
      let resolved = 0;
      let producerDone = false;
      app.get('/big', () =>
        eventStream(async (stream) => {
          for (let i = 0; i < 200; i++) {
            if (!(await stream.send({ id: i, data: `${i} ${big}` }))) return;
            resolved++;
          }
          producerDone = true;
        }),
      );
      const { port, close } = await serve(app, kind);
      stops.push(close);
      const { res, events } = await openSse(port, '/big');
      res.pause();
      // 200 × 32 KiB cannot all fit in the socket buffers: the producer must be held
      await sleep(300);
      const held = resolved;
      await sleep(200);
      expect(resolved).toBe(held);
      expect(resolved).toBeLessThan(200);
      expect(producerDone).toBe(false);
      res.resume();
      let n = 0;
      for await (const e of events) {
        expect(e.id).toBe(String(n));
        expect(e.data).toBe(`${n} ${big}`);
        n++;
      }
      expect(n).toBe(200);
      expect(producerDone).toBe(true);
      // the response ended properly (the chunked terminator came: the parser saw the end, not an error)
      expect(res.complete).toBe(true);
    }, 20000);

    it('close() sends what was queued while the socket was full, then ends the response', async () => {
      const app = new Phial(import.meta.url, { staticFolder: null });
      const big = 'z'.repeat(64 * 1024);
      let queued = 0;
      app.get('/burst', () =>
        eventStream((stream) => {
          // not awaited: the events queue (under highWaterMark) behind a full socket, then the stream closes
          for (let i = 0; i < 12; i++) {
            void stream.send({ id: i, data: big });
            queued++;
          }
          stream.close();
        }),
      );
      const { port, close } = await serve(app, kind);
      stops.push(close);
      const { res, events } = await openSse(port, '/burst');
      res.pause();
      await sleep(100);
      res.resume();
      const ids: string[] = [];
      for await (const e of events) {
        expect(e.data).toHaveLength(big.length);
        ids.push(e.id as string);
      }
      expect(queued).toBe(12);
      expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
      expect(res.complete).toBe(true);
    });

    it('a broadcast reaches every stream once, in order, between events meant for one client', async () => {
      const app = new Phial(import.meta.url, { staticFolder: null });
      const bus = new Broadcast();
      app.get('/room/<int:who>', (req) =>
        eventStream(async (stream) => {
          const who = req.viewArgs.who as number;
          const leave = bus.subscribe<string>('room', (m) => {
            void stream.send({ event: 'all', data: m });
            // a personal event right after the shared one: the shared frame must not be reused for it
            void stream.send({ event: 'me', data: `${m} for ${who}` });
          });
          await new Promise<void>((resolve) => stream.onClose(resolve));
          leave();
        }),
      );
      const { port, close } = await serve(app, kind);
      stops.push(close);
      const clients = await Promise.all(Array.from({ length: 40 }, (_, i) => openSse(port, `/room/${i}`)));
      await waitFor(() => bus.subscriberCount('room') === 40, 3000, 'subscribers');
      for (let k = 0; k < 5; k++) await bus.publish('room', `m${k}`);
      for (const [i, c] of clients.entries()) {
        const got: string[] = [];
        for (let k = 0; k < 10; k++) {
          const e = (await c.events.next()).value;
          got.push(`${e?.event}:${e?.data}`);
        }
        expect(got).toEqual(Array.from({ length: 5 }, (_, k) => [`all:m${k}`, `me:m${k} for ${i}`]).flat());
        c.destroy();
      }
      await waitFor(() => bus.subscriberCount('room') === 0, 3000, 'producers stop');
    });
  },
);

describe('eventStream through app.fetch', () => {
  it('streams a ReadableStream body and stops the producer when the reader cancels', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    let stopped = false;
    app.get('/f', () =>
      eventStream(async (s) => {
        s.onClose(() => {
          stopped = true;
        });
        let i = 0;
        while (!s.closed) {
          await s.send({ data: String(i++) });
          await sleep(5);
        }
      }),
    );
    const res = await app.fetch(new Request('http://localhost/f'));
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    async function* chunks() {
      for (;;) {
        const r = await reader.read();
        if (r.done) return;
        yield r.value;
      }
    }
    const events = parseEventStream(chunks());
    expect((await events.next()).value?.data).toBe('0');
    expect((await events.next()).value?.data).toBe('1');
    await reader.cancel();
    await waitFor(() => stopped, 1000, 'producer stop');
  });
});
