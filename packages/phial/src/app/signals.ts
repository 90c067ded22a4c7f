/**
 * Signals (Flask's blinker signals): let code observe what the framework does without hooking into it.
 * Sending to a signal nobody listens to costs one property read (`hasReceivers`), so the app checks it
 * before building a payload.
 */
import { type Channel, channel } from 'node:diagnostics_channel';
import type { Template } from '@phial/jinja';
import type { Response } from '../http/response.js';
import type { Phial } from './phial.js';

/** What a signal publishes on its diagnostics channel `phial.signal.<name>` (type `extra` per signal). */
export interface SignalMessage<Extra = Record<string, unknown>> {
  /** Flask's name of the signal (`request-finished`). */
  signal: string;
  /** The app (or the sender the signal was sent with). */
  sender: unknown;
  /** The keyword arguments of the send (`{ response }`, `{ exception }`...). */
  extra: Extra;
}

/** A receiver: called with the sender and the signal's extra data. */
export type Receiver<Sender, Extra> = (sender: Sender, extra: Extra) => unknown;

/** Connect a receiver for every sender (the default). */
export const ANY: unique symbol = Symbol('ANY');

/** What `connectedTo` returns: disconnect by hand or with `using`. */
export interface ConnectedReceiver extends Disposable {
  disconnect(): void;
}

interface Entry<Sender, Extra> {
  fn: Receiver<Sender, Extra>;
  sender: Sender | typeof ANY;
}

/** A named signal. `Sender` is who sends (the app for Flask's signals); `Extra` is the payload object. */
export class Signal<Sender = unknown, Extra = Record<string, never>> {
  /** The receivers, replaced (never mutated) on connect/disconnect so `send` iterates without copying. */
  private entries: readonly Entry<Sender, Extra>[] = [];

  constructor(
    /** The signal's name (`'request-started'`, as in Flask). */
    readonly name: string,
    /** What the signal means. */
    readonly doc = '',
  ) {
    this.ch = channel(`phial.signal.${name}`);
  }

  private readonly ch: Channel;

  /**
   * The diagnostics channel `phial.signal.<name>`: every send is published there as
   * `{ signal, sender, extra }`, so tools that watch node:diagnostics_channel see Phial's signals.
   */
  get diagnosticsChannel(): Channel {
    return this.ch;
  }

  /** True when at least one receiver is connected (for any sender), or the diagnostics channel has a subscriber. */
  get hasReceivers(): boolean {
    return this.entries.length > 0 || this.ch.hasSubscribers;
  }

  /** True when some receiver would get a `send` from `sender` (or the diagnostics channel has a subscriber). */
  hasReceiversFor(sender: Sender): boolean {
    for (const e of this.entries) if (e.sender === ANY || e.sender === sender) return true;
    return this.ch.hasSubscribers;
  }

  /** The receivers `send(sender)` would call, in connection order. */
  receiversFor(sender: Sender): Receiver<Sender, Extra>[] {
    const out: Receiver<Sender, Extra>[] = [];
    for (const e of this.entries) if (e.sender === ANY || e.sender === sender) out.push(e.fn);
    return out;
  }

  /** Connects `fn`, for one `sender` or for all (default); connecting the same pair twice is a no-op.
   *  Returns a function that disconnects it. */
  connect<F extends Receiver<Sender, Extra>>(fn: F, sender: Sender | typeof ANY = ANY): () => void {
    if (!this.entries.some((e) => e.fn === fn && e.sender === sender)) {
      this.entries = [...this.entries, { fn, sender }];
    }
    return () => this.disconnect(fn, sender);
  }

  /** Connects `fn` so it is called once at most, then disconnected. Returns the disconnect function. */
  connectOnce(fn: Receiver<Sender, Extra>, sender: Sender | typeof ANY = ANY): () => void {
    const once: Receiver<Sender, Extra> = (s, extra) => {
      this.disconnect(once, sender);
      return fn(s, extra);
    };
    return this.connect(once, sender);
  }

  /** Disconnects `fn` from `sender`, or from every sender when `sender` is omitted. */
  disconnect(fn: Receiver<Sender, Extra>, sender?: Sender | typeof ANY): void {
    const next = this.entries.filter((e) => !(e.fn === fn && (sender === undefined || e.sender === sender)));
    if (next.length !== this.entries.length) this.entries = next;
  }

  /** Disconnects every receiver. */
  disconnectAll(): void {
    this.entries = [];
  }

