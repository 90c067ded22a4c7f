/** Broadcast: topics, listeners, bounded iterators, WebSocket and SSE fan-out, and a swapped transport. */
import { describe, expect, it } from 'vitest';
import { Broadcast, type BroadcastTransport, eventStream, MemoryTransport, Phial } from '../../src/index.js';
import { waitFor } from './helpers.js';

describe('Broadcast', () => {
  it('delivers by topic and unsubscribes (the transport follows the first and last subscriber)', async () => {
    const calls: string[] = [];
    class Spy extends MemoryTransport {
      override subscribe(topic: string, deliver: (m: unknown) => void) {
        calls.push(`sub ${topic}`);
        super.subscribe(topic, deliver);
      }
      override unsubscribe(topic: string) {
        calls.push(`unsub ${topic}`);
        super.unsubscribe(topic);
      }
    }
    const bus = new Broadcast({ transport: new Spy() });
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = bus.subscribe('room1', (m) => a.push(m));
    const offB = bus.subscribe('room1', (m) => b.push(m));
    bus.subscribe('room2', () => {
      throw new Error('room2 listener fails');
    });
    await bus.publish('room1', { n: 1 });
    await bus.publish('room3', 'nobody');
    offA();
    await bus.publish('room1', { n: 2 });
    expect(a).toEqual([{ n: 1 }]);
    expect(b).toEqual([{ n: 1 }, { n: 2 }]);
    expect(bus.subscriberCount('room1')).toBe(1);
    offB();
    offB();
    expect(calls).toEqual(['sub room1', 'sub room2', 'unsub room1']);
  });

  it('events() iterates, ends on abort, and cuts off a consumer that lags past maxQueued', async () => {
    const bus = new Broadcast();
    const ac = new AbortController();
    const sub = bus.events<number>('t', { signal: ac.signal });
    await bus.publish('t', 1);
    await bus.publish('t', 2);
    expect((await sub.next()).value).toBe(1);
    expect((await sub.next()).value).toBe(2);
    const pending = sub.next();
    ac.abort();
    expect((await pending).done).toBe(true);
    expect(bus.subscriberCount('t')).toBe(0);

    const lagging = bus.events<number>('t', { maxQueued: 3 });
    for (let i = 0; i < 10; i++) await bus.publish('t', i);
    expect(lagging.overflowed).toBe(true);
    const got: number[] = [];
    for await (const n of lagging) got.push(n);
    expect(got).toEqual([0, 1, 2]);
    expect(bus.subscriberCount('t')).toBe(0);
  });

  it('fans out to WebSocket and SSE clients of an app', async () => {
    const bus = new Broadcast();
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.websocket('/ws/<room>', async (ws, req) => {
      bus.join(ws, `room:${req.params.room}`);
      for await (const m of ws) await bus.publish(`room:${req.params.room}`, { text: m });
    });
    app.get('/sse/<room>', (req) =>
      eventStream(async (s) => {
        for await (const m of bus.events(`room:${req.params.room}`, { signal: s.signal })) {
          await s.send({ event: 'chat', data: m });
        }
      }),
    );
    const client = app.testClient();
    const alice = await client.websocket('/ws/blue');
    const bob = await client.websocket('/ws/blue');
    const other = await client.websocket('/ws/red');
    const feed = await client.get('/sse/blue', { stream: true });
    const events = feed.events();
    const first = events.next(); // starts the producer (subscribes)
    await waitFor(() => bus.subscriberCount('room:blue') === 3, 1000, 'subscribers');
    alice.send('hello blue');
    expect(await alice.receiveJson()).toEqual({ text: 'hello blue' });
    expect(await bob.receiveJson()).toEqual({ text: 'hello blue' });
    expect((await first).value).toMatchObject({ event: 'chat', data: '{"text":"hello blue"}' });
    await expect(other.receive(100)).rejects.toThrow(/No WebSocket message/);
    await feed.close();
    await bob.close();
    await waitFor(() => bus.subscriberCount('room:blue') === 1, 1000, 'unsubscribe on close');
  });

  it('a shared-bus transport (as Redis would be) reaches subscribers of another Broadcast (process)', async () => {
    // stands in for a pub/sub server: every "process" registers its deliver function per topic
    const bus = new Map<string, Set<(m: unknown) => void>>();
    class SharedBusTransport implements BroadcastTransport {
      private mine = new Map<string, (m: unknown) => void>();
      async publish(topic: string, message: unknown) {
        const wire = JSON.stringify(message); // what crosses the network
        for (const deliver of bus.get(topic) ?? []) deliver(JSON.parse(wire));
      }
      subscribe(topic: string, deliver: (m: unknown) => void) {
        this.mine.set(topic, deliver);
        if (!bus.has(topic)) bus.set(topic, new Set());
        bus.get(topic)?.add(deliver);
      }
      unsubscribe(topic: string) {
        const d = this.mine.get(topic);
        if (d) bus.get(topic)?.delete(d);
        this.mine.delete(topic);
      }
    }
    const p1 = new Broadcast({ transport: new SharedBusTransport() });
    const p2 = new Broadcast({ transport: new SharedBusTransport() });
    const seen: unknown[] = [];
    p2.subscribe('alerts', (m) => seen.push(m));
    p1.subscribe('alerts', (m) => seen.push(['p1', m]));
    await p1.publish('alerts', { level: 'high' });
    expect(seen).toEqual([{ level: 'high' }, ['p1', { level: 'high' }]]);
    await p2.close();
    await p1.publish('alerts', 'again');
    expect(seen).toHaveLength(3);
  });
});
