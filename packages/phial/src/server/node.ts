/**
 * The node:http adapter: no Web Request/Response objects; a string or bytes body is written with one
 * `writeHead` + one `end`; streams honour backpressure and stop when the client goes.
 */

import { Buffer } from 'node:buffer';
import type { EventEmitter } from 'node:events';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Phial } from '../app/phial.js';
import { BadRequest, isHTTPException } from '../http/exceptions.js';
import { isPushBody, PUSH, type PushBody, stopPushBody } from '../http/push.js';
import type { BaseRequest, RawRequest } from '../http/request.js';
import { Response, toAsyncIterable } from '../http/response.js';
import {
  fixedBodyLength,
  parseContentLength,
  sendsBody,
  wireContentLength,
  wireReason,
} from '../http/wire.js';
import { fallbackResponse } from './fallback.js';
import { absoluteFormHost } from './http1/parse.js';

export { fallbackResponse } from './fallback.js';

const encoder = new TextEncoder();

/** True when a header value has a character outside ASCII (written as latin1 bytes). */
function hasHighChar(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) > 0x7f) return true;
  return false;
}

/** The reason phrase to give node, or undefined for node's own (same as the wire rules for known codes). */
function reasonFor(response: Response): string | undefined {
  const text = response._statusText;
  if (text !== undefined) return wireReason(response._status, text);
  return STATUS_CODES[response._status] === undefined ? wireReason(response._status, undefined) : undefined;
}

/** An unread body of at most this many bytes is dropped by node and the connection kept; a larger one closes it. */
const SKIP_CAP = 64 * 1024;

/** How long a connection closed under an unread body keeps dropping what the client still sends. */
const LINGER_MS = 2000;

/**
 * Makes node's close after this response a lingering one: node destroys the socket as soon as the answer
 * is flushed, and a client still uploading then gets a reset that can throw the answer away unread. Our
 * side is ended instead, input is dropped, and the socket goes once the client closes or LINGER_MS pass.
 */
function lingerOnClose(socket: Socket | null): void {
  if (socket === null || socket.destroyed) return;
  (socket as Socket & { destroySoon(): void }).destroySoon = function lingeringClose(this: Socket): void {
    if (this.writable) this.end();
    this.resume();
    setTimeout(() => this.destroy(), LINGER_MS).unref();
  };
}

/**
 * True when the request's body did not arrive to its end and the connection must close after the answer:
 * a chunked body, a large one, or one the app started reading and gave up on (413, 408, a broken body).
 * A small body nobody read (a 404, a hook's answer) is dropped by node, and the connection stays usable.
 */
function mustCloseForBody(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const h = req.headers;
  const cl = h['content-length'];
  if (cl === undefined) return h['transfer-encoding'] !== undefined;
  if (cl === '0') return false;
  // the app wanted it and gave up (413, 408), or the client waits for a `100 Continue` that never came
  if (req.readableDidRead || (req as RawRequest).bodyRequested || h.expect !== undefined) return true;
  return !(Number(cl) <= SKIP_CAP);
}

