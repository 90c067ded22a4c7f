/** The request of a protocol switch, as node:http's 'upgrade' listeners (ws, socket.io) expect it. */
import { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** What node's IncomingMessage is built from: a parsed request head. */
export interface NodeRequestHead {
  method: string;
  url: string;
  httpVersion: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The upgrade request as node's 'upgrade' listeners expect it. */
export function upgradeMessage(socket: Socket, req: NodeRequestHead): IncomingMessage {
  const msg = nodeIncomingMessage(socket, req);
  (msg as { upgrade?: boolean }).upgrade = true;
  return msg;
}

/**
 * A request head as node's `IncomingMessage` (headers, raw headers, version), with an ended body stream: for
 * code written against node:http that only reads the head (upgrade listeners, diagnostics subscribers).
 */
export function nodeIncomingMessage(socket: Socket, req: NodeRequestHead): IncomingMessage {
  const msg = new IncomingMessage(socket);
  msg.method = req.method;
  msg.url = req.url;
  msg.httpVersion = req.httpVersion;
  msg.httpVersionMajor = 1;
  msg.httpVersionMinor = req.httpVersion === '1.0' ? 0 : 1;
  const headers: Record<string, string | string[]> = {};
  const raw: string[] = [];
  for (const name of Object.keys(req.headers)) {
    const v = req.headers[name];
    if (v === undefined) continue;
    headers[name] = v;
    for (const one of typeof v === 'string' ? [v] : v) raw.push(name, one);
  }
  msg.headers = headers;
  msg.rawHeaders = raw;
  msg.complete = true;
  msg.push(null);
  return msg;
}
