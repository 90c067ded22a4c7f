/**
 * Serializes a Phial Response onto the socket: status line, headers and a string/bytes body in one
 * `write`; streamed bodies chunked (HTTP/1.1) or close-delimited (HTTP/1.0), waiting for `drain`.
 */
import { Buffer } from 'node:buffer';
import { isPushBody, PUSH, type PushBody, stopPushBody } from '../../http/push.js';
import { type Response, toAsyncIterable } from '../../http/response.js';
import { safeHeaderValue } from '../../http/security.js';
import { parseContentLength, wireContentLength } from '../../http/wire.js';
import type { Connection } from './connection.js';
import { dateHeader, statusLine } from './head.js';
import type { Http1Request } from './request.js';

/** Anything but tab and printable ASCII: the value is cleaned (CR/LF can never split a header). */
const NOT_PLAIN = /[^\t\x20-\x7e]/;
/** Bodies up to this size are copied next to the head (one write); larger ones are corked. */
const COPY_LIMIT = 64 * 1024;
const encoder = new TextEncoder();
const noop = (): void => {};

// what the header loop found (module-level: the writer is synchronous up to the first await)
/** The app's own `Content-Length` value, or null (never written as is: see wireContentLength). */
let appLength: string | null = null;
/** The app's own `Connection` line (sent only while the connection stays open), or ''. */
let appConnection = '';
let plainAscii = true;
let connectionClose = false;

function buildHeaders(res: Response): string {
  appLength = null;
  appConnection = '';
  connectionClose = false;
  plainAscii = true;
  let hasDate = false;
  let out = statusLine(res._status, res._statusText);
  if (res._statusText !== undefined && NOT_PLAIN.test(out.slice(0, -2))) plainAscii = false;
  const h = res.headers;
  const keys = h._keys;
  const names = h._names;
  const values = h._values;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    let v = values[i] as string;
    if (NOT_PLAIN.test(v)) {
      v = safeHeaderValue(v);
      if (NOT_PLAIN.test(v)) plainAscii = false;
    }
    switch (k) {
      case 'content-length':
        appLength = v;
        continue;
      case 'date':
        hasDate = true;
        break;
      case 'connection':
        if (v.toLowerCase().indexOf('close') !== -1) connectionClose = true;
        appConnection += `${names[i] as string}: ${v}\r\n`;
        continue;
      case 'transfer-encoding':
        continue;
    }
    out += `${names[i] as string}: ${v}\r\n`;
  }
  if (!hasDate) out += dateHeader();
  return out;
}

/** The `Connection` line: `close` whenever the server closes after this response, whatever the app set. */
function connectionLine(req: Http1Request, keep: boolean): string {
  if (!keep) return 'Connection: close\r\n';
  if (appConnection !== '') return appConnection;
  return req.httpVersion === '1.0' ? 'Connection: keep-alive\r\n' : '';
}

/**
 * Writes `res` for `req` on the connection. Returns undefined when everything was handed to the socket
 * (the connection was told via `finish`), or a promise for a streamed body.
 */
export function writeResponse(conn: Connection, req: Http1Request, res: Response): Promise<void> | undefined {
  const socket = conn.socket;
  if (req.observed !== null) req.observed.head(res);
  if (conn.state.onResponse !== null) req.bytesBefore = socket.bytesWritten;
  let head = buildHeaders(res);
  const status = res._status;
  let keep = conn.canKeepAlive(req) && !connectionClose;
  // the wire rules (http/wire.ts): no content for HEAD, 1xx, 204, 205, 304
  const headOnly =
    req.method === 'HEAD' || status < 200 || status === 204 || status === 205 || status === 304;
  const body = res._body;
  const app = appLength === null ? -1 : parseContentLength(appLength);
  if (typeof body === 'string') {
    const len = body.length === 0 ? 0 : Buffer.byteLength(body);
    const wire = appLength === null && !headOnly ? len : wireContentLength(status, req.method, len, app);
    if (wire >= 0) head += `Content-Length: ${wire}\r\n`;
    head += `${connectionLine(req, keep)}\r\n`;
    conn.headSent = true;
    req.headBytes = head.length;
    if (headOnly || len === 0) socket.write(head, 'latin1');
    else if (plainAscii) socket.write(head + body, len === body.length ? 'latin1' : 'utf8');
    else {
      socket.cork();
      socket.write(head, 'latin1');
      socket.write(body);
      socket.uncork();
    }
  } else if (body === null || body instanceof Uint8Array) {
    const len = body === null ? 0 : body.byteLength;
    const wire = appLength === null && !headOnly ? len : wireContentLength(status, req.method, len, app);
    if (wire >= 0) head += `Content-Length: ${wire}\r\n`;
    head += `${connectionLine(req, keep)}\r\n`;
    conn.headSent = true;
    req.headBytes = head.length;
    if (headOnly || len === 0) socket.write(head, 'latin1');
    else if (len <= COPY_LIMIT) {
      const hl = head.length;
      const out = Buffer.allocUnsafe(hl + len);
      out.write(head, 0, hl, 'latin1');
      out.set(body as Uint8Array, hl);
      socket.write(out);
    } else {
      socket.cork();
      socket.write(head, 'latin1');
      socket.write(body as Uint8Array);
      socket.uncork();
    }
  } else {
    const wire = wireContentLength(status, req.method, -1, app);
    if (wire >= 0) head += `Content-Length: ${wire}\r\n`;
    const chunked = !headOnly && wire < 0 && req.httpVersion === '1.1';
    // HTTP/1.0 without a length: the end of the connection ends the body
    if (!headOnly && wire < 0 && !chunked) keep = false;
    if (chunked) head += 'Transfer-Encoding: chunked\r\n';
    head += `${connectionLine(req, keep)}\r\n`;
    if (!headOnly && wire < 0 && isPushBody(body))
      return writePushed(conn, req, res, body, head, keep, chunked);
    return writeStream(conn, req, res, head, keep, chunked, headOnly, headOnly ? -1 : wire);
  }
  if (res._onClose !== null) {
    // run now, never awaited: a slow or stuck cleanup must not hold the next request
    const p = res._close();
    if (p !== undefined) p.catch(noop);
  }
  conn.finish(req, keep, status);
  return undefined;
}

