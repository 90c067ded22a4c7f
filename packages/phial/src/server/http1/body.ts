/**
 * A request body as an async iterator, fed by the connection. Holds at most ~64 KiB unread before the
 * connection stops reading the socket (backpressure); `return()` (the reader gave up, e.g. a 413) drops
 * what is queued and everything that follows.
 */

/** What the reader needs from its connection. */
export interface BodySource {
  /** Stop reading the socket: the queue is full. */
  pauseBody(): void;
  /** The queue drained: read again. */
  resumeBody(): void;
  /** The reader gave up on the body. */
  abandonBody(): void;
}

const HIGH = 64 * 1024;
const LOW = 16 * 1024;
const DONE: IteratorResult<Uint8Array> = { done: true, value: undefined };

/** The body of one request. */
export class BodyReader implements AsyncIterator<Uint8Array> {
  private readonly source: BodySource;
  private queue: Uint8Array[] = [];
  private head = 0;
  private queued = 0;
  private paused = false;
  /** No more chunks will come (end or error). */
  ended = false;
  /** The consumer stopped reading. */
  abandoned = false;
  /** The consumer read the body to its end. */
  drained = false;
  private error: Error | null = null;
  private resolve: ((r: IteratorResult<Uint8Array>) => void) | null = null;
  private reject: ((e: Error) => void) | null = null;

  constructor(source: BodySource) {
    this.source = source;
  }

  /** A chunk from the socket. */
  push(chunk: Uint8Array): void {
    if (this.abandoned || this.ended) return;
    const resolve = this.resolve;
    if (resolve !== null) {
      this.resolve = null;
      this.reject = null;
      resolve({ done: false, value: chunk });
      return;
    }
    this.queue.push(chunk);
    this.queued += chunk.byteLength;
    if (!this.paused && this.queued > HIGH) {
      this.paused = true;
      this.source.pauseBody();
    }
  }

  /** The body is complete. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const resolve = this.resolve;
    if (resolve !== null && this.head === this.queue.length) {
      this.resolve = null;
      this.reject = null;
      this.drained = true;
      resolve(DONE);
    }
  }

  /** The body cannot complete (the client went, the framing broke). */
  fail(e: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.error = e;
    const reject = this.reject;
    if (reject !== null) {
      this.resolve = null;
      this.reject = null;
      reject(e);
    }
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.head < this.queue.length) {
      const value = this.queue[this.head] as Uint8Array;
      this.queue[this.head++] = EMPTY;
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      }
      this.queued -= value.byteLength;
      if (this.paused && this.queued < LOW) {
        this.paused = false;
        this.source.resumeBody();
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.error !== null) return Promise.reject(this.error);
    if (this.ended && !this.abandoned) this.drained = true;
    if (this.ended || this.abandoned) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /**
   * The whole body at once when all of it has arrived and nothing read it yet (the usual small request:
   * no promise, no event); undefined otherwise.
   */
  takeAll(): Uint8Array | undefined {
    if (!this.ended || this.error !== null || this.abandoned || this.head !== 0) return undefined;
    const q = this.queue;
    const out =
      q.length === 0 ? EMPTY : q.length === 1 ? (q[0] as Uint8Array) : Buffer.concat(q, this.queued);
    q.length = 0;
    this.queued = 0;
    this.drained = true;
    if (this.paused) {
      this.paused = false;
      this.source.resumeBody();
    }
    return out;
  }

  /**
   * The response went out without the body being read: what is queued is dropped and the connection skips
   * the rest. A read still pending (a hook that started `loadBody` and answered anyway) fails.
   */
  skip(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    this.drained = true;
    this.queue.length = 0;
    this.head = 0;
    this.queued = 0;
    this.paused = false;
    this.error = new Error('The response was sent before the request body was read.');
    const reject = this.reject;
    this.resolve = null;
    this.reject = null;
    if (reject !== null) reject(this.error);
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    if (!this.abandoned) {
      this.abandoned = true;
      this.queue.length = 0;
      this.head = 0;
      this.queued = 0;
      const resolve = this.resolve;
      this.resolve = null;
      this.reject = null;
      if (resolve !== null) resolve(DONE);
      this.source.abandonBody();
    }
    return Promise.resolve(DONE);
  }
}

const EMPTY = new Uint8Array(0);
