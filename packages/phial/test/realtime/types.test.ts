/** Type tests of the realtime API (checked by `npm run typecheck:tests`; the assertions also run). */
import { describe, expectTypeOf, it } from 'vitest';
import {
  Blueprint,
  Broadcast,
  type BroadcastSubscription,
  type BroadcastTransport,
  type ClusterRelayOptions,
  ClusterTransport,
  closeRealtimeConnections,
  clusterRelay,
  type EventStream,
  eventStream,
  Phial,
  type Response,
  type ServerWebSocket,
  type StreamingTestResponse,
  type TestResponse,
  type TestWebSocket,
  type WebSocketMessage,
} from '../../src/index.js';
import type { ReceivedEvent } from '../../src/testing/index.js';

describe('realtime types', () => {
  it('eventStream, the stream and the streamed test response', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.get('/e', () =>
      eventStream(async (stream) => {
        expectTypeOf(stream).toEqualTypeOf<EventStream>();
        expectTypeOf(stream.send).returns.toEqualTypeOf<Promise<boolean>>();
        expectTypeOf(stream.signal).toEqualTypeOf<AbortSignal>();
        expectTypeOf(stream.lastEventId).toEqualTypeOf<string | null>();
        expectTypeOf(stream.whenClosed).returns.toEqualTypeOf<Promise<void>>();
      }),
    );
    expectTypeOf(eventStream([{ data: 1 }])).toEqualTypeOf<Response>();
    const client = app.testClient();
    const streamed = await client.get('/e', { stream: true });
    expectTypeOf(streamed).toEqualTypeOf<StreamingTestResponse>();
    expectTypeOf(streamed.events()).toEqualTypeOf<AsyncGenerator<ReceivedEvent>>();
    await streamed.close();
    const buffered = await client.get('/e');
    expectTypeOf(buffered).toEqualTypeOf<TestResponse>();
  });

  it('WebSocket handlers get typed params and the ws object', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.websocket('/ws/<int:room>/<name>', async (ws, req) => {
      expectTypeOf(ws).toEqualTypeOf<ServerWebSocket>();
      expectTypeOf(req.params.room).toEqualTypeOf<number>();
      expectTypeOf(req.params.name).toEqualTypeOf<string>();
      expectTypeOf(ws.send).returns.toEqualTypeOf<Promise<boolean>>();
      for await (const m of ws) expectTypeOf(m).toEqualTypeOf<WebSocketMessage>();
    });
    const bp = new Blueprint('bp', import.meta.url);
    bp.websocket('/x/<any(a, b):kind>', { maxPayload: 10 }, (_ws, req) => {
      expectTypeOf(req.params.kind).toEqualTypeOf<'a' | 'b'>();
    });
    const ws = await app.testClient().websocket('/ws/1/x');
    expectTypeOf(ws).toEqualTypeOf<TestWebSocket>();
    expectTypeOf(ws.receive).returns.toEqualTypeOf<Promise<WebSocketMessage>>();
    await ws.close();
  });

  it('Broadcast iterators carry the message type', () => {
    const bus = new Broadcast();
    const sub = bus.events<{ n: number }>('t');
    expectTypeOf(sub).toEqualTypeOf<BroadcastSubscription<{ n: number }>>();
    expectTypeOf(bus.subscribe<string>('t', (m) => expectTypeOf(m).toEqualTypeOf<string>())).toEqualTypeOf<
      () => void
    >();
    sub.close();
  });

  it('the cluster transport is a BroadcastTransport; the relay takes typed options and returns its stopper', () => {
    expectTypeOf(new ClusterTransport({ channel: 'chat' })).toMatchTypeOf<BroadcastTransport>();
    expectTypeOf(
      new Broadcast({ transport: new ClusterTransport() }).transport,
    ).toEqualTypeOf<BroadcastTransport>();
    expectTypeOf(clusterRelay).parameter(0).toEqualTypeOf<ClusterRelayOptions | undefined>();
    expectTypeOf(clusterRelay).returns.toEqualTypeOf<() => void>();
    // never called: only the types are checked here (the relay itself is tested in cluster.test.ts)
    const wrong = () =>
      // @ts-expect-error maxPending is a number
      clusterRelay({ maxPending: '10' });
    expectTypeOf(wrong).toBeFunction();
  });

  it('closeRealtimeConnections takes an app and says how many connections it ended', () => {
    expectTypeOf(closeRealtimeConnections).parameters.toEqualTypeOf<[Phial]>();
    expectTypeOf(closeRealtimeConnections).returns.toEqualTypeOf<number>();
    expectTypeOf(closeRealtimeConnections(new Phial(import.meta.url))).toEqualTypeOf<number>();
  });
});