async function writeStream(
  conn: Connection,
  req: Http1Request,
  res: Response,
  head: string,
  keep: boolean,
  chunked: boolean,
  headOnly: boolean,
  length: number,
): Promise<void> {
  const socket = conn.socket;
  const it = toAsyncIterable(res._body as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  conn.headSent = true;
  req.headBytes = head.length;
  socket.write(head, 'latin1');
  try {
    if (headOnly) {
      // no body may be sent: do not produce one (a file stream is closed right away)
      await it.return?.();
    } else {
      for (;;) {
        if (conn.closed) {
          await it.return?.();
          keep = false;
          break;
        }
        const { done, value } = await it.next();
        if (done) break;
        if (conn.closed) {
          await it.return?.();
          keep = false;
          break;
        }
        let chunk = typeof value === 'string' ? encoder.encode(value) : value;
        let n = chunk.byteLength;
        if (n === 0) continue;
        // a declared length is what the client reads: never more (the rest would be taken for the next
        // response); a body that ends short cuts the connection (below)
        let over = false;
        if (length >= 0 && n > length) {
          chunk = chunk.subarray(0, length);
          n = length;
          over = true;
        }
        let ok: boolean;
        if (chunked) {
          socket.cork();
          socket.write(`${n.toString(16)}\r\n`, 'latin1');
          socket.write(chunk);
          ok = socket.write('\r\n', 'latin1');
          socket.uncork();
        } else {
          ok = socket.write(chunk);
        }
        if (!ok) await conn.waitDrain();
        if (length >= 0) {
          length -= n;
          if (length === 0) {
            if (!over) over = !(await it.next()).done;
            if (over) {
              await it.return?.();
              // the client got exactly the declared bytes: the connection stays usable
              conn.state.app.logger.error(
                'A streamed response produced more bytes than its Content-Length: the rest was not sent.',
              );
            }
            break;
          }
        }
      }
      if (length > 0 && !conn.closed) throw new Error('A streamed response ended before its Content-Length.');
      if (chunked && !conn.closed) socket.write('0\r\n\r\n', 'latin1');
    }
  } catch (e) {
    conn.state.app.logger.error('Error while streaming the response', e);
    // a cut response must not look complete
    keep = false;
    conn.destroy();
  } finally {
    // the connection moves on once the bytes are out; close callbacks run on their own (never awaited:
    // a slow or stuck cleanup must not hold the next request)
    const p = res._close();
    if (p !== undefined) p.catch(noop);
    conn.finish(req, keep, res._status);
  }
}

/** The last chunk framed for chunked transfer, and its frame: a fan-out frames one event once for every socket. */
let lastChunk: Uint8Array | null = null;
let lastFrame: Buffer = Buffer.alloc(0);

/** `chunk` as one chunked-transfer frame (size line, bytes, CRLF) in one buffer: one socket write. */
function frameChunk(chunk: Uint8Array): Buffer {
  if (chunk === lastChunk) return lastFrame;
  const n = chunk.byteLength;
  const size = n.toString(16);
  const at = size.length + 2;
  const out = Buffer.allocUnsafe(at + n + 2);
  out.write(size, 0, 'latin1');
  out[at - 2] = 13;
  out[at - 1] = 10;
  out.set(chunk, at);
  out[at + n] = 13;
  out[at + n + 1] = 10;
  lastChunk = chunk;
  lastFrame = out;
  return out;
}

/**
 * A pushed body (server-sent events): the body writes each chunk to the socket itself, synchronously, in
 * one write; the response ends when the body calls `end()` (the producer finished, or the client left:
 * the request's signal stops it, and a write to a closed connection stops it too).
 */
function writePushed(
  conn: Connection,
  req: Http1Request,
  res: Response,
  body: PushBody,
  head: string,
  keep: boolean,
  chunked: boolean,
): Promise<void> {
  const socket = conn.socket;
  conn.headSent = true;
  req.headBytes = head.length;
  socket.write(head, 'latin1');
  return new Promise<void>((resolve) => {
    let ended = false;
    const sink = {
      write(chunk: Uint8Array): boolean {
        if (ended) return true;
        if (conn.closed) {
          stopPushBody(body);
          return true;
        }
        if (chunk.byteLength === 0) return true;
        // sockets never modify what they write: the shared frame is safe
        return socket.write(chunked ? frameChunk(chunk) : chunk);
      },
      drained: () => conn.waitDrain(),
      end(): void {
        if (ended) return;
        ended = true;
        if (chunked && !conn.closed) socket.write('0\r\n\r\n', 'latin1');
        const p = res._close();
        if (p !== undefined) p.catch(noop);
        conn.finish(req, keep && !conn.closed, res._status);
        resolve();
      },
    };
    try {
      body[PUSH](sink);
    } catch (e) {
      conn.state.app.logger.error('Error while streaming the response', e);
      // a cut response must not look complete
      keep = false;
      conn.destroy();
      sink.end();
    }
  });
}
