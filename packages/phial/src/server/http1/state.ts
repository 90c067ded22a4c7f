/**
 * What every connection of one server shares: the app, the server object (whose timeout settings apply),
 * the access-log hook, the live connections, and the one sweep timer that enforces the timeouts.
 */
import { maxHeaderSize as defaultMaxHeaderSize, type Server } from 'node:http';
import type { Phial } from '../../app/phial.js';
import type { Connection } from './connection.js';

/** One line of an access log, given after a response's last byte went to the socket. */
export interface AccessEntry {
  method: string;
  url: string;
  status: number;
  httpVersion: '1.0' | '1.1';
  remoteAddress: string | undefined;
  /** The request's headers (lower-case names): `user-agent`, `referer`... */
  headers?: Record<string, string | string[] | undefined>;
  /** Bytes handed to the socket for this response, head included (nginx's `$bytes_sent`). */
  bytesSent?: number;
  /** The bytes of the response's head (status line and headers) within `bytesSent`. */
  headBytes?: number;
  /** Milliseconds from the request's head being read to the response's last byte handed to the socket. */
  durationMs?: number;
  /** The request's ID: the same as `request.id` (made now if the app never read it). */
  readonly requestId?: string;
}

/** What every connection of one server shares. */
export class ServerState {
  readonly app: Phial;
  readonly server: Server;
  readonly onResponse: ((entry: AccessEntry) => void) | null;
  readonly conns = new Set<Connection>();
  /** `close()` was called: finish what is in flight, keep nothing alive. */
  closing = false;
  /** A coarse clock (set by the sweep; at most `interval` ms old): connections stamp phases with it. */
  now = Date.now();
  /** Milliseconds between sweeps (the slack added to every timeout). */
  interval = 1000;
  private timer: NodeJS.Timeout | null = null;

  constructor(app: Phial, server: Server, onResponse: ((entry: AccessEntry) => void) | null) {
    this.app = app;
    this.server = server;
    this.onResponse = onResponse;
  }

  /** The request line + headers limit (node's `maxHeaderSize`). */
  get maxHeaderSize(): number {
    return (this.server as { maxHeaderSize?: number }).maxHeaderSize ?? defaultMaxHeaderSize;
  }

  /** Starts the one sweep timer of the server (unref'd). */
  startSweep(): void {
    if (this.timer === null) this.schedule();
  }

  stopSweep(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    const s = this.server;
    let every = 1000;
    for (const t of [s.headersTimeout, s.keepAliveTimeout, s.requestTimeout]) {
      if (t > 0 && t / 4 < every) every = t / 4;
    }
    this.interval = Math.max(10, every);
    this.timer = setTimeout(sweep, this.interval, this);
    this.timer.unref();
  }

  /** Closes connections whose phase went over its timeout. */
  sweep(): void {
    const now = Date.now();
    this.now = now;
    const s = this.server;
    // a phase stamped with the coarse clock may have started up to one interval later than its stamp
    const slack = this.interval;
    const t = (ms: number) => (ms > 0 ? ms + slack : 0);
    for (const c of this.conns) c.check(now, t(s.headersTimeout), t(s.keepAliveTimeout), t(s.requestTimeout));
    if (this.timer !== null) this.schedule();
  }
}

function sweep(state: ServerState): void {
  state.sweep();
}
