// The floor: node:http writing SSE frames to a Set of responses, and a bare `ws` WebSocketServer echoing.
// RAW_CONTEXT=1 (the `raw-als` row) runs each connection inside an AsyncLocalStorage store, as any server that
// gives its handlers a request context must: the control that shows what the context itself costs.
import { AsyncLocalStorage } from 'node:async_hooks';
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
const echo = (ws) => ws.on('message', (message, isBinary) => ws.send(message, { binary: isBinary }));
const context = process.env.RAW_CONTEXT ? new AsyncLocalStorage() : null;
wss.on('connection', (ws, req) => {
  if (context === null) echo(ws);
  else context.run({ url: req.url }, echo, ws);
});

everyTick(() => {
  const frame = `data: ${tickPayload()}\n\n`;
  for (const res of clients) res.write(frame);
});
server.listen(portFromArgs(), '127.0.0.1');
