/**
 * A plaintext server for measuring CPU per request (not a test).
 * `node --import tsx plaintext.mts <h1|node|raw|floor> <port>`; see bench.sh next to it.
 * h1: Phial on its own HTTP/1.1 server; node: Phial on node:http; raw: the HTTP/1.1 server with a
 * dispatch that returns a prebuilt Response (the server's own cost); floor: a bare net server.
 */
import { createServer } from 'node:net';
import { Phial, Response } from '../../../../src/index.js';
import { createHttp1Server } from '../../../../src/server/http1/index.js';
import { createNodeServer } from '../../../../src/server/node.js';

const mode = process.argv[2] ?? 'h1';
const port = Number(process.argv[3] ?? 8081);
const app = new Phial(import.meta.url, { staticFolder: null });
app.get('/plaintext', () => new Response('Hello, World!', { contentType: 'text/plain' }));
process.on('SIGINT', () => process.exit(0));

if (mode === 'floor') {
  const answer =
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nDate: Tue, 24 Nov 2026 09:13:03 GMT\r\n\r\nHello, World!';
  createServer((s) => {
    s.on('data', (d) => {
      let i = d.indexOf('\r\n\r\n');
      while (i !== -1) {
        s.write(answer);
        i = d.indexOf('\r\n\r\n', i + 1);
      }
    });
    s.on('error', () => {});
  }).listen(port, '127.0.0.1');
} else if (mode === 'node') {
  createNodeServer(app).listen(port, '127.0.0.1');
} else {
  if (mode === 'raw') {
    const fixed = () => new Response('Hello, World!', { contentType: 'text/plain' });
    (app as unknown as { _dispatch: typeof fixed })._dispatch = fixed;
  }
  createHttp1Server(app).listen(port, '127.0.0.1');
}
