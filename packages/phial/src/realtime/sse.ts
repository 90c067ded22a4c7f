/**
 * Server-sent events (`eventStream`): the `text/event-stream` framing, heartbeats, and a pull-driven
 * queue between the producer and the connection, so a slow client never makes the server buffer without
 * bound.
 *
 * Backpressure policy: an event goes to the socket only while the socket accepts more (node's `write` →
 * `drain`): Phial's server takes each event synchronously in one write (a pushed body, `http/push.ts`);
 * other adapters pull the next chunk once the previous one was accepted. `send()` resolves when its event was pulled, so a producer that
 * awaits `send()` holds at most one event in memory. Events sent without awaiting wait in a queue of at
 * most `highWaterMark` bytes (default 1 MiB); an event that would cross it closes the stream (the slow
 * client is dropped: `signal` aborts, `onClose` callbacks run) and `send()` resolves to `false`.
 */
import {
  currentRequestContext,
  getCurrentContext,
  type RequestContext,
  runWithContext,
} from '../app/context.js';
import { PUSH, type PushBody, type PushSink } from '../http/push.js';
import { Response } from '../http/response.js';
import { trackLive } from './live.js';

/** One event: `data` (objects are sent as JSON, strings line by line), `event`, `id`, `retry` (ms). */
export interface ServerSentEvent {
  /** The payload; a string is sent as is (multi-line strings become several `data:` lines), anything else as JSON. */
  data?: unknown;
  /** The event type (`addEventListener(type)` in the browser; `message` when absent). */
  event?: string;
  /** The event id; the browser sends it back as `Last-Event-ID` when it reconnects (`req.lastEventId`). */
  id?: string | number;
  /** The reconnection delay the browser should use, in milliseconds (the SSE `retry` field). */
  retry?: number;
}