/** Writes a Phial Response to a node ServerResponse; resolves when the body is fully written. */
export function writeResponse(res: ServerResponse, response: Response, app?: Phial): void | Promise<void> {
  if (res.destroyed) {
    response._close();
    return;
  }
  const req = res.req as IncomingMessage | undefined;
  if (req !== undefined && mustCloseForBody(req)) {
    // the body was not read to its end (a 404 with a large body, 413, a client error): what is left of it
    // must not be parsed as the next request, and a client that stalls must not keep the socket
    res.shouldKeepAlive = false;
    lingerOnClose(res.socket);
  }
  const body = response._body;
  const headers = response.headers;
  const keys = headers._keys;
  const names = headers._names;
  const values = headers._values;
  const flat: string[] = [];
  let wide = false;
  let appLength: string | null = null;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    // framing is the server's (http/wire.ts): Content-Length is written below as the wire rules say, and
    // an app's Transfer-Encoding is never sent (with a length it would mis-frame the response)
    if (k === 'content-length') {
      appLength = values[i] as string;
      continue;
    }
    if (k === 'transfer-encoding') continue;
    const v = values[i] as string;
    if (!wide && hasHighChar(v)) wide = true;
    flat.push(names[i] as string, v);
  }
  const status = response._status;
  const method = req?.method ?? 'GET';
  const bodyLength = fixedBodyLength(body);
  const length =
    appLength === null &&
    bodyLength >= 0 &&
    status >= 200 &&
    status !== 204 &&
    status !== 205 &&
    status !== 304
      ? bodyLength
      : wireContentLength(status, method, bodyLength, parseContentLength(appLength));
  if (length >= 0) flat.push('Content-Length', String(length));
  if (bodyLength >= 0) {
    const text = reasonFor(response);
    if (text === undefined) res.writeHead(status, flat);
    else res.writeHead(status, text, flat);
    if (body === null || body === '' || !sendsBody(status, method)) res.end();
    // node writes a string body in one piece with the head, both as UTF-8: header values already in
    // bytes-as-latin1 form would be encoded twice, so such a body goes out as bytes (the head as latin1)
    else if (wide && typeof body === 'string') res.end(Buffer.from(body));
    else res.end(body);
    const p = response._onClose === null ? undefined : response._close();
    return p;
  }
  return writeStream(res, response, flat, app, length);
}

async function writeStream(
  res: ServerResponse,
  response: Response,
  flat: string[],
  app: Phial | undefined,
  length: number,
): Promise<void> {
  const status = response._status;
  const text = reasonFor(response);
  if (text === undefined) res.writeHead(status, flat);
  else res.writeHead(status, text, flat);
  const sends = sendsBody(status, res.req?.method ?? 'GET');
  if (sends && length < 0 && isPushBody(response._body))
    return writePushed(res, response, response._body, app);
  const iterable = toAsyncIterable(response._body as AsyncIterable<Uint8Array | string>);
  const it = iterable[Symbol.asyncIterator]();
  if (!sends) {
    // no body may be sent: do not produce one (a file stream is closed right away)
    try {
      await it.return?.();
    } finally {
      res.end();
      await response._close();
    }
    return;
  }
  let gone = false;
  const onClose = () => {
    gone = true;
  };
  res.once('close', onClose);
  try {
    for (;;) {
      if (gone || res.destroyed) {
        await it.return?.();
        break;
      }
      const { done, value } = await it.next();
      if (done) break;
      if (gone || res.destroyed) {
        await it.return?.();
        break;
      }
      let chunk = typeof value === 'string' ? encoder.encode(value) : value;
      if (chunk.byteLength === 0) continue;
      if (length >= 0) {
        // a declared length is what the client reads: never more (http/wire.ts)
        if (chunk.byteLength >= length) {
          let over = chunk.byteLength > length;
          if (over) chunk = chunk.subarray(0, length);
          if (length > 0) res.write(chunk);
          if (!over) over = !(await it.next()).done;
          if (over) {
            await it.return?.();
            app?.logger.error(
              'A streamed response produced more bytes than its Content-Length: the rest was not sent.',
            );
          }
          length = 0;
          break;
        }
        length -= chunk.byteLength;
      }
      if (!res.write(chunk)) await drainOrClose(res);
    }
    if (length > 0 && !gone && !res.destroyed) {
      throw new Error('A streamed response ended before its Content-Length.');
    }
    if (!res.destroyed) res.end();
  } catch (e) {
    app?.logger.error('Error while streaming the response', e);
    cutResponse(res);
  } finally {
    res.off('close', onClose);
    await response._close();
  }
}

/**
 * A pushed body (server-sent events): each chunk goes to `res.write` as the producer sends it, with no
 * promise per chunk; the response ends when the body calls `end()` (the producer finished, or the client
 * left: the request's signal stops it, and so does a write after the response closed).
 */
function writePushed(
  res: ServerResponse,
  response: Response,
  body: PushBody,
  app: Phial | undefined,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let ended = false;
    const sink = {
      write(chunk: Uint8Array): boolean {
        if (ended) return true;
        if (res.destroyed) {
          stopPushBody(body);
          return true;
        }
        return chunk.byteLength === 0 || res.write(chunk);
      },
      drained: () => (res.destroyed ? Promise.resolve() : drainOrClose(res)),
      end(): void {
        if (ended) return;
        ended = true;
        if (!res.destroyed) res.end();
        closeThen(response, resolve);
      },
    };
    try {
      body[PUSH](sink);
    } catch (e) {
      app?.logger.error('Error while streaming the response', e);
      ended = true;
      cutResponse(res);
      closeThen(response, resolve);
    }
  });
}

