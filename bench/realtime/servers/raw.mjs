// The floor: node:http writing SSE frames to a Set of responses, and a bare `ws` WebSocketServer echoing.
// RAW_CONTEXT=1 (the `raw-als` row) runs each connection inside an AsyncLocalStorage store, as any server that
// gives its handlers a request context must: the control that shows what the context itself costs.
// RAW_STYLE=iterate (the `raw-iterate` row) echoes with `for await` over a minimal async iterator of ws's
// messages (text as strings, like Phial's), no context: the control that shows what the idiom itself costs.
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
const listen = (ws) => ws.on('message', (message, isBinary) => ws.send(message, { binary: isBinary }));

/** The smallest async iterator over a socket's messages: a queue, and the pending `next()`'s resolver. */
function messages(ws) {
  const queue = [];
  let waiting = null;
  let closed = false;
  ws.on('message', (data, isBinary) => {
    const value = isBinary ? data : data.toString();
    if (waiting === null) queue.push(value);
    else {
      const resolve = waiting;
      waiting = null;
      resolve({ done: false, value });
    }
  });
  ws.on('close', () => {
    closed = true;
    waiting?.({ done: true, value: undefined });
  });
  const it = {
    [Symbol.asyncIterator]: () => it,
    next() {
      if (queue.length > 0) return Promise.resolve({ done: false, value: queue.shift() });
      if (closed) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
  };
  return it;
}

async function iterate(ws) {
  for await (const message of messages(ws)) ws.send(message);
}

const echo = process.env.RAW_STYLE === 'iterate' ? iterate : listen;
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
