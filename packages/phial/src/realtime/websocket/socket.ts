/**
 * The `ws` object a WebSocket handler receives: one API over any transport (the `ws` library on Node,
 * the in-process pair of the test client, a runtime's own WebSocket).
 *
 * Backpressure: `send()` resolves once the message was written to the connection, so a handler that
 * awaits it never holds more than one message; messages sent without awaiting queue in the transport,
 * and a client whose queue passes `maxBufferedAmount` (it does not read) is dropped. Incoming messages
 * wait in a short queue for async iteration; when it is full the transport stops reading (TCP pushes back).
 */

import { bindToCurrentContext } from '../../app/context.js';

/** What a transport reports to its socket. */
export interface TransportSink {
  message(data: string | Uint8Array): void;
  close(code: number, reason: string): void;
  error(err: Error): void;
  /** The peer showed it is alive (a pong or any frame). */
  alive(): void;
}

/** A connection as ServerWebSocket needs it. */
export interface Transport {
  readonly protocol: string;
  /** Bytes accepted by `send` and not yet written to the network. */
  readonly bufferedAmount: number;
  /** Sends a message; `cb` runs once it was written (with an error if it could not be). */
  send(data: string | Uint8Array, cb: (err?: Error) => void): void;
  /**
   * Optional fast path: sends and returns true when the message already went to the network (then no
   * callback is needed); false means it waits in a buffer, and `whenWritten` reports when it has left.
   */
  sendNow?(data: string | Uint8Array): boolean;
  /** With `sendNow`: calls `cb(true)` once the buffered messages are written, `cb(false)` if the connection closes first. */
  whenWritten?(cb: (ok: boolean) => void): void;
  /** Starts the closing handshake. */
  close(code: number, reason: string): void;
  /** Drops the connection at once. */
  terminate(): void;
  /** Sends a ping (idle detection); optional. */
  ping?(): void;
  /** Stops / resumes reading (incoming backpressure); optional. */
  pause?(): void;
  resume?(): void;
  /** Wires the transport's events to the socket. */
  attach(sink: TransportSink): void;
  /**
   * Optional: the handler failed with `error` while exceptions propagate (TESTING). The test client's
   * transport hands it to the test; servers have none and log it.
   */
  fail?(error: unknown): void;
}

/** Options of a ServerWebSocket. */
export interface ServerWebSocketOptions {
  maxBufferedAmount: number;
  idleTimeout: number;
}

/** A message: `string` for text frames, `Uint8Array` for binary ones. */
export type WebSocketMessage = string | Uint8Array;

type Listener = {
  message: (data: WebSocketMessage) => void;
  close: (code: number, reason: string) => void;
  error: (err: Error) => void;
};

const QUEUE_PAUSE = 64;
const WRITTEN: Promise<boolean> = Promise.resolve(true);

/** The server side of one WebSocket connection (the handler's `ws`). */
export class ServerWebSocket implements AsyncIterable<WebSocketMessage> {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  /** 1 (open), 2 (closing) or 3 (closed). */
  readyState = 1;
  /** The close code once closed (1005 when the peer gave none, 1006 when the connection dropped). */
  closeCode: number | null = null;
  /** The close reason once closed. */
  closeReason = '';
  private readonly transport: Transport;
  private readonly options: ServerWebSocketOptions;
  private readonly listeners: { [K in keyof Listener]: Listener[K][] } = {
    message: [],
    close: [],
    error: [],
  };
  private readonly originals = new WeakMap<Listener[keyof Listener], Listener[keyof Listener]>();
  private queue: WebSocketMessage[] = [];
  private iterating = false;
  /** The pending `next()` of the async iterator, resolved directly by the next message or the close. */
  private waiting: ((r: IteratorResult<WebSocketMessage>) => void) | null = null;
  private paused = false;
  private idleTimer: ReturnType<typeof setInterval> | null = null;
  private heard = true;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  /** @internal */
  constructor(transport: Transport, options: ServerWebSocketOptions) {
    this.transport = transport;
    this.options = options;
    this.closedPromise = new Promise((r) => {
      this.resolveClosed = r;
    });
    transport.attach({
      message: (data) => this.onMessage(data),
      close: (code, reason) => this.onClose(code, reason),
      error: (err) => this.emit('error', err),
      alive: () => {
        this.heard = true;
      },
    });
    const idle = options.idleTimeout;
    if (idle > 0 && transport.ping) {
      this.idleTimer = setInterval(() => {
        if (!this.heard) {
          this.transport.terminate();
          return;
        }
        this.heard = false;
        this.transport.ping?.();
      }, idle * 1000);
      this.idleTimer.unref?.();
    }
  }

  /** The subprotocol chosen during the handshake ('' when none). */
  get protocol(): string {
    return this.transport.protocol;
  }

  /** True once the connection is closed (or closing). */
  get closed(): boolean {
    return this.readyState >= 2;
  }

  /** Bytes sent but not yet written to the network. */
  get bufferedAmount(): number {
    return this.transport.bufferedAmount;
  }

