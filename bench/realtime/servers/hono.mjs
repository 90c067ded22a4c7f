// Hono 4 on @hono/node-server 2 (which has WebSocket support built in, over `ws`; @hono/node-ws is for 1.x):
// SSE with hono/streaming's streamSSE, WebSocket echo with upgradeWebSocket.
import { serve, upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { WebSocketServer } from 'ws';
import { everyTick, portFromArgs, tickPayload } from './common.mjs';

const app = new Hono();
const clients = new Set();

app.get('/health', (c) => c.text('ok'));

app.get('/sse', (c) =>
  streamSSE(c, async (stream) => {
    clients.add(stream);
    await new Promise((resolve) => stream.onAbort(resolve));
    clients.delete(stream);
  }),
);

app.get(
  '/echo',
  upgradeWebSocket(() => ({
    onMessage(event, ws) {
      ws.send(event.data);
    },
  })),
);

everyTick(() => {
  const data = tickPayload();
  for (const stream of clients) void stream.writeSSE({ data });
});
const wss = new WebSocketServer({ noServer: true });
serve({ fetch: app.fetch, port: portFromArgs(), hostname: '127.0.0.1', websocket: { server: wss } });