  /** Calls the matching receivers in order and returns `[receiver, result]` pairs (blinker's shape).
   *  A receiver that throws stops the send and the error propagates, as in blinker. */
  send(sender: Sender, extra: Extra): [Receiver<Sender, Extra>, unknown][] {
    const ch = this.ch;
    if (ch.hasSubscribers) ch.publish({ signal: this.name, sender, extra });
    const entries = this.entries;
    if (entries.length === 0) return [];
    const out: [Receiver<Sender, Extra>, unknown][] = [];
    for (const e of entries) {
      if (e.sender === ANY || e.sender === sender) out.push([e.fn, e.fn(sender, extra)]);
    }
    return out;
  }

  /** Like `send`, awaiting each receiver's result in turn (Flask's `send_async`). */
  async sendAsync(sender: Sender, extra: Extra): Promise<[Receiver<Sender, Extra>, unknown][]> {
    const ch = this.ch;
    if (ch.hasSubscribers) ch.publish({ signal: this.name, sender, extra });
    const out: [Receiver<Sender, Extra>, unknown][] = [];
    for (const e of this.entries) {
      if (e.sender === ANY || e.sender === sender) out.push([e.fn, await e.fn(sender, extra)]);
    }
    return out;
  }

  /** Connects `fn` until the returned handle is disposed (`using _ = sig.connectedTo(fn)`) or its
   *  `disconnect()` is called (blinker's `connected_to`). A pair that was already connected stays. */
  connectedTo(fn: Receiver<Sender, Extra>, sender: Sender | typeof ANY = ANY): ConnectedReceiver {
    const alreadyConnected = this.entries.some((e) => e.fn === fn && e.sender === sender);
    const off = this.connect(fn, sender);
    let done = false;
    const disconnect = (): void => {
      if (done) return;
      done = true;
      if (!alreadyConnected) off();
    };
    return { disconnect, [Symbol.dispose]: disconnect };
  }

  /** Connects `fn` while `body` runs, then disconnects it, also when `body` throws or its promise
   *  rejects. Handy in tests: record the templates a request rendered. */
  connectedDuring<T>(fn: Receiver<Sender, Extra>, body: () => T, sender: Sender | typeof ANY = ANY): T {
    const handle = this.connectedTo(fn, sender);
    let result: T;
    try {
      result = body();
    } catch (e) {
      handle.disconnect();
      throw e;
    }
    if (result instanceof Promise) return result.finally(handle.disconnect) as T;
    handle.disconnect();
    return result;
  }

  toString(): string {
    return `<Signal ${this.name}>`;
  }
}

/** The signals Phial sends, under Flask's names in camelCase. The sender is the app. */

/** A template was rendered: `{ template, context }`. */
export const templateRendered = new Signal<Phial, { template: Template; context: Record<string, unknown> }>(
  'template-rendered',
);
/** A template is about to be rendered: `{ template, context }`. */
export const beforeRenderTemplate = new Signal<
  Phial,
  { template: Template; context: Record<string, unknown> }
>('before-render-template');
/** A request context was set up, before any request handling. */
export const requestStarted = new Signal<Phial, Record<string, never>>('request-started');
/** A response was made, before it is sent: `{ response }`. */
export const requestFinished = new Signal<Phial, { response: Response }>('request-finished');
/** The request context is tearing down: `{ exc }` (the unhandled error or null). */
export const requestTearingDown = new Signal<Phial, { exc: unknown }>('request-tearing-down');
/** An unhandled exception happened while handling a request: `{ exception }`. */
export const gotRequestException = new Signal<Phial, { exception: unknown }>('got-request-exception');
/** The app context is tearing down: `{ exc }`. */
export const appcontextTearingDown = new Signal<Phial, { exc: unknown }>('appcontext-tearing-down');
/** An app context was pushed. */
export const appcontextPushed = new Signal<Phial, Record<string, never>>('appcontext-pushed');
/** An app context was popped. */
export const appcontextPopped = new Signal<Phial, Record<string, never>>('appcontext-popped');
/** `flash()` stored a message: `{ message, category }`. */
export const messageFlashed = new Signal<Phial, { message: string; category: string }>('message-flashed');

/** Creates signals in a namespace (blinker's `Namespace`): one Signal per name, reused on repeat calls. */
export class Namespace {
  private readonly signals = new Map<string, Signal<unknown, unknown>>();

  signal<Sender = unknown, Extra = Record<string, never>>(name: string, doc = ''): Signal<Sender, Extra> {
    let s = this.signals.get(name);
    if (!s) {
      s = new Signal<unknown, unknown>(name, doc);
      this.signals.set(name, s);
    }
    return s as unknown as Signal<Sender, Extra>;
  }
}
