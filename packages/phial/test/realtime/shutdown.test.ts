/**
 * Closing a server made by `app.listen()` ends the app's open event streams (cleanly: the browser
 * reconnects) and closes its WebSockets with 1001, so that a graceful shutdown is not held until its
 * timeout by connections that never finish by themselves. Real sockets, both servers.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { closeRealtimeConnections, eventStream, Phial } from '../../src/index.js';
import { type Kind, openSse, sleep, waitFor } from './helpers.js';

function makeApp() {
  const app = new Phial(import.meta.url, { staticFolder: null });
  const state = { producerStopped: false, handlerEnded: false };
  app.get('/events', () =>
    eventStream(
      async (stream) => {
        while (!stream.closed) {
          await stream.send({ data: 'tick' });
          await sleep(20);
        }
        state.producerStopped = true;
      },
      { heartbeat: 0 },
    ),
  );
  app.websocket('/ws', async (ws) => {
    for await (const m of ws) void ws.send(m);
    state.handlerEnded = true;
  });
  return { app, state };
}

function connectWs(port: number): Promise<{ ws: WebSocket; closed: Promise<[number, string]> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const closed = new Promise<[number, string]>((r) =>
      ws.on('close', (code, reason) => r([code, String(reason)])),
    );
    ws.on('open', () => resolve({ ws, closed }));
    ws.on('error', reject);
  });
}

describe.each(['phial', 'node'] as Kind[])('closing a %s server from app.listen()', (kind) => {
  it('ends open event streams cleanly and closes WebSockets with 1001, so close() completes at once', async () => {
    const { app, state } = makeApp();
    const server: Server = await app.listen(0, '127.0.0.1', { server: kind });
    const port = (server.address() as AddressInfo).port;
    const sse = await openSse(port, '/events');
    expect((await sse.events.next()).value?.data).toBe('tick');
    // read to the end: a response cut without its last chunk makes this iteration throw
    let ended = false;
    const rest = (async () => {
      for await (const _ of sse.events) {
        // ticks until the server ends the stream
      }
      ended = true;
    })();
    const { ws, closed } = await connectWs(port);
    ws.send('hi');
    await new Promise((r) => ws.once('message', r));

    const started = Date.now();
    const serverClosed = new Promise<void>((r) => server.close(() => r()));
    expect(await closed).toEqual([1001, 'Server shutting down']);
    await rest;
    expect(ended).toBe(true);
    await serverClosed;
    // without this the server would wait for both connections forever (node:http) or until a timeout
    expect(Date.now() - started).toBeLessThan(2000);
    await waitFor(
      () => state.producerStopped && state.handlerEnded,
      2000,
      'the producer and the handler to end',
    );
  });
});

describe('closeRealtimeConnections', () => {
  it('is there for servers made around app.handler: it counts what it ended, and a second call finds nothing', async () => {
    const { app, state } = makeApp();
    const server = await app.listen(0, '127.0.0.1', { server: 'node' });
    const port = (server.address() as AddressInfo).port;
    const sse = await openSse(port, '/events');
    await sse.events.next();
    const { closed } = await connectWs(port);
    expect(closeRealtimeConnections(app)).toBe(2);
    expect(closeRealtimeConnections(app)).toBe(0);
    expect((await closed)[0]).toBe(1001);
    await waitFor(() => state.producerStopped, 2000, 'the producer to stop');
    sse.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
});
