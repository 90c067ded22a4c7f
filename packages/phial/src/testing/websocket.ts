/**
 * The test client's WebSocket (`client.websocket(path)`): the upgrade runs through the app's pipeline
 * (routing, hooks, origin and handshake checks) and an accepted connection is an in-process pair, no
 * socket opened. Messages keep their order and are delivered asynchronously, as over a network.
 */
import { randomBytes } from 'node:crypto';
import type { Phial } from '../app/phial.js';
import type { Request } from '../app/request.js';
import { finishRefused, runUpgrade, startSession } from '../realtime/websocket/session.js';
import type { Transport, TransportSink, WebSocketMessage } from '../realtime/websocket/socket.js';
import type { TestRequestOptions } from './builder.js';

/** Options of `client.websocket(path, options)`. */
export interface TestWebSocketOptions
  extends Omit<TestRequestOptions, 'method' | 'json' | 'form' | 'files' | 'data'> {
  /** Subprotocols to offer (`Sec-WebSocket-Protocol`). */
  protocols?: readonly string[];
}

/** Raised by `receive()` (and ends iteration) once the connection is closed. */
export class WebSocketClosed extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string) {
    super(`The WebSocket closed with ${code}${reason ? ` (${reason})` : ''}.`);
    this.name = 'WebSocketClosed';
    this.code = code;
    this.reason = reason;
  }
}

const utf8Length = (s: string) => Buffer.byteLength(s);

/** The client end of an in-process WebSocket. */
export class TestWebSocket implements AsyncIterable<WebSocketMessage> {
  /** The subprotocol the server chose ('' when none). */
  readonly protocol: string;
  /** The close code once closed. */
  closeCode: number | null = null;
  /** The close reason once closed. */
  closeReason = '';
  /** The upgrade request as the app saw it. */
  readonly request: Request;
  private inbox: WebSocketMessage[] = [];
  private inboxBytes = 0;
  private waiter: (() => void) | null = null;
  private sink: TransportSink | null = null;
  private readonly maxPayload: number;
  private closeSent = false;
  /** The handler's error (TESTING), thrown to the test in place of the 1011 close. */
  private failure: { error: unknown } | null = null;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;
  /** @internal */
  readonly transport: Transport;

  /** @internal */
  constructor(protocol: string, maxPayload: number, request: Request) {
    this.protocol = protocol;
    this.maxPayload = maxPayload;
    this.request = request;
    this.closedPromise = new Promise((r) => {
      this.resolveClosed = r;
    });
    const self = this;
    this.transport = {
      protocol,
      get bufferedAmount() {
        return self.inboxBytes;
      },
      send(data, cb) {
        if (self.closeCode !== null) {
          cb(new Error('The WebSocket is closed.'));
          return;
        }
        const copy = typeof data === 'string' ? data : new Uint8Array(data);
        queueMicrotask(() => {
          if (self.closeCode === null) self.push(copy);
          cb();
        });
      },
      close(code, reason) {
        // the server starts the closing handshake; the client answers it
        queueMicrotask(() => self.finish(code, reason));
      },
      terminate() {
        queueMicrotask(() => self.finish(1006, ''));
      },
      attach(sink) {
        self.sink = sink;
      },
      fail(error) {
        self.failure = { error };
      },
    };
  }

  /** True once closed. */
  get closed(): boolean {
    return this.closeCode !== null;
  }

