// The floor: node:http writing SSE frames to a Set of responses, and a bare `ws` WebSocketServer echoing.
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { everyTick, portFromArgs, tickPayload } from './common.mjs';

const clients = new Set();
const server = http.createServer((req, res) => {
  if (req.url === '/sse') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.write(':\n\n');
    clients.add(res);
    res.on('close', () => clients.delete(res));
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('ok');
});
const wss = new WebSocketServer({ server, path: '/echo' });
wss.on('connection', (ws) => {
  ws.on('message', (message, isBinary) => ws.send(message, { binary: isBinary }));
});

everyTick(() => {
  const frame = `data: ${tickPayload()}\n\n`;
  for (const res of clients) res.write(frame);
});
server.listen(portFromArgs(), '127.0.0.1');
