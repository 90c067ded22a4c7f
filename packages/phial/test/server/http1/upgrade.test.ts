/**
 * Protocol switches: with 'upgrade' listeners on the server (what `ws` and socket.io attach), Phial's server
 * hands the socket over like node:http does; without them an Upgrade request is an ordinary request.
 */
import { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { Client, quietApp, type Running, serve, stopAll } from './helpers.js';

const UPGRADE =
  'GET /chat?room=1 HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\nUpgrade: shout\r\n\r\n';

interface Seen {
  req: IncomingMessage;
  head: Buffer;
}

/** An app whose /chat view counts its calls, served with a 'shout' protocol on 'upgrade'. */
async function shoutServer(): Promise<{ running: Running; seen: Seen[]; viewCalls: () => number }> {
  const app = quietApp();
  let calls = 0;
  app.get('/chat', () => {
    calls++;
    return 'plain http';
  });
  app.get('/n', () => 'n');
  const running = await serve(app);
  const seen: Seen[] = [];
  running.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    seen.push({ req, head });
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: shout\r\n\r\n');
    if (head.length > 0) socket.write(head.toString('latin1').toUpperCase());
    socket.on('data', (d: Buffer) => socket.write(d.toString('latin1').toUpperCase()));
    // the socket is the listener's now: node's servers are half-open, so it answers the client's FIN
    socket.on('end', () => socket.end());
    socket.on('error', () => socket.destroy());
  });
  return { running, seen, viewCalls: () => calls };
}

afterEach(stopAll);

describe("the server's 'upgrade' event", () => {
  it('hands the socket, an IncomingMessage and the bytes after the head to the listener', async () => {
    const { running, seen, viewCalls } = await shoutServer();
    const c = await Client.open(running.port);
    c.write(`${UPGRADE}hello`);
    expect(await c.until(() => c.text.includes('HELLO'))).toBe(true);
    expect(c.text.startsWith('HTTP/1.1 101 Switching Protocols\r\n')).toBe(true);
    c.write('again');
    expect(await c.until(() => c.text.endsWith('AGAIN'))).toBe(true);
    expect(seen).toHaveLength(1);
    const { req, head } = seen[0] as Seen;
    expect(req).toBeInstanceOf(IncomingMessage);
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/chat?room=1');
    expect(req.httpVersion).toBe('1.1');
    expect(req.headers.upgrade).toBe('shout');
    expect(req.headers.host).toBe('x');
    expect(req.rawHeaders).toContain('shout');
    expect(head.toString()).toBe('hello');
    expect(viewCalls()).toBe(0);
    c.destroy();
  });

  it('after a keep-alive request on the same connection, the switch still happens', async () => {
    const { running, seen } = await shoutServer();
    const c = await Client.open(running.port);
    c.write(`GET /n HTTP/1.1\r\nHost: x\r\n\r\n${UPGRADE}`);
    expect(await c.until(() => c.text.includes('101 Switching Protocols'))).toBe(true);
    expect(c.text.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    c.write('x');
    expect(await c.until(() => c.text.endsWith('X'))).toBe(true);
    expect(seen).toHaveLength(1);
    c.destroy();
  });

  it('without an Upgrade header (Connection: upgrade alone) the app answers', async () => {
    const { running, seen, viewCalls } = await shoutServer();
    const c = await Client.open(running.port);
    c.write('GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n\r\n');
    const [r] = await c.responses(1);
    expect(r?.body).toBe('plain http');
    expect(seen).toHaveLength(0);
    expect(viewCalls()).toBe(1);
    c.destroy();
  });

  it('with no listener, an Upgrade request is an ordinary request', async () => {
    const app = quietApp();
    app.get('/chat', () => 'plain http');
    const running = await serve(app);
    const c = await Client.open(running.port);
    c.write(UPGRADE);
    const [r] = await c.responses(1);
    expect(r?.status).toBe(200);
    expect(r?.body).toBe('plain http');
    c.destroy();
  });
});

describe('WebSocket through the ws library', () => {
  it('new WebSocketServer({ server }) on the server app.listen returns: echo both ways, HTTP still served', async () => {
    const app = quietApp();
    app.get('/', () => 'http ok');
    const server = await app.listen(0, '127.0.0.1');
    const wss = new WebSocketServer({ server, path: '/ws' });
    wss.on('connection', (ws, req) => {
      ws.on('message', (data) => ws.send(`echo ${String(data)} from ${req.url}`));
    });
    try {
      const port = (server.address() as { port: number }).port;
      const client = new WebSocket(`ws://127.0.0.1:${port}/ws?x=1`);
      const reply = await new Promise<string>((resolve, reject) => {
        client.on('open', () => client.send('hi'));
        client.on('message', (d) => resolve(String(d)));
        client.on('error', reject);
      });
      expect(reply).toBe('echo hi from /ws?x=1');
      client.close();
      const res = await fetch(`http://127.0.0.1:${port}/`);
      expect(await res.text()).toBe('http ok');
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(resolve));
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
