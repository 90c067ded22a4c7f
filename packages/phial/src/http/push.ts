/**
 * Pushed bodies: a streamed body that can also write its chunks straight to a server's socket, with no
 * promise or microtask per chunk. A fan-out (one event to thousands of server-sent event streams) then costs
 * one socket write per client, as in a hand-written node:http loop. Servers that know the protocol use it;
 * every other way in (`app.fetch`, the test client) reads the same body as an async iterable. Not part of the
 * package's exports: `eventStream` is the one pushed body.
 */

/** The key of the method a pushed body starts with. */
export const PUSH: unique symbol = Symbol.for('phial.push');

/** Where a pushed body writes: one connection's socket. */
export interface PushSink {
  /**
   * Hands `chunk` to the socket; false when the socket's buffer is full: write nothing more until
   * `drained()` resolves. The chunk is never modified afterwards (one buffer may go to many sockets).
   */
  write(chunk: Uint8Array): boolean;
  /** Resolves once the socket can take more, or once the connection is gone. */
  drained(): Promise<void>;
  /** The body ended: the response is finished (called once; writes after it are ignored). */
  end(): void;
}

/** A streamed body that can push (server-sent events); still an async iterable for every other reader. */
export interface PushBody extends AsyncIterable<Uint8Array> {
  /** Starts the body: it writes to `sink` from now on, and calls `sink.end()` when it is done. */
  [PUSH](sink: PushSink): void;
  /** Stops the body early (the connection went away). */
  return?(): Promise<IteratorResult<Uint8Array>>;
}

/** True when `body` can push its chunks. */
export function isPushBody(body: unknown): body is PushBody {
  return body !== null && typeof body === 'object' && typeof (body as Partial<PushBody>)[PUSH] === 'function';
}

/** Stops a pushed body whose connection went away (its producer ends; errors while stopping are dropped). */
export function stopPushBody(body: PushBody): void {
  void Promise.resolve(body.return?.()).catch(() => undefined);
}