  /** Resolves when the connection has closed. */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  /**
   * Sends a text (`string`) or binary (`Uint8Array`) message. Resolves to true once written, false when
   * the socket is closed or the client was dropped for not reading (`maxBufferedAmount`).
   */
  send(data: WebSocketMessage): Promise<boolean> {
    if (this.readyState !== 1) return Promise.resolve(false);
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      return Promise.reject(new TypeError('ws.send takes a string or a Uint8Array.'));
    }
    if (this.transport.bufferedAmount > this.options.maxBufferedAmount) {
      // the client does not read: drop it rather than buffer without bound
      this.transport.terminate();
      return Promise.resolve(false);
    }
    const t = this.transport;
    if (t.sendNow !== undefined) {
      // the usual case: the kernel took the frame at once, nothing to wait for
      if (t.sendNow(data)) return WRITTEN;
      return new Promise((resolve) => (t.whenWritten as (cb: (ok: boolean) => void) => void)(resolve));
    }
    return new Promise((resolve) => {
      t.send(data, (err) => resolve(err === undefined || err === null));
    });
  }

  /** Closes with `code` (default 1000) and `reason`. */
  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    try {
      this.transport.close(code, reason);
    } catch {
      this.transport.terminate();
    }
  }

  /** Drops the connection without a closing handshake. */
  terminate(): void {
    this.transport.terminate();
  }

  /**
   * Adds a listener: `message` (data), `close` (code, reason), `error` (err). It runs in the context it was
   * added in (the handler's request context: `request`, `session`, `g` work in it).
   */
  on<K extends keyof Listener>(event: K, fn: Listener[K]): this {
    const run = bindToCurrentContext(fn as (...a: unknown[]) => void) as Listener[K];
    this.originals.set(run as Listener[keyof Listener], fn as Listener[keyof Listener]);
    (this.listeners[event] as Listener[K][]).push(run);
    return this;
  }

  /** Removes a listener. */
  off<K extends keyof Listener>(event: K, fn: Listener[K]): this {
    const list = this.listeners[event] as Listener[K][];
    const i = list.findIndex((l) => l === fn || this.originals.get(l as Listener[keyof Listener]) === fn);
    if (i !== -1) list.splice(i, 1);
    return this;
  }

  /** @internal true when message listeners are attached (the handler is event-driven). */
  get hasMessageListeners(): boolean {
    return this.listeners.message.length > 0;
  }

  private emit<K extends keyof Listener>(event: K, ...args: Parameters<Listener[K]>): void {
    const list = this.listeners[event];
    if (list.length === 0) return;
    for (const fn of (list.length === 1 ? list : [...list]) as ((...a: unknown[]) => void)[]) {
      try {
        fn(...args);
      } catch (e) {
        if (event !== 'error') this.emit('error', e instanceof Error ? e : new Error(String(e)));
      }
    }
  }

  private onMessage(data: WebSocketMessage): void {
    this.heard = true;
    this.emit('message', data);
    // queue for async iteration unless the handler only listens for events
    if (this.iterating || this.listeners.message.length === 0) {
      const waiting = this.waiting;
      if (waiting !== null && this.queue.length === 0) {
        // the iterator waits: hand the message over directly
        this.waiting = null;
        waiting({ done: false, value: data });
        return;
      }
      this.queue.push(data);
      if (this.queue.length >= QUEUE_PAUSE && !this.paused && this.transport.pause) {
        this.paused = true;
        this.transport.pause();
      }
      this.wakeUp();
    }
  }

  private onClose(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.closeCode = code;
    this.closeReason = reason;
    if (this.idleTimer !== null) clearInterval(this.idleTimer);
    this.idleTimer = null;
    this.emit('close', code, reason);
    this.wakeUp();
    this.resolveClosed();
  }

  private wakeUp(): void {
    const waiting = this.waiting;
    if (waiting !== null && this.readyState === 3) {
      this.waiting = null;
      this.iterating = false;
      waiting({ done: true, value: undefined });
    }
  }

  /** Messages as they arrive; ends when the connection closes. */
  [Symbol.asyncIterator](): AsyncIterableIterator<WebSocketMessage> {
    // a plain iterator, not a generator: a queued message costs one resolved promise
    this.iterating = true;
    const it: AsyncIterableIterator<WebSocketMessage> = {
      next: () => this.nextMessage(),
      return: () => {
        this.iterating = false;
        const waiting = this.waiting;
        this.waiting = null;
        waiting?.({ done: true, value: undefined });
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  private nextMessage(): Promise<IteratorResult<WebSocketMessage>> {
    const next = this.queue.shift();
    if (next !== undefined) {
      if (this.paused && this.queue.length < QUEUE_PAUSE / 2) {
        this.paused = false;
        this.transport.resume?.();
      }
      return Promise.resolve({ done: false, value: next });
    }
    if (this.readyState === 3 || !this.iterating) {
      this.iterating = false;
      return Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
}