/** Resolves on the writable's next `drain`, or when it closes (a gone client never drains). */
export function drainOrClose(w: EventEmitter): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      w.off('drain', done);
      w.off('close', done);
      resolve();
    };
    w.on('drain', done);
    w.on('close', done);
  });
}

/** Runs the response's close callbacks, then `done`. */
function closeThen(response: Response, done: () => void): void {
  const p = response._close();
  if (p === undefined) done();
  else p.then(done, done);
}

/** How long a cut response may take to flush what was produced before the socket is destroyed. */
const CUT_FLUSH_MS = 5000;

/**
 * Ends a response whose body failed: the head and the chunks already produced reach the client, then the
 * connection is cut, with no terminating chunk (the response must not look complete). Destroying at once
 * would lose them: node corks the socket while a chunked response is written, and a response queued
 * behind a pipelined one has no socket yet.
 */
function cutResponse(res: ServerResponse): void {
  const socket = res.socket;
  if (socket === null || socket === undefined) {
    if (res.destroyed) return;
    // queued behind another response: its bytes are flushed right after the socket is assigned
    res.once('socket', () => process.nextTick(cutResponse, res));
    return;
  }
  if (socket.destroyed) return;
  if (!(res as { _headerSent?: boolean })._headerSent) res.flushHeaders();
  while (socket.writableCorked > 0) socket.uncork();
  if (socket.writableLength === 0) {
    socket.destroy();
    return;
  }
  // bytes still queued: end (a FIN, never a terminating chunk), destroy once flushed or after a while
  const timer = setTimeout(() => socket.destroy(), CUT_FLUSH_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.destroySoon();
}

function writeFatal(app: Phial, res: ServerResponse, e: unknown): void {
  // Reached only when the error was propagated (TESTING/DEBUG) or the error path itself failed: log once.
  if (!isHTTPException(e)) app.logger.error('Exception while handling a request', e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  try {
    const r = writeResponse(res, fallbackResponse(app, e), app);
    if (r) r.catch(() => res.destroy());
  } catch {
    res.destroy();
  }
}

/** Aborts the request's signal when the client goes before the response is finished. */
function attachNodeAbort(ac: AbortController, data: unknown): void {
  const res = data as ServerResponse;
  if (res.writableFinished) return;
  res.once('close', () => {
    if (!res.writableFinished) ac.abort(new Error('The client closed the connection.'));
  });
}

/** Connects the Request to the node objects (no closure per request). */
function nodeSetup(req: BaseRequest, res: ServerResponse): void {
  req._attachAbort = attachNodeAbort;
  req._adapterData = res;
}

/** A node:http request listener for the app. */
export function createNodeHandler(app: Phial): (req: IncomingMessage, res: ServerResponse) => void {
  return function phialHandler(req: IncomingMessage, res: ServerResponse): void {
    if (duplicateHost(req.rawHeaders)) {
      refuseRequest(app, res);
      return;
    }
    const url = req.url;
    if (url !== undefined && url.charCodeAt(0) !== 47 /* / */) {
      // absolute-form: the target's authority is the host (RFC 9112 §3.2.2); node's parser ignores it
      const host = absoluteFormHost(url);
      if (host !== null) req.headers.host = host;
    }
    if (req.headers.upgrade !== undefined && UPGRADE_TOKEN.test(req.headers.connection ?? '')) {
      // a switch no 'upgrade' listener took: node parses nothing more from this connection, so it must
      // not stay open either (what follows may be in the other protocol)
      res.shouldKeepAlive = false;
    }
    let out: Response | Promise<Response>;
    try {
      out = app.wsgiApp(req, nodeSetup, res);
    } catch (e) {
      writeFatal(app, res, e);
      return;
    }
    if (out instanceof Response) {
      safeWrite(app, res, out);
      return;
    }
    out.then(
      (r) => safeWrite(app, res, r),
      (e) => writeFatal(app, res, e),
    );
  };
}

const UPGRADE_TOKEN = /(?:^|,)\s*upgrade\s*(?:,|$)/i;

/** True when the head has more than one Host line (node keeps the first and says nothing). */
function duplicateHost(raw: string[]): boolean {
  let seen = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 4 && (name === 'Host' || name === 'host' || name.toLowerCase() === 'host')) {
      if (seen) return true;
      seen = true;
    }
  }
  return false;
}