  private push(data: WebSocketMessage): void {
    this.inbox.push(data);
    this.inboxBytes += typeof data === 'string' ? utf8Length(data) : data.byteLength;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private finish(code: number, reason: string): void {
    if (this.closeCode !== null) return;
    this.closeCode = code;
    this.closeReason = reason;
    this.sink?.close(code, reason);
    this.wake();
    this.resolveClosed();
  }

  /** Sends a text (`string`) or binary (`Uint8Array`) message to the app. */
  send(data: WebSocketMessage): void {
    if (this.closeCode !== null || this.closeSent)
      throw new WebSocketClosed(this.closeCode ?? 1000, this.closeReason);
    const size = typeof data === 'string' ? utf8Length(data) : data.byteLength;
    const copy = typeof data === 'string' ? data : new Uint8Array(data);
    queueMicrotask(() => {
      if (this.closeCode !== null) return;
      if (size > this.maxPayload) {
        this.finish(1009, 'Max payload size exceeded');
        return;
      }
      this.sink?.message(copy);
    });
  }

  /**
   * The next message from the app; rejects with `WebSocketClosed` once the connection is closed, or with the
   * handler's own error when it failed in a testing app (`TESTING`: errors reach the test, as a view's do).
   */
  async receive(timeoutMs = 5000): Promise<WebSocketMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const next = this.inbox.shift();
      if (next !== undefined) {
        this.inboxBytes -= typeof next === 'string' ? utf8Length(next) : next.byteLength;
        return next;
      }
      if (this.closeCode !== null) {
        const failure = this.failure;
        if (failure !== null) {
          this.failure = null;
          throw failure.error;
        }
        throw new WebSocketClosed(this.closeCode, this.closeReason);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No WebSocket message within ${timeoutMs} ms.`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** The next message parsed as JSON. */
  async receiveJson<T = unknown>(timeoutMs?: number): Promise<T> {
    const m = await this.receive(timeoutMs);
    return JSON.parse(typeof m === 'string' ? m : new TextDecoder().decode(m)) as T;
  }

  /** Messages until the connection closes. */
  async *[Symbol.asyncIterator](): AsyncGenerator<WebSocketMessage> {
    for (;;) {
      try {
        yield await this.receive(2 ** 31 - 1);
      } catch (e) {
        if (e instanceof WebSocketClosed) return;
        throw e;
      }
    }
  }

  /** Closes with `code` (default 1000); resolves once the app saw the close. */
  async close(code = 1000, reason = ''): Promise<void> {
    if (this.closeCode === null && !this.closeSent) {
      this.closeSent = true;
      queueMicrotask(() => this.finish(code, reason));
    }
    await this.closedPromise;
  }

  /** Resolves once the connection is closed (by either side). */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }
}

/** Raised by `client.websocket()` when the app answered the upgrade with a normal HTTP response. */
export class WebSocketRefused extends Error {
  readonly status: number;
  readonly headers: globalThis.Headers;
  readonly text: string;
  constructor(status: number, headers: globalThis.Headers, text: string) {
    super(`The WebSocket upgrade was refused with ${status}.`);
    this.name = 'WebSocketRefused';
    this.status = status;
    this.headers = headers;
    this.text = text;
  }
}

/** @internal the headers of a valid handshake (user headers win, to test bad ones). */
export function handshakeHeaders(options: TestWebSocketOptions): [string, string][] {
  const out: [string, string][] = [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', randomBytes(16).toString('base64')],
    ['Sec-WebSocket-Version', '13'],
  ];
  if (options.protocols?.length) out.push(['Sec-WebSocket-Protocol', options.protocols.join(', ')]);
  return out;
}

/** @internal runs the upgrade and opens the pair (used by TestClient.websocket). */
export async function openTestWebSocket(
  app: Phial,
  raw: Parameters<typeof runUpgrade>[1],
  scheme: string,
): Promise<{ ws?: TestWebSocket; refused?: WebSocketRefused; setCookies: string[]; request: Request }> {
  const gone = new AbortController();
  const result = await runUpgrade(app, raw, (req) => {
    req._scheme = scheme;
    req._attachAbort = (ac) => {
      if (gone.signal.aborted) ac.abort(gone.signal.reason);
      else gone.signal.addEventListener('abort', () => ac.abort(gone.signal.reason), { once: true });
    };
  });
  const request = result.ctx.request;
  if (!result.accepted || result.state.route === null) {
    const r = result.response;
    const text = raw.method === 'HEAD' ? '' : new TextDecoder().decode(await r.buffer());
    const h = new globalThis.Headers();
    for (const [k, v] of r.headers.items()) h.append(k, v);
    await finishRefused(app, result);
    return {
      refused: new WebSocketRefused(r.status, h, text),
      setCookies: r.headers.getSetCookie(),
      request,
    };
  }
  const ws = new TestWebSocket(result.state.protocol ?? '', result.state.route.maxPayload, request);
  void ws.whenClosed().then(() => gone.abort(new Error('The client closed the connection.')));
  startSession(app, result, ws.transport);
  return { ws, setCookies: result.setCookies, request };
}
