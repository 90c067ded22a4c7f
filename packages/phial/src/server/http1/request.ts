/**
 * The raw request Phial's HTTP/1.1 server hands to `app.wsgiApp`: plain fields, lower-case headers merged
 * like node's, and the body as an async iterable fed by the connection.
 */
import type { Socket } from 'node:net';
import type { RawRequest } from '../../http/request.js';
import type { Observation } from '../diagnostics.js';
import type { BodyReader } from './body.js';

const EMPTY_DONE: IteratorResult<Uint8Array> = { done: true, value: undefined };
const EMPTY_ITERATOR: AsyncIterator<Uint8Array> = {
  next: () => Promise.resolve(EMPTY_DONE),
  return: () => Promise.resolve(EMPTY_DONE),
};

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

/** Expect header: absent, `100-continue`, or something the server cannot meet (417). */
export const EXPECT_NONE = 0;
export const EXPECT_CONTINUE = 1;
export const EXPECT_OTHER = 2;

/** One parsed request: what `Request` reads (`method`, `url`, `headers`, `socket`) plus framing facts. */
export class Http1Request implements RawRequest {
  method = '';
  url = '';
  httpVersion: '1.0' | '1.1' = '1.1';
  /** Null prototype: adding dynamic keys is cheaper, and no name can reach `Object.prototype`. */
  headers: Record<string, string | string[] | undefined> = Object.create(null);
  socket: Socket;
  /** Declared Content-Length, or -1. */
  contentLength = -1;
  /** `Transfer-Encoding: chunked`. */
  chunked = false;
  /** The connection may stay open after this response (what the client asked for). */
  keepAlive = true;
  expect = EXPECT_NONE;
  /** `Connection: upgrade` with an `Upgrade` header: a protocol switch the server's 'upgrade' listeners may take. */
  upgrade = false;
  /** The body's reader while one is announced. */
  body: BodyReader | null = null;
  /** Set once the response's last byte was handed to the socket. */
  finished = false;
  /** The app asked for the body (see `RawRequest.bodyRequested`). */
  bodyRequested = false;
  /** The request's abort controller, once `req.signal` was read. */
  abort: AbortController | null = null;
  /** node's request/response objects, when monitoring watches the server (server/diagnostics.ts). */
  observed: Observation | null = null;
  /** The request's ID once chosen (`request.id`). */
  requestId: string | undefined = undefined;
  /** With an access log: when the head was read (`performance.now()`), and the socket's bytes before the answer. */
  startedAt = 0;
  bytesBefore = 0;
  /** The response head's bytes. */
  headBytes = 0;

  constructor(socket: Socket) {
    this.socket = socket;
  }

  /** The app starts reading the body: a client that sent `Expect: 100-continue` is told to go on (once). */
  startBody(): void {
    if (this.expect !== EXPECT_CONTINUE) return;
    this.expect = EXPECT_NONE;
    if (!this.finished && this.socket.writable) this.socket.write(CONTINUE, 'latin1');
  }

  /** The whole body when it has all arrived already (read at once, without the async iterator). */
  takeBufferedBody(): Uint8Array | undefined {
    return this.body?.takeAll();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.body ?? EMPTY_ITERATOR;
  }
}