/** Options of `eventStream`. */
export interface EventStreamOptions {
  /** Seconds of silence after which a comment line is sent (keeps proxies open, detects gone clients). Default 15; 0 turns it off. */
  heartbeat?: number;
  /** Reconnection delay sent to the browser first, in milliseconds (the SSE `retry` field). */
  retry?: number;
  /** Bytes of unsent events a stream may hold before the client is dropped as too slow. Default 1 MiB. */
  highWaterMark?: number;
  /** Status of the response (default 200). */
  status?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/** The stream a producer function writes to. */
export interface EventStream {
  /** Queues an event (a string is a `data`-only event); resolves to true once it was handed to the connection, false if the stream is closed. */
  send(event: ServerSentEvent | string): Promise<boolean>;
  /** Sends a comment line (ignored by browsers). */
  comment(text: string): Promise<boolean>;
  /** Ends the stream once the queued events are sent. */
  close(): void;
  /** True once the stream ended (client gone, dropped as too slow, or closed). */
  readonly closed: boolean;
  /** Aborts when the stream ends (the client went away, was dropped, or the stream was closed). */
  readonly signal: AbortSignal;
  /** Runs `fn` once when the stream ends. */
  onClose(fn: () => void): void;
  /**
   * Resolves when the stream ends: a producer that only subscribes listeners (a Broadcast fan-out) awaits
   * it to keep the stream open, as a WebSocket handler awaits `ws.whenClosed()`.
   */
  whenClosed(): Promise<void>;
  /** `Last-Event-ID` of the request (a reconnecting browser's last seen id), or null. */
  readonly lastEventId: string | null;
}

/** What `eventStream` accepts: events from an (async) iterable, or a function that writes to a stream. */
export type EventSourceInput =
  | AsyncIterable<ServerSentEvent | string>
  | Iterable<ServerSentEvent | string>
  | ((stream: EventStream) => unknown);

const LINE_BREAK = /\r\n|\r|\n/;

function checkField(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new TypeError(`An event's '${name}' may not contain a line break.`);
  return value;
}

/** The wire form of one event (ends with the blank line that dispatches it). */
export function formatEvent(event: ServerSentEvent | string): string {
  if (typeof event === 'string') return dataLines(event);
  let out = '';
  if (event.event !== undefined) out += `event: ${checkField('event', event.event)}\n`;
  if (event.id !== undefined) {
    const id = checkField('id', String(event.id));
    if (id.includes('\0')) throw new TypeError("An event's 'id' may not contain NUL.");
    out += `id: ${id}\n`;
  }
  if (event.retry !== undefined) {
    if (!Number.isInteger(event.retry) || event.retry < 0)
      throw new TypeError("An event's 'retry' must be a whole number of milliseconds.");
    out += `retry: ${event.retry}\n`;
  }
  if (event.data !== undefined) {
    const d = event.data;
    return out + dataLines(typeof d === 'string' ? d : JSON.stringify(d));
  }
  return `${out}\n`;
}

function dataLines(text: string): string {
  if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) return `data: ${text}\n\n`;
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** The wire form of a comment (each line prefixed with `:`). */
export function formatComment(text: string): string {
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += `:${line ? ` ${line}` : ''}\n`;
  return `${out}\n`;
}

const encoder = new TextEncoder();
let lastText = '';
let lastBytes = new Uint8Array(0);

/**
 * Encodes a chunk, reusing the bytes of the previous call for the same text: a fan-out sends one event to
 * thousands of streams, which then share one buffer (sockets never modify what they write).
 */
function encodeShared(text: string): Uint8Array {
  // (a runtime that transferred the last buffer left it detached, length 0: encode afresh)
  if (text !== lastText || lastBytes.byteLength === 0) {
    lastBytes = encoder.encode(text);
    lastText = text;
  }
  return lastBytes;
}

const SENT = Promise.resolve(true);
const NOT_SENT = Promise.resolve(false);

/**
 * The queue between a producer and the connection. It is the response body: Phial's server has it push
 * events straight to the socket (`PUSH`); other adapters pull them through its async iterator.
 */
class Channel implements EventStream, AsyncIterableIterator<Uint8Array>, PushBody {
  private queue: string[] = [];
  private waiters: ((ok: boolean) => void)[] = [];
  private queued = 0;
  private ending = false;
  private done = false;
  private pull: ((r: IteratorResult<Uint8Array>) => void) | null = null;
  private pullFail: ((e: unknown) => void) | null = null;
  /** A producer's error kept for the reader (TESTING: the test reading the stream gets it), or null. */
  private failure: { error: unknown } | null = null;
  private readonly ac = new AbortController();
  private closers: (() => void)[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the last frame was queued (ms, `Date.now()`), for heartbeats; 0 while heartbeats are off. */
  private lastSent = 0;
  private started = false;
  private removeAbort: (() => void) | null = null;
  /** The socket events are pushed to (Phial's server), or null while pulled (other adapters). */
  private sink: PushSink | null = null;
  /** The sink's socket is full: events queue until it drains. */
  private blocked = false;
  /** Unregisters the stream from its app's open connections (see live.ts). */
  private untrack: (() => void) | null = null;

  constructor(
    private readonly producer: ((stream: EventStream) => unknown) | null,
    private readonly ctx: RequestContext | undefined,
    private readonly options: EventStreamOptions,
    readonly lastEventId: string | null,
  ) {
    let first = ':\n\n';
    if (options.retry !== undefined) first += formatEvent({ retry: options.retry });
    this.queue.push(first);
  }

  get closed(): boolean {
    return this.done || this.ending;
  }

  get signal(): AbortSignal {
    return this.ac.signal;
  }

  onClose(fn: () => void): void {
    if (this.done) fn();
    else {
      // runs in the context it was registered in (the producer's request context)
      const ctx = getCurrentContext();
      this.closers.push(ctx === undefined ? fn : () => runWithContext(ctx, fn));
    }
  }

  whenClosed(): Promise<void> {
    return new Promise((resolve) => this.onClose(resolve));
  }

  send(event: ServerSentEvent | string): Promise<boolean> {
    return this.enqueue(formatEvent(event));
  }

  comment(text: string): Promise<boolean> {
    return this.enqueue(formatComment(text));
  }

  close(): void {
    if (this.done || this.ending) return;
    this.ending = true;
    if (this.queue.length === 0) this.finish();
  }

  private enqueue(frame: string): Promise<boolean> {
    if (this.done || this.ending) return NOT_SENT;
    if (this.lastSent !== 0) this.lastSent = Date.now();
    const sink = this.sink;
    if (sink !== null && !this.blocked && this.queue.length === 0) {
      // the fast way (a fan-out to thousands of streams): straight to the socket, nothing allocated
      this.push(sink, frame);
      return SENT;
    }
    const limit = this.options.highWaterMark ?? 1024 * 1024;
    if (this.queued + frame.length > limit && this.queue.length > 0) {
      // the client does not keep up: drop it rather than hold more
      this.finish(new Error('The client was too slow: its event queue reached highWaterMark.'));
      return NOT_SENT;
    }
    const p = new Promise<boolean>((resolve) => {
      this.queue.push(frame);
      this.waiters.push(resolve);
    });
    this.queued += frame.length;
    if (sink === null) this.flush();
    else if (!this.blocked) this.flushPushed(sink);
    return p;
  }

  /** Writes `text` to the sink; a full socket blocks the stream until it drains. */
  private push(sink: PushSink, text: string): void {
    if (sink.write(encodeShared(text))) return;
    this.blocked = true;
    void sink.drained().then(() => {
      this.blocked = false;
      if (this.sink === sink) this.flushPushed(sink);
    });
  }

  /** Writes everything queued to the sink, as one chunk. */
  private flushPushed(sink: PushSink): void {
    if (this.done) return;
    if (this.queue.length > 0) {
      const text = this.queue.length === 1 ? (this.queue[0] as string) : this.queue.join('');
      this.queue = [];
      this.queued = 0;
      const waiters = this.waiters;
      this.waiters = [];
      this.push(sink, text);
      for (const w of waiters) w(true);
    }
    if (this.ending && !this.blocked) this.finish();
  }

  /** Starts pushing to `sink` (Phial's server): the queued opening, then every event as it is sent. */
  [PUSH](sink: PushSink): void {
    if (this.started || this.sink !== null) throw new Error('An event stream can be sent only once.');
    this.sink = sink;
    this.start();
    // (a client already gone finished the stream in start(), which ended the sink)
    if (!this.done) this.flushPushed(sink);
  }

  /** Hands everything queued to a waiting pull, as one chunk. */
  private flush(): void {
    const pull = this.pull;
    if (pull === null || this.queue.length === 0) return;
    this.pull = null;
    const text = this.queue.length === 1 ? (this.queue[0] as string) : this.queue.join('');
    this.queue = [];
    this.queued = 0;
    const waiters = this.waiters;
    this.waiters = [];
    pull({ done: false, value: encodeShared(text) });
    for (const w of waiters) w(true);
    if (this.ending) this.finish();
  }

  /** Ends the stream now: pending sends resolve false, the signal aborts, close callbacks run. */
  private finish(reason?: Error): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.removeAbort?.();
    this.untrack?.();
    this.queue = [];
    this.queued = 0;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(false);
    const pull = this.pull;
    const pullFail = this.pullFail;
    this.pull = null;
    this.pullFail = null;
    if (pull !== null) {
      const failure = this.failure;
      this.failure = null;
      if (failure !== null && pullFail !== null) pullFail(failure.error);
      else pull({ done: true, value: undefined });
    }
    const sink = this.sink;
    this.sink = null;
    sink?.end();
    this.ac.abort(reason ?? new Error('The event stream closed.'));
    const closers = this.closers;
    this.closers = [];
    for (const fn of closers) {
      try {
        fn();
      } catch (e) {
        this.ctx?.app.logger.error('Error in an event stream onClose callback', e);
      }
    }
  }

