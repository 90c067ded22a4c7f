import { ClientDisconnected, HTTPException, RequestEntityTooLarge, RequestTimeout } from '../exceptions.js';

/** What `pump` needs from a node stream (an `IncomingMessage`, any `Readable`). */
interface NodeReadable extends AsyncIterable<Uint8Array> {
  on(event: string, fn: (...args: never[]) => void): unknown;
  removeListener(event: string, fn: (...args: never[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  readableEnded?: boolean;
  destroyed?: boolean;
}

/** Receives each chunk; a returned promise pauses the source until it settles (backpressure). */
export type ChunkSink = (chunk: Uint8Array) => void | Promise<void>;

/**
 * The slow-body guard: over every window of `timeout` seconds at least `minRate × timeout` bytes must
 * arrive, else the read fails with 408 (time spent waiting on the sink, our own backpressure, is not
 * counted). A trickling client cannot hold a request open; a slow but steady upload passes.
 */
export interface RateGuard {
  /** Window length in seconds; 0 or less turns the guard off. */
  timeout: number;
  /** Average bytes per second required over each window. */
  minRate: number;
}

/** A running read: `done` resolves with the byte count at the end of the body; `abort` stops it. */
export interface Pump {
  done: Promise<number>;
  /** Stops reading now and rejects `done` with `error` (no-op once settled). */
  abort(error: Error): void;
}

const noop = (): void => {};

function isNodeReadable(s: AsyncIterable<Uint8Array>): s is NodeReadable {
  const r = s as Partial<NodeReadable>;
  return typeof r.on === 'function' && typeof r.pause === 'function' && typeof r.resume === 'function';
}

function tooLarge(): RequestEntityTooLarge {
  return new RequestEntityTooLarge();
}

function disconnected(err?: unknown): HTTPException {
  if (err instanceof HTTPException) return err;
  const msg = err instanceof Error && err.message ? ` (${err.message})` : '';
  return new ClientDisconnected(`The client went away while the request body was being read${msg}.`);
}

/**
 * Feeds every chunk of a body to `sink`, counting bytes. Crossing `limit` rejects with
 * RequestEntityTooLarge at that chunk and stops reading: a node stream is paused (never destroyed, so the
 * server can still answer), an async iterator is closed. A source that fails or closes early rejects with
 * ClientDisconnected (400).
 */
export function pump(
  stream: AsyncIterable<Uint8Array>,
  limit: number | null,
  sink: ChunkSink,
  guard?: RateGuard | null,
): Pump {
  const progress: Progress = { total: 0, waiting: false, settled: false };
  const p = isNodeReadable(stream)
    ? pumpNode(stream, limit, sink, progress)
    : pumpIterable(stream, limit, sink, progress);
  if (guard && guard.timeout > 0 && !progress.settled) watch(p, progress, guard);
  return p;
}

/** What the guard reads from a running read (the pump functions keep it current). */
interface Progress {
  /** Bytes received so far. */
  total: number;
  /** The sink is busy: the read waits on us, not on the client. */
  waiting: boolean;
  settled: boolean;
}

function watch(p: Pump, progress: Progress, guard: RateGuard): void {
  const windowMs = guard.timeout * 1000;
  const need = Math.max(1, Math.ceil(Math.max(0, guard.minRate) * guard.timeout));
  let mark = progress.total;
  const tick = (): void => {
    if (progress.settled) return;
    if (!progress.waiting && progress.total - mark < need) {
      p.abort(
        new RequestTimeout(
          `The request body arrived too slowly (under ${guard.minRate} bytes/s over ${guard.timeout} s).`,
        ),
      );
      return;
    }
    mark = progress.total;
    timer.refresh();
  };
  const timer = setTimeout(tick, windowMs);
  timer.unref?.();
  p.done.then(
    () => clearTimeout(timer),
    () => clearTimeout(timer),
  );
}

function pumpNode(stream: NodeReadable, limit: number | null, sink: ChunkSink, progress: Progress): Pump {
  let settled = false;
  let total = 0;
  let resolveDone!: (n: number) => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<number>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });

  const detach = (): void => {
    stream.removeListener('data', onData);
    stream.removeListener('end', onEnd);
    stream.removeListener('error', onError);
    stream.removeListener('close', onClose);
  };
  const finish = (err?: Error): void => {
    if (settled) return;
    settled = true;
    progress.settled = true;
    detach();
    if (err) {
      stream.pause();
      // Keep an error listener so a later socket error cannot become an uncaught exception.
      stream.on('error', noop);
      rejectDone(err);
    } else {
      resolveDone(total);
    }
  };
  const onData = (raw: Uint8Array | string): void => {
    if (settled) return;
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    total += chunk.byteLength;
    progress.total = total;
    if (limit !== null && total > limit) {
      finish(tooLarge());
      return;
    }
    let r: void | Promise<void>;
    try {
      r = sink(chunk);
    } catch (e) {
      finish(e instanceof Error ? e : disconnected(e));
      return;
    }
    if (r !== undefined) {
      stream.pause();
      progress.waiting = true;
      r.then(
        () => {
          progress.waiting = false;
          if (!settled) stream.resume();
        },
        (e: unknown) => finish(e instanceof Error ? e : disconnected(e)),
      );
    }
  };
  const onEnd = (): void => finish();
  const onError = (e: unknown): void => finish(disconnected(e));
  const onClose = (): void => {
    if (!stream.readableEnded) finish(disconnected());
  };

  if (stream.readableEnded) {
    // Already consumed by someone else: nothing left to read.
    settled = true;
    progress.settled = true;
    resolveDone(0);
  } else if (stream.destroyed) {
    settled = true;
    progress.settled = true;
    rejectDone(disconnected());
  } else {
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
    stream.resume();
  }
  return { done, abort: finish };
}

function pumpIterable(
  stream: AsyncIterable<Uint8Array>,
  limit: number | null,
  sink: ChunkSink,
  progress: Progress,
): Pump {
  let settled = false;
  let total = 0;
  let resolveDone!: (n: number) => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<number>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  const it = stream[Symbol.asyncIterator]();

  const close = (): void => {
    try {
      const r = it.return?.();
      if (r) r.then(noop, noop);
    } catch {
      // a broken iterator: nothing more to do
    }
  };
  const finish = (err?: Error): void => {
    if (settled) return;
    settled = true;
    progress.settled = true;
    if (err) {
      close();
      rejectDone(err);
    } else {
      resolveDone(total);
    }
  };

  void (async () => {
    try {
      for (;;) {
        const step = await it.next();
        if (settled) return;
        if (step.done) {
          finish();
          return;
        }
        const raw = step.value as Uint8Array | string;
        const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
        total += chunk.byteLength;
        progress.total = total;
        if (limit !== null && total > limit) {
          finish(tooLarge());
          return;
        }
        const r = sink(chunk);
        if (r !== undefined) {
          progress.waiting = true;
          await r;
          progress.waiting = false;
        }
        if (settled) return;
      }
    } catch (e) {
      finish(disconnected(e));
    }
  })();
  return { done, abort: finish };
}
