/**
 * Makes Phial's own HTTP/1.1 server visible to monitoring the way node:http is: the diagnostics channels
 * `http.server.request.start`, `http.server.response.created` and `http.server.response.finish` with the
 * messages node publishes (`{ request, response, socket, server }`, an `IncomingMessage` and a
 * `ServerResponse`), and the server's `'request'` event (what `@opentelemetry/instrumentation-http` and
 * APM agents patch). The app runs inside that event, so a span an instrumentation opens there is the
 * active context of the views and hooks.
 *
 * Nothing of this runs while nobody looks: `isObserved` is a few property reads per request, and the node
 * objects are built only for an observed request. The objects describe the request and, once Phial has
 * written it, the response (status, headers); they never write to the socket themselves.
 */
import { channel } from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import { type IncomingMessage, type Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Response } from '../http/response.js';
import { fixedBodyLength, parseContentLength, wireContentLength, wireReason } from '../http/wire.js';
import { nodeIncomingMessage } from './http1/upgrade.js';

const requestStart = channel('http.server.request.start');
const responseCreated = channel('http.server.response.created');
const responseFinish = channel('http.server.response.finish');

/** EventEmitter's prototype: a server whose `emit` is not its `emit` was wrapped by an instrumentation. */
const EMITTER = EventEmitter.prototype;

/** What node publishes on `http.server.request.start` and `http.server.response.finish`. */
export interface ServerMessage {
  request: IncomingMessage;
  response: ServerResponse;
  socket: Socket;
  server: Server;
}

/** The node objects of one observed request. */
export class Observation {
  readonly message: ServerMessage;
  private done = false;

  constructor(message: ServerMessage) {
    this.message = message;
  }

  /** Mirrors the head Phial writes onto the ServerResponse (status, reason, headers). */
  head(res: Response): void {
    const out = this.message.response;
    out.statusCode = res._status;
    out.statusMessage = wireReason(res._status, res._statusText);
    const h = res.headers;
    const seen = new Set<string>();
    for (let i = 0; i < h._keys.length; i++) {
      const key = h._keys[i] as string;
      // framing headers as the wire rules write them (below)
      if (seen.has(key) || key === 'content-length' || key === 'transfer-encoding') continue;
      seen.add(key);
      const all = h.getAll(key);
      try {
        out.setHeader(h._names[i] as string, all.length === 1 ? (all[0] as string) : all);
      } catch {
        // a value node would refuse must not break the response Phial sends
      }
    }
    const length = wireContentLength(
      res._status,
      this.message.request.method ?? 'GET',
      fixedBodyLength(res._body),
      parseContentLength(h.get('content-length')),
    );
    if (length >= 0) out.setHeader('Content-Length', String(length));
  }

  /** The response's last byte went to the socket: 'finish', the finish channel, then 'close' (as node). */
  finish(): void {
    if (this.done) return;
    this.done = true;
    const msg = this.message;
    const out = msg.response;
    (out as { finished: boolean }).finished = true;
    out.emit('prefinish');
    out.emit('finish');
    if (responseFinish.hasSubscribers) responseFinish.publish(msg);
    process.nextTick(emitClose, msg);
  }

  /** The connection went before the response was finished: 'close' only (no 'finish'), as node. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    process.nextTick(emitClose, this.message);
  }
}

function emitClose(msg: ServerMessage): void {
  msg.response.emit('close');
  msg.request.emit('close');
}

/** The server's own 'request' listeners, kept by `watchRequestListeners` (`listenerCount` costs ~20 ns). */
const LISTENERS = Symbol('phial.requestListeners');

interface Watched {
  [LISTENERS]?: number;
}

/** True when something watches the server's requests: a channel subscriber, a 'request' listener or a patched `emit`. */
export function isObserved(server: Server): boolean {
  return (
    requestStart.hasSubscribers ||
    responseFinish.hasSubscribers ||
    responseCreated.hasSubscribers ||
    // read each time: node:domain, once loaded, replaces EventEmitter's own `emit`
    server.emit !== EMITTER.emit ||
    ((server as Watched)[LISTENERS] ?? 0) !== 0
  );
}

/** Keeps count of the server's own 'request' listeners (the one `announce` adds for a call excluded). */
export function watchRequestListeners(server: Server): void {
  const w = server as Server & Watched;
  w[LISTENERS] = 0;
  const others = (): number => {
    let n = 0;
    for (const l of server.listeners('request')) if (l !== runApp) n++;
    return n;
  };
  // 'newListener' fires before the listener is added, 'removeListener' after it is gone
  server.on('newListener', (event: string | symbol, fn: unknown) => {
    if (event === 'request' && fn !== runApp) w[LISTENERS] = others() + 1;
  });
  server.on('removeListener', (event: string | symbol, fn: unknown) => {
    if (event === 'request' && fn !== runApp) w[LISTENERS] = others();
  });
}

/** The request part of an observed request, as node's IncomingMessage (the body is not readable from it). */
export interface RequestHead {
  method: string;
  url: string;
  httpVersion: '1.0' | '1.1';
  headers: Record<string, string | string[] | undefined>;
}

function incomingMessage(socket: Socket, req: RequestHead): IncomingMessage {
  // the body belongs to the app: observers see an ended stream
  return nodeIncomingMessage(socket, req);
}

/** Set while the server's 'request' event runs: the app's dispatch, run by the last listener. */
let pendingRun: (() => void) | null = null;

/** The server's last 'request' listener while an observed request is announced: runs the app. */
function runApp(): void {
  const run = pendingRun;
  pendingRun = null;
  if (run !== null) run();
}

/** The node objects for an observed request (built only when `isObserved`). */
export function observe(server: Server, socket: Socket, req: RequestHead): Observation {
  const request = incomingMessage(socket, req);
  return new Observation({ request, response: new ServerResponse(request), socket, server });
}

/**
 * Announces a request as node:http does (request.start, response.created, the 'request' event) and runs
 * `run` (the app) inside the 'request' event, after the other listeners: an instrumentation that wraps
 * `emit` has its context active in the app.
 */
export function announce(obs: Observation, run: () => void, onError: (e: unknown) => void): void {
  const msg = obs.message;
  const { request, response, server } = msg;
  if (requestStart.hasSubscribers) requestStart.publish(msg);
  if (responseCreated.hasSubscribers) responseCreated.publish({ request, response });
  pendingRun = run;
  server.on('request', runApp);
  try {
    server.emit('request', request, response);
  } catch (e) {
    // a throwing observer: reported, and the request is served all the same
    onError(e);
  } finally {
    server.removeListener('request', runApp);
    // an instrumentation that did not call the listeners: the app runs all the same
    if (pendingRun === run) runApp();
  }
}
