/**
 * Which HTTP server an app runs on: Phial's own HTTP/1.1 server (the default: node:http's stream objects
 * cost about a third of a small request's CPU) or node:http with `app.handler` (for code that needs
 * node's `request`/`upgrade` events, or to compare). `PHIAL_SERVER=node` switches the default.
 */

import { Buffer } from 'node:buffer';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Phial } from '../app/phial.js';
import { closeRealtimeConnections } from '../realtime/live.js';
import { onUpgradeAnswered } from '../realtime/websocket/answered.js';
import { hasWebSocketRoutes } from '../realtime/websocket/route.js';
import { accessEntry } from './access-log.js';
import { type AccessEntry, createHttp1Server } from './http1/index.js';
import { configureServer } from './node.js';

/** The two servers `app.listen` can start. */
export type ServerKind = 'phial' | 'node';

/** Options of `app.listen`. */
export interface ListenOptions {
  /** `'phial'` (default; `PHIAL_SERVER=node` changes it) or `'node'` (node:http with `app.handler`). */
  server?: ServerKind;
  /** Called once per finished response (access logs). */
  onResponse?: (entry: AccessEntry) => void;
  /** Serve HTTPS with these node:https options (`{ cert, key }`). */
  tls?: HttpsServerOptions;
}

/** The server kind to use when the caller did not say: `PHIAL_SERVER` or Phial's own. */
function defaultServerKind(): ServerKind {
  return process.env.PHIAL_SERVER === 'node' ? 'node' : 'phial';
}

function httpVersionOf(req: IncomingMessage): '1.0' | '1.1' {
  return req.httpVersion === '1.0' ? '1.0' : '1.1';
}

/** `app.handler` with an `onResponse` call when each response finishes. */
function loggingHandler(
  app: Phial,
  onResponse: (entry: AccessEntry) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const base = app.handler;
  return (req, res) => {
    const startedAt = performance.now();
    const socket = req.socket;
    // a pipelined response waits for the ones before it: its bytes start when node gives it the socket
    let bytesBefore = socket?.bytesWritten ?? 0;
    if (res.socket === null) res.once('socket', () => (bytesBefore = socket?.bytesWritten ?? 0));
    // before node's own 'finish' listener, which hands the socket to the next pipelined response
    res.prependOnceListener('finish', () => {
      const head = (res as { _header?: string | null })._header;
      onResponse(
        accessEntry(app, req, socket?.remoteAddress, {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          status: res.statusCode,
          httpVersion: httpVersionOf(req),
          ...(socket ? { bytesSent: socket.bytesWritten - bytesBefore } : {}),
          ...(typeof head === 'string' ? { headBytes: Buffer.byteLength(head, 'latin1') } : {}),
          durationMs: performance.now() - startedAt,
        }),
      );
    });
    base(req, res);
  };
}

/** `app.handleUpgrade` with an `onResponse` call once the handshake is answered (101, or a refusal's status). */
function loggingUpgrade(
  app: Phial,
  onResponse: (entry: AccessEntry) => void,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    const startedAt = performance.now();
    const bytesBefore = (socket as Socket).bytesWritten ?? 0;
    onUpgradeAnswered(req, (status) =>
      onResponse(
        accessEntry(app, req, (socket as Socket).remoteAddress, {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          status,
          httpVersion: httpVersionOf(req),
          bytesSent: ((socket as Socket).bytesWritten ?? 0) - bytesBefore,
          durationMs: performance.now() - startedAt,
        }),
      ),
    );
    app.handleUpgrade(req, socket, head);
  };
}

/** Creates the app's server (not listening yet). */
export function createAppServer(app: Phial, options: ListenOptions = {}): Server {
  const server = createBareServer(app, options);
  // WebSocket routes take upgrades; an app without them leaves the 'upgrade' event alone
  if (hasWebSocketRoutes(app))
    server.on('upgrade', options.onResponse ? loggingUpgrade(app, options.onResponse) : app.handleUpgrade);
  // open event streams and WebSockets never finish by themselves: closing the server ends them (live.ts)
  const close = server.close;
  const lingering = (options.server ?? defaultServerKind()) === 'node';
  server.close = function closeWithRealtime(this: Server, callback?: (err?: Error) => void): Server {
    close.call(this, callback);
    closeRealtimeConnections(app);
    if (lingering) {
      // node:http closes the connections idle at close() only; a stream that just ended leaves its
      // keep-alive connection open until keepAliveTimeout: close them as they go idle, as Phial's server does
      const tick = setInterval(() => this.closeIdleConnections(), 100);
      tick.unref();
      this.once('close', () => clearInterval(tick));
    }
    return this;
  };
  return server;
}

function createBareServer(app: Phial, options: ListenOptions): Server {
  const kind = options.server ?? defaultServerKind();
  if (kind === 'phial') {
    return createHttp1Server(app, {
      ...(options.onResponse ? { onResponse: options.onResponse } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
    });
  }
  if (kind !== 'node') throw new TypeError(`Unknown server '${String(kind)}': use 'phial' or 'node'.`);
  const handler = options.onResponse ? loggingHandler(app, options.onResponse) : app.handler;
  const server = options.tls ? (createHttpsServer(options.tls) as unknown as Server) : createServer();
  return configureServer(app, server, handler);
}

/** Listens on `host:port` (port 0 picks a free one); resolves once listening. */
export function listenApp(
  app: Phial,
  port = 0,
  host = '127.0.0.1',
  options: ListenOptions = {},
): Promise<Server> {
  const server = createAppServer(app, options);
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server);
    });
  });
}
