/**
 * Broadcast: fan-out of messages to many connections by topic (rooms), for server-sent events and
 * WebSocket alike. User code talks to `Broadcast`; where messages travel is its transport. The built-in
 * `MemoryTransport` reaches the subscribers of this process; in the workers of `phial serve --workers N`
 * the default is a `ClusterTransport` (cluster.ts), which reaches every worker; a transport over Redis
 * pub/sub (or any bus) implementing `BroadcastTransport` reaches every machine, all without a change to
 * user code. Messages should therefore be JSON-serializable.
 *
 * Slow subscribers never hold the publisher: delivery to a listener is a function call; an `events()`
 * iterator keeps at most `maxQueued` messages and ends (its `overflowed` turns true) past that; a
 * WebSocket joined with `join()` is dropped by its own `maxBufferedAmount`.
 */
import { defaultClusterTransport } from './cluster.js';
import type { ServerWebSocket } from './websocket/socket.js';

/** How messages travel between publishers and the subscribing processes. */
export interface BroadcastTransport {
  /** Sends `message` to every process subscribed to `topic` (this one included). */
  publish(topic: string, message: unknown): void | Promise<void>;
  /** Starts receiving `topic` in this process (called when its first local subscriber arrives). */
  subscribe(topic: string, deliver: (message: unknown) => void): void | Promise<void>;
  /** Stops receiving `topic` (called when its last local subscriber leaves). */
  unsubscribe(topic: string): void | Promise<void>;
  /** Releases connections. */
  close?(): void | Promise<void>;
}

/** The in-process transport: a publish reaches this process's subscribers synchronously. */
export class MemoryTransport implements BroadcastTransport {
  private readonly topics = new Map<string, (message: unknown) => void>();
  publish(topic: string, message: unknown): void {
    this.topics.get(topic)?.(message);
  }
  subscribe(topic: string, deliver: (message: unknown) => void): void {
    this.topics.set(topic, deliver);
  }
  unsubscribe(topic: string): void {
    this.topics.delete(topic);
  }
}

/** Options of `new Broadcast()`. */
export interface BroadcastOptions {
  /**
   * Where messages travel. Default: a `ClusterTransport` in a worker of `phial serve --workers N` (or of a
   * primary running `clusterRelay()`), else a new `MemoryTransport`.
   */
  transport?: BroadcastTransport;
  /** Called with an error a listener threw (default: `console.error`). */
  onError?: (error: unknown, topic: string) => void;
}

/** Options of `broadcast.events(topic)`. */
export interface BroadcastEventsOptions {
  /** Ends the iteration when it aborts (pass an event stream's or request's `signal`). */
  signal?: AbortSignal;
  /** Messages held for a consumer that lags; past it the iteration ends (`overflowed`). Default 1000. */
  maxQueued?: number;
}

/** An async iterator over a topic's messages, from the moment it was created. */
export interface BroadcastSubscription<T> extends AsyncIterableIterator<T> {
  /** True when the consumer lagged more than `maxQueued` messages and was cut off. */
  readonly overflowed: boolean;
  /** Stops receiving. */
  close(): void;
}

type Listener = (message: unknown) => void;

/** JSON of a message, computed once per message however many sockets receive it. */
const jsonOf = new WeakMap<object, string>();
function toJson(m: unknown): string {
  if (typeof m === 'string') return m;
  if (m === null || typeof m !== 'object') return JSON.stringify(m);
  let s = jsonOf.get(m);
  if (s === undefined) {
    s = JSON.stringify(m);
    jsonOf.set(m, s);
  }
  return s;
}

/** Topic-based fan-out (rooms). `publish(topic, message)`; `subscribe`, `events` or `join` to receive. */
export class Broadcast {
  readonly transport: BroadcastTransport;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly onError: (error: unknown, topic: string) => void;

  constructor(options: BroadcastOptions = {}) {
    this.transport = options.transport ?? defaultClusterTransport() ?? new MemoryTransport();
    this.onError = options.onError ?? ((e, topic) => console.error(`Error in a '${topic}' subscriber`, e));
  }

  /** Sends `message` to every subscriber of `topic`. */
  async publish(topic: string, message: unknown): Promise<void> {
    await this.transport.publish(topic, message);
  }

  /** Calls `listener` with each message of `topic`; returns the function that unsubscribes. */
  subscribe<T = unknown>(topic: string, listener: (message: T) => void): () => void {
    let set = this.listeners.get(topic);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(topic, set);
      void Promise.resolve(this.transport.subscribe(topic, (m) => this.deliver(topic, m))).catch((e) =>
        this.onError(e, topic),
      );
    }
    const fn = listener as Listener;
    set.add(fn);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      const s = this.listeners.get(topic);
      if (s === undefined) return;
      s.delete(fn);
      if (s.size === 0) {
        this.listeners.delete(topic);
        void Promise.resolve(this.transport.unsubscribe(topic)).catch((e) => this.onError(e, topic));
      }
    };
  }

  /** The messages of `topic` as an async iterator (bounded: a consumer that lags too far is cut off). */
  events<T = unknown>(topic: string, options: BroadcastEventsOptions = {}): BroadcastSubscription<T> {
    const max = options.maxQueued ?? 1000;
    const queue: T[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    let overflowed = false;
    const stop = () => {
      if (done) return;
      done = true;
      unsubscribe();
      options.signal?.removeEventListener('abort', stop);
      const w = wake;
      wake = null;
      w?.();
    };
    const unsubscribe = this.subscribe<T>(topic, (m) => {
      if (done) return;
      if (queue.length >= max) {
        overflowed = true;
        stop();
        return;
      }
      queue.push(m);
      const w = wake;
      wake = null;
      w?.();
    });
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
    const it: BroadcastSubscription<T> = {
      get overflowed() {
        return overflowed;
      },
      close: stop,
      async next(): Promise<IteratorResult<T>> {
        for (;;) {
          if (queue.length > 0) return { done: false, value: queue.shift() as T };
          if (done) return { done: true, value: undefined };
          await new Promise<void>((r) => {
            wake = r;
          });
        }
      },
      async return(): Promise<IteratorResult<T>> {
        stop();
        queue.length = 0;
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    return it;
  }

  /**
   * Sends each message of `topic` to a WebSocket (as JSON unless `encode` says otherwise) until it closes.
   * Returns the function that leaves the topic early.
   */
  join(
    ws: ServerWebSocket,
    topic: string,
    encode: (message: unknown) => string | Uint8Array = toJson,
  ): () => void {
    const leave = this.subscribe(topic, (m) => {
      void ws.send(encode(m));
    });
    ws.on('close', leave);
    return leave;
  }

  /** How many local subscribers `topic` has. */
  subscriberCount(topic: string): number {
    return this.listeners.get(topic)?.size ?? 0;
  }

  /** Stops every subscription and closes the transport. */
  async close(): Promise<void> {
    for (const topic of [...this.listeners.keys()]) {
      this.listeners.delete(topic);
      await this.transport.unsubscribe(topic);
    }
    await this.transport.close?.();
  }

  private deliver(topic: string, message: unknown): void {
    const set = this.listeners.get(topic);
    if (set === undefined) return;
    for (const fn of [...set]) {
      try {
        fn(message);
      } catch (e) {
        this.onError(e, topic);
      }
    }
  }
}