  private start(): void {
    this.started = true;
    // a server shutting down ends the stream (the browser reconnects) instead of waiting for it
    if (this.ctx !== undefined) this.untrack = trackLive(this.ctx.app, { goAway: () => this.close() });
    const req = this.ctx?.request;
    if (req !== undefined) {
      // the client leaving ends the stream at once (not at the next write)
      const sig = req.signal;
      if (sig.aborted) {
        this.finish(new Error('The client closed the connection.'));
        return;
      }
      const onAbort = () => this.finish(new Error('The client closed the connection.'));
      sig.addEventListener('abort', onAbort, { once: true });
      this.removeAbort = () => sig.removeEventListener('abort', onAbort);
    }
    const hb = this.options.heartbeat ?? 15;
    if (hb > 0) {
      // a comment `heartbeat` seconds after the last frame (not on a fixed beat, which could leave up to
      // two periods of silence after an event sent just after a tick)
      const period = hb * 1000;
      this.lastSent = Date.now();
      const beat = () => {
        if (this.closed) return;
        const idle = Date.now() - this.lastSent;
        if (idle >= period - 1) void this.enqueue(':\n\n');
        this.timer = setTimeout(beat, idle >= period - 1 ? period : period - idle);
        this.timer.unref?.();
      };
      this.timer = setTimeout(beat, period);
      this.timer.unref?.();
    }
    const producer = this.producer;
    if (producer === null) return;
    const run = async () => {
      try {
        await producer(this);
      } catch (e) {
        if (!this.done) {
          const app = this.ctx?.app;
          // TESTING: a reader pulling the stream (the test client) gets the error after the events sent
          // before it, as a view's error reaches the test
          if (app?.testing && this.sink === null) this.failure = { error: e };
          else if (app) app.logger.error('Error in an event stream producer', e);
          else console.error('Error in an event stream producer', e);
        }
      }
      this.close();
    };
    if (this.ctx !== undefined) void runWithContext(this.ctx, run);
    else void run();
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (!this.started) this.start();
    if (this.done) {
      const failure = this.failure;
      this.failure = null;
      return failure === null
        ? Promise.resolve({ done: true, value: undefined })
        : Promise.reject(failure.error);
    }
    return new Promise((resolve, reject) => {
      this.pull = resolve;
      this.pullFail = reject;
      this.flush();
    });
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    this.finish(new Error('The client closed the connection.'));
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function isIterable(v: unknown): v is AsyncIterable<unknown> | Iterable<unknown> {
  return (
    v !== null &&
    typeof v === 'object' &&
    (typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' ||
      typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function')
  );
}

/** Feeds a stream from an (async) iterable; stops the iterable when the stream ends. */
function fromIterable(source: AsyncIterable<ServerSentEvent | string> | Iterable<ServerSentEvent | string>) {
  return async (stream: EventStream) => {
    const it =
      typeof (source as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
        ? (source as AsyncIterable<ServerSentEvent | string>)[Symbol.asyncIterator]()
        : (source as Iterable<ServerSentEvent | string>)[Symbol.iterator]();
    stream.onClose(() => {
      void Promise.resolve()
        .then(() => it.return?.())
        .catch(() => undefined);
    });
    for (;;) {
      const r = await it.next();
      if (r.done || stream.closed) break;
      if (!(await stream.send(r.value))) break;
    }
  };
}

/**
 * A `text/event-stream` response. `source` is an (async) iterable of events, or a function given the
 * stream (`send`, `comment`, `closed`, `signal`, `onClose`). The producer starts when the server begins
 * sending the body, runs inside the request context, and stops when the client goes (`signal` aborts,
 * `closed` turns true) or when it returns.
 */
export function eventStream(source: EventSourceInput, options: EventStreamOptions = {}): Response {
  let producer: ((stream: EventStream) => unknown) | null;
  if (typeof source === 'function') producer = source;
  else if (isIterable(source)) producer = fromIterable(source);
  else throw new TypeError('eventStream needs an (async) iterable of events or a function.');
  const ctx = currentRequestContext();
  const lastEventId = ctx === undefined ? null : (ctx.request.headers.get('last-event-id') ?? null);
  const channel = new Channel(producer, ctx, options, lastEventId);
  const response = new Response(channel, { status: options.status ?? 200, contentType: 'text/event-stream' });
  const h = response.headers;
  h.set('Cache-Control', 'no-cache');
  h.set('X-Accel-Buffering', 'no');
  if (options.headers) for (const [k, v] of Object.entries(options.headers)) h.set(k, v);
  return response;
}
