// Fastify 5: SSE written by hand on the raw response (no SSE plugin in the core), WebSocket echo with
// @fastify/websocket.
import fastifyWebsocket from '@fastify/websocket';
import Fastify from 'fastify';
import { everyTick, portFromArgs, tickPayload } from './common.mjs';

const fastify = Fastify({ logger: false });
await fastify.register(fastifyWebsocket);
const clients = new Set();

fastify.get('/health', async () => 'ok');

fastify.get('/sse', (req, reply) => {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  res.write(':\n\n');
  clients.add(res);
  req.raw.on('close', () => clients.delete(res));
});

fastify.get('/echo', { websocket: true }, (socket) => {
  socket.on('message', (message, isBinary) => socket.send(message, { binary: isBinary }));
});

everyTick(() => {
  const frame = `data: ${tickPayload()}\n\n`;
  for (const res of clients) res.write(frame);
});
await fastify.listen({ port: portFromArgs(), host: '127.0.0.1' });
