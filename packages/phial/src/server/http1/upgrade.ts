/** The request of a protocol switch, as node:http's 'upgrade' listeners (ws, socket.io) expect it. */
import { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Http1Request } from './request.js';

/** The request of an upgrade as node's 'upgrade' listeners expect it. */
export function upgradeMessage(socket: Socket, req: Http1Request): IncomingMessage {
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
  (msg as { upgrade?: boolean }).upgrade = true;
  msg.push(null);
  return msg;
}
