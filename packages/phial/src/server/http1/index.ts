/**
 * Phial's own HTTP/1.1 server: a real `node:http` Server object (listen, close, address and the timeout
 * properties keep their meaning) whose connections are parsed by Phial instead of node's
 * IncomingMessage/ServerResponse machinery, which costs several microseconds per request.
 */
import { Server } from 'node:http';
import { Server as HttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Phial } from '../../app/phial.js';
import { watchRequestListeners } from '../diagnostics.js';
import { Connection } from './connection.js';
import { type AccessEntry, ServerState } from './state.js';

export type { AccessEntry } from './state.js';

/** Options of `createHttp1Server`. */
export interface Http1ServerOptions {
  /** Called once per finished response (access logs). */
  onResponse?: (entry: AccessEntry) => void;
  /**
   * Serve HTTPS: node:https options (`cert`, `key`, ...). The server is then an `https.Server` (typed as the
   * `http.Server` it behaves like) and requests see `req.scheme === 'https'`.
   */
  tls?: HttpsServerOptions;
}

/** An `http.Server` (instanceof, listen/close/address/timeouts as usual) whose connections Phial parses itself. */
export function createHttp1Server(app: Phial, options: Http1ServerOptions = {}): Server {
  // node's own HTTP parser is attached to 'connection' (plain) or 'secureConnection' (TLS): replace it
  const tls = options.tls !== undefined;
  const server = options.tls ? (new HttpsServer(options.tls) as unknown as Server) : new Server();
  const event = tls ? 'secureConnection' : 'connection';
  server.removeAllListeners(event);
  const st = new ServerState(app, server, options.onResponse ?? null);
  server.on(event, (socket: Socket) => {
    new Connection(st, socket);
  });
  watchRequestListeners(server);
  server.on('listening', () => {
    st.closing = false;
    st.startSweep();
  });
  server.on('close', () => st.stopSweep());
  server.closeIdleConnections = function closeIdleConnections(): void {
    for (const c of st.conns) if (c.isIdle()) c.destroy();
  };
  server.closeAllConnections = function closeAllConnections(): void {
    for (const c of st.conns) c.destroy();
  };
  const close = server.close;
  server.close = function closeServer(this: Server, callback?: (err?: Error) => void): Server {
    st.closing = true;
    return close.call(this, callback);
  };
  return server;
}
