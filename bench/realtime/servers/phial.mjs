// Phial: SSE fan-out with eventStream + Broadcast, WebSocket echo with app.websocket, on Phial's own server.
// PHIAL_FROM_SOURCE=1 (with `node --import tsx`) loads the sources instead of the built bundle (smoke runs).
// PHIAL_WS_STYLE=events echoes with a message listener (the style the other servers use) instead of `for await`.
import { everyTick, portFromArgs, tickPayload } from './common.mjs';

const phial = process.env.PHIAL_FROM_SOURCE
  ? await import('../../../packages/phial/src/index.ts')
  : await import('phial');
const { Broadcast, Phial, eventStream } = phial;

const app = new Phial(import.meta.url);
const bus = new Broadcast();

app.get('/health', () => 'ok');

app.get('/sse', () =>
  eventStream(
    async (stream) => {
      // a fan-out does not await each client: a slow one is dropped by its stream's highWaterMark
      const leave = bus.subscribe('tick', (data) => void stream.send({ data }));
      await new Promise((resolve) => stream.onClose(resolve));
      leave();
    },
    { heartbeat: 0 },
  ),
);

if (process.env.PHIAL_WS_STYLE === 'events') {
  app.websocket('/echo', (ws) => {
    ws.on('message', (message) => void ws.send(message));
  });
} else {
  // the documented idiom (API.md): iterate, send without awaiting (a client that does not read is dropped by
  // maxBufferedAmount)
  app.websocket('/echo', async (ws) => {
    for await (const message of ws) void ws.send(message);
  });
}

everyTick(() => bus.publish('tick', tickPayload()));
await app.listen(portFromArgs(), '127.0.0.1');
