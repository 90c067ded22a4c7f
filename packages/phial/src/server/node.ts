/**
 * The node:http adapter: no Web Request/Response objects; a string or bytes body is written with one
 * `writeHead` + one `end`; streams honour backpressure and stop when the client goes.
 */
import { Buffer } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Phial } from '../app/phial.js';
import { isHTTPException } from '../http/exceptions.js';
import type { Request } from '../http/request.js';
import { Response, toAsyncIterable } from '../http/response.js';
import { safeHeaderValue } from '../http/security.js';

const encoder = new TextEncoder();

function hasHeader(h: Response['headers'], lower: string): boolean {
  const keys = h._keys;
  for (let i = 0; i < keys.length; i++) if (keys[i] === lower) return true;
  return false;
}

/** True when a header value has a character outside ASCII (written as latin1 bytes). */
function hasHighChar(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) > 0x7f) return true;
  return false;
}

/** True when the request announced a body (its end has not been seen yet). */
function bodyPending(req: IncomingMessage): boolean {
  const h = req.headers;
  const cl = h['content-length'];
  if (cl !== undefined) return cl !== '0';
  return h['transfer-encoding'] !== undefined;
}

/** Writes a Phial Response to a node ServerResponse; resolves when the body is fully written. */
export function writeResponse(res: ServerResponse, response: Response, app?: Phial): void | Promise<void> {
  if (res.destroyed) {
    response._close();
    return;
  }
  const req = res.req as IncomingMessage | undefined;
  if (req !== undefined && req.complete === false && bodyPending(req)) {
    // the body was not read to its end (413, a client error): what is left of it must not be parsed as
    // the next request, and a client that stalls must not keep the socket: `Connection: close`
    res.shouldKeepAlive = false;
  }
  const body = response._body;
  const headers = response.headers;
  const keys = headers._keys;
  const names = headers._names;
  const values = headers._values;
  const fixed = typeof body === 'string' || body === null || body instanceof Uint8Array;
  const flat: string[] = [];
  let wide = false;
  for (let i = 0; i < keys.length; i++) {
    // a body of known length is framed by Content-Length: a Transfer-Encoding from the app would make
    // node send both (a mis-framed response, RFC 9112 §6.2)
    if (fixed && keys[i] === 'transfer-encoding') continue;
    const v = values[i] as string;
    if (!wide && hasHighChar(v)) wide = true;
    flat.push(names[i] as string, v);
  }
  const status = response._status;
  const text = response._statusText === undefined ? undefined : safeHeaderValue(response._statusText);
  if (fixed) {
    if (!hasHeader(headers, 'content-length') && status !== 204 && status !== 304 && !(status < 200)) {
      flat.push(
        'Content-Length',
        String(body === null ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength),
      );
    }
    if (text === undefined) res.writeHead(status, flat);
    else res.writeHead(status, text, flat);
    if (body === null || body === '') res.end();
    // node writes a string body in one piece with the head, both as UTF-8: header values already in
    // bytes-as-latin1 form would be encoded twice, so such a body goes out as bytes (the head as latin1)
    else if (wide && typeof body === 'string') res.end(Buffer.from(body));
    else res.end(body);
    const p = response._onClose === null ? undefined : response._close();
    return p;
  }
  return writeStream(res, response, flat, app);
}

async function writeStream(
  res: ServerResponse,
  response: Response,
  flat: string[],
  app?: Phial,
): Promise<void> {
  const status = response._status;
  const text = response._statusText === undefined ? undefined : safeHeaderValue(response._statusText);
  if (text === undefined) res.writeHead(status, flat);
  else res.writeHead(status, text, flat);
  const iterable = toAsyncIterable(response._body as AsyncIterable<Uint8Array | string>);
  const it = iterable[Symbol.asyncIterator]();
  if (res.req?.method === 'HEAD' || status === 204 || status === 304) {
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
      const chunk = typeof value === 'string' ? encoder.encode(value) : value;
      if (chunk.byteLength === 0) continue;
      if (!res.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    if (!res.destroyed) res.end();
  } catch (e) {
    app?.logger.error('Error while streaming the response', e);
    res.destroy(e instanceof Error ? e : undefined);
  } finally {
    res.off('close', onClose);
    await response._close();
  }
}

/** A minimal response for an error that escaped the app (propagated in testing/debug, or a bug). */
export function fallbackResponse(app: Phial, e: unknown): Response {
  if (isHTTPException(e)) return e.getResponse();
  const debug = app.debug;
  const body = debug
    ? `Internal Server Error\n\n${e instanceof Error ? (e.stack ?? String(e)) : String(e)}\n`
    : '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n';
  return new Response(body, {
    status: 500,
    contentType: debug ? 'text/plain; charset=utf-8' : 'text/html; charset=utf-8',
  });
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
function nodeSetup(req: Request, res: ServerResponse): void {
  req._attachAbort = attachNodeAbort;
  req._adapterData = res;
}

/** A node:http request listener for the app. */
export function createNodeHandler(app: Phial): (req: IncomingMessage, res: ServerResponse) => void {
  return function phialHandler(req: IncomingMessage, res: ServerResponse): void {
    let out: Response | Promise<Response>;
    try {
      out = app._dispatch(req, nodeSetup, res);
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
 * Wires a server: the app's handler, `Expect: 100-continue` (a body over MAX_CONTENT_LENGTH gets 413
 * without `100 Continue`), and malformed requests (a 4xx, the process keeps serving).
 */
export function configureServer(app: Phial, server: Server, handler = app.handler): Server {
  server.on('request', handler);
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const limit = app.config.MAX_CONTENT_LENGTH;
    const cl = Number(req.headers['content-length']);
    if (limit !== null && limit !== undefined && Number.isFinite(cl) && cl > limit) {
      // never say 100 Continue: the pipeline answers 413 before reading, then the connection closes
      res.setHeader('Connection', 'close');
      res.shouldKeepAlive = false;
    } else {
      res.writeContinue();
    }
    handler(req, res);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = clientErrorStatus(err);
    const body = `${status}\n`;
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

/** Creates a node:http server for the app (not listening yet). */
export function createNodeServer(app: Phial, handler = app.handler): Server {
  return configureServer(app, createServer(), handler);
}