/** A 400 for a request the app must not see; the connection closes after it. */
function refuseRequest(app: Phial, res: ServerResponse): void {
  res.shouldKeepAlive = false;
  const response = new BadRequest('The request has more than one Host header.').getResponse();
  response.headers.set('Connection', 'close');
  safeWrite(app, res, response);
}

/** Writes a response; anything that fails while writing becomes the fallback 500 (never an uncaught error). */
function safeWrite(app: Phial, res: ServerResponse, response: Response): void {
  try {
    const p = writeResponse(res, response, app);
    if (p !== undefined) p.catch((e) => writeFatal(app, res, e));
  } catch (e) {
    writeFatal(app, res, e);
  }
}

/** Maps node's parser errors to a status line. */
function clientErrorStatus(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return '431 Request Header Fields Too Large';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return '408 Request Timeout';
    case 'HPE_URI_TOO_LONG':
      return '414 URI Too Long';
    default:
      return '400 Bad Request';
  }
}

/**
 * Wires a server: the app's handler, `Expect: 100-continue` (`100 Continue` only once the app reads the
 * body: a 404 or a 413 on the declared length never gets it), and malformed requests (a 4xx, the process keeps serving).
 */
export function configureServer(app: Phial, server: Server, handler = app.handler): Server {
  server.on('request', handler);
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    // `100 Continue` goes out when the app starts reading the body (Request.loadBody calls startBody): a
    // request answered without it (404, 413 on the declared length, a hook's answer) never gets it, and
    // the connection closes after the answer (the body may still come)
    (req as IncomingMessage & RawRequest).startBody = () => {
      if (!res.headersSent && !res.writableEnded) res.writeContinue();
    };
    handler(req, res);
  });
  server.on('clientError', onClientError);
  return server;
}

/** Marks a socket whose client error is being answered (node reports one for every later chunk too). */
const kClientError = Symbol('phial.clientError');

type ErrorSocket = Socket & { [kClientError]?: true; _httpMessage?: ServerResponse | null };

/**
 * A request node's parser refused (malformed, too large, too slow): a short 4xx, then the connection
 * closes. Responses of earlier pipelined requests go out first, whole and in order: the answer is never
 * written into a response in progress, and no answered request loses its response.
 */
function onClientError(err: NodeJS.ErrnoException, socket: ErrorSocket): void {
  if (socket[kClientError]) return;
  socket[kClientError] = true;
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = clientErrorStatus(err);
  const body = `${status}\n`;
  const answer = `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  afterResponses(socket, answer);
}

/** Writes `answer`, then closes, once no response is in progress on the socket (or cuts the connection). */
function afterResponses(socket: ErrorSocket, answer: string): void {
  if (socket.destroyed) return;
  const res = socket._httpMessage;
  if (res === null || res === undefined) {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.write(answer, 'latin1');
    socket.destroySoon();
    return;
  }
  const req = res.req as IncomingMessage | undefined;
  if (req !== undefined && !req.complete) {
    // the error is in this request's body, which its view may wait for: answer now if its response has
    // not started (the view then sees the client gone), else cut the connection
    if ((res as { _headerSent?: boolean })._headerSent) socket.destroy();
    else {
      socket.write(answer, 'latin1');
      socket.destroySoon();
    }
    return;
  }
  let waiting = true;
  const next = () => {
    if (!waiting) return;
    waiting = false;
    res.off('finish', next);
    res.off('close', next);
    // node hands the socket to the next queued response in its own 'finish' listener (added first)
    afterResponses(socket, answer);
  };
  res.on('finish', next);
  res.on('close', next);
}

/** Creates a node:http server for the app (not listening yet). */
export function createNodeServer(app: Phial, handler = app.handler): Server {
  return configureServer(app, createServer(), handler);
}
