/**
 * One HTTP/1.x connection: parses heads and bodies from the socket's data, dispatches one request at a
 * time (pipelined requests wait in the buffer, so answers go out in order), writes responses, and tracks
 * the timestamps the server's sweep uses for timeouts. All per-connection state lives here; the fast path
 * (a GET answered synchronously) creates no closure, timer or listener.
 */
import { Buffer } from 'node:buffer';
import type { Socket } from 'node:net';
import { BadRequest, ClientDisconnected, isHTTPException } from '../../http/exceptions.js';
import type { BaseRequest } from '../../http/request.js';
import { Response } from '../../http/response.js';
import { accessEntry } from '../access-log.js';
import { announce, isObserved, observe } from '../diagnostics.js';
import { fallbackResponse } from '../node.js';
import { BodyReader, type BodySource } from './body.js';
import { errorResponse } from './head.js';
import { hasBadHeadChars, parseHead } from './parse.js';
import { EXPECT_CONTINUE, EXPECT_OTHER, Http1Request } from './request.js';
import type { ServerState } from './state.js';
import { upgradeMessage } from './upgrade.js';
import { writeResponse } from './write.js';

// reading phases
const R_HEAD = 0;
const R_BODY = 1;
const R_CHUNKED = 2;
/** The request is fully read; its response is pending (later bytes wait in the buffer). */
const R_WAIT = 3;
/** The body will not be read (abandoned or broken): drop what comes, close after the response. */
const R_DISCARD = 4;
/** Closed or closing: nothing more is read. */
const R_DEAD = 5;
/** Dropping the small unread rest of a body the app did not read (the connection stays open). */
const R_SKIP = 6;

// chunked body states
const C_SIZE = 0;
const C_DATA = 1;
const C_DATA_CR = 2;
const C_DATA_LF = 3;
const C_TRAILER = 4;

// reasons to pause the socket
const P_BODY = 1;
const P_WRITE = 2;
const P_PIPE = 4;

/** An unread body whose rest is at most this many bytes is dropped and the connection kept; a larger one closes it. */
const SKIP_CAP = 64 * 1024;
/** How long a closing connection may keep sending before it is destroyed. */
const LINGER_MS = 2000;
/** How long output may wait for a client that does not read before the connection is destroyed. */
const STALL_MS = 60_000;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
/** Bytes turned into a string at once to look for the end of a head (most heads fit). */
const WINDOW = 2048;

interface Latin1 {
  latin1Slice(start: number, end: number): string;
}

/** Wires a request's abort signal to the connection (no closure per request). */
function attachAbort(ac: AbortController, data: unknown): void {
  const raw = data as Http1Request;
  if (raw.finished) return;
  raw.abort = ac;
  // already gone, or (like node) a FIN from the client: the signal fires at once
  if (raw.socket.destroyed || raw.socket.readableEnded)
    ac.abort(new Error('The client closed the connection.'));
}

function setup(req: BaseRequest, raw: Http1Request): void {
  req._attachAbort = attachAbort;
  req._adapterData = raw;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** One accepted socket. */
/** How long a connection that has sent no request yet is spared by closeIdleConnections. */
const FRESH_CONNECTION_GRACE_MS = 2000;

export class Connection implements BodySource {
  /** What every connection of this server shares (the app, the server object, timeouts). */
  readonly state: ServerState;
  readonly socket: Socket;
  private buf: Buffer | null = null;
  private reading = R_HEAD;
  /** Start of the current phase: head (first byte), idle keep-alive, or linger. */
  private since: number;
  /** When the head of the current request started (requestTimeout). */
  private requestStart = 0;
  /** A byte of the next head arrived (the keep-alive idle time is over, headersTimeout runs). */
  private headStarted = true;
  /** Bytes waiting in the socket at the last sweep (progress check). */
  private lastPending = 0;
  /** Bytes of the head buffer already checked for bad characters. */
  private scanned = 0;
  /** Requests started on this connection (`server.maxRequestsPerSocket`). */
  private served = 0;
  /** When the connection was accepted (a fresh one is not idle yet: its first request may be in flight). */
  private readonly openedAt = Date.now();
  /** The request whose response is not finished. */
  cur: Http1Request | null = null;
  /** The head of `cur`'s response went out (a failure now can only cut the connection). */
  headSent = false;
  private remaining = 0;
  private cstate = C_SIZE;
  private trailerBytes = 0;
  private paused = 0;
  private inProcess = false;
  private clientEnded = false;
  closed = false;
  private drainWaiter: (() => void) | null = null;
  /** The socket listeners, kept to hand the socket over on an upgrade. */
  private readonly listeners: Record<'data' | 'end' | 'drain' | 'error' | 'close', (chunk: Buffer) => void>;
  private readonly onResolved: (r: Response) => void;
  private readonly onRejected: (e: unknown) => void;
  private readonly onObserverError: (e: unknown) => void;

  constructor(state: ServerState, socket: Socket) {
    this.state = state;
    this.socket = socket;
    this.since = Date.now();
    state.conns.add(this);
    socket.setNoDelay(true);
    this.listeners = {
      data: (chunk: Buffer) => this.onData(chunk),
      end: () => this.onEnd(),
      drain: () => this.onDrain(),
      error: () => this.destroy(),
      close: () => this.onClose(),
    };
    for (const [event, fn] of Object.entries(this.listeners)) socket.on(event, fn);
    this.onResolved = (r: Response) => {
      const cur = this.cur;
      if (cur !== null) this.write(cur, r);
      else r._close();
    };
    this.onObserverError = (e: unknown) => {
      state.app.logger.error("Error in a listener of the server's 'request' event", e);
    };
    this.onRejected = (e: unknown) => {
      const cur = this.cur;
      if (cur !== null) this.fatal(cur, e);
    };
  }

  // ---- socket events ----

  private onData(chunk: Buffer): void {
    const r = this.reading;
    if (r === R_DISCARD || r === R_DEAD) return;
    const buf = this.buf;
    if (buf === null) {
      if (r === R_HEAD && !this.headStarted) {
        this.headStarted = true;
        this.since = this.state.now;
      }
      this.buf = chunk;
    } else {
      this.buf = Buffer.concat([buf, chunk]);
    }
    this.process();
  }

  private onEnd(): void {
    this.clientEnded = true;
    const r = this.reading;
    if (r === R_BODY || r === R_CHUNKED || r === R_SKIP) {
      this.cur?.body?.fail(
        new ClientDisconnected('The client went away while the request body was being read.'),
      );
      this.reading = R_DISCARD;
      this.buf = null;
    }
    const cur = this.cur;
    if (cur === null) this.process();
    else if (this.headSent && !cur.finished) {
      // a response is streaming to a client that said it is done (node ends the socket here too)
      this.destroy();
    } else if (!cur.finished && cur.abort !== null) {
      // like node, a FIN counts as the client going away: the signal fires; an answer still goes out
      cur.abort.abort(new Error('The client closed the connection.'));
    }
  }

  private onDrain(): void {
    const w = this.drainWaiter;
    if (w !== null) {
      this.drainWaiter = null;
      w();
    }
    if ((this.paused & P_WRITE) !== 0) {
      this.unpause(P_WRITE);
      this.process();
    }
  }

  private onClose(): void {
    this.closed = true;
    this.reading = R_DEAD;
    this.buf = null;
    this.state.conns.delete(this);
    const cur = this.cur;
    if (cur !== null) {
      if (!cur.finished && cur.abort !== null) {
        cur.abort.abort(new Error('The client closed the connection.'));
      }
      if (!cur.finished && cur.observed !== null) cur.observed.abort();
      cur.body?.fail(new ClientDisconnected('The client went away while the request body was being read.'));
    }
    const w = this.drainWaiter;
    if (w !== null) {
      this.drainWaiter = null;
      w();
    }
  }

  // ---- pausing ----

  private pause(reason: number): void {
    if (this.paused === 0) this.socket.pause();
    this.paused |= reason;
  }

  private unpause(reason: number): void {
    if ((this.paused & reason) === 0) return;
    this.paused &= ~reason;
    if (this.paused === 0 && !this.closed) this.socket.resume();
  }

  pauseBody(): void {
    this.pause(P_BODY);
  }

  resumeBody(): void {
    this.unpause(P_BODY);
  }

  abandonBody(): void {
    const r = this.reading;
    if (r === R_BODY || r === R_CHUNKED) {
      // the rest of the body is dropped; the connection closes after the response
      this.reading = R_DISCARD;
      this.buf = null;
      this.unpause(P_BODY);
    }
  }

  /** Resolves when the socket can take more (or is gone). */
  waitDrain(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiter = resolve;
    });
  }

  // ---- parsing ----

  private process(): void {
    if (this.inProcess) return;
    this.inProcess = true;
    try {
      this.loop();
    } catch (e) {
      this.state.app.logger.error('Error in the HTTP/1.1 connection', e);
      this.destroy();
    } finally {
      this.inProcess = false;
    }
  }

  private loop(): void {
    for (;;) {
      const r = this.reading;
      if (r === R_HEAD) {
        if (this.cur !== null || (this.paused & P_WRITE) !== 0) return;
        const buf = this.buf;
        if (buf === null) {
          if (this.clientEnded) this.endConnection();
          return;
        }
        if (!this.parseHead(buf)) {
          // the client finished sending in the middle of a head: it can never complete
          if (this.clientEnded && this.reading === R_HEAD && this.buf !== null) this.refuse(400);
          return;
        }
      } else if (r === R_BODY) {
        if (!this.readLength()) return;
      } else if (r === R_CHUNKED) {
        if (!this.readChunked()) return;
      } else if (r === R_SKIP) {
        if (!this.readSkip()) return;
      } else {
        if (r === R_WAIT && this.buf !== null && this.buf.length > this.state.maxHeaderSize) {
          this.pause(P_PIPE);
        }
        return;
      }
    }
  }

  /** Parses one head from `buf`; true when a request was started. */
  private parseHead(buf: Buffer): boolean {
    const n = buf.length;
    let start = 0;
    // empty lines before a request line are skipped (CRLF only: a bare CR or LF is refused)
    while (start < n && buf[start] === 13) {
      if (start + 1 === n) break;
      if (buf[start + 1] !== 10) {
        this.refuse(400);
        return false;
      }
      start += 2;
    }
    if (start < n && buf[start] === 10) {
      this.refuse(400);
      return false;
    }
    if (start === n) {
      this.buf = null;
      this.scanned = 0;
      return false;
    }
    const max = this.state.maxHeaderSize;
    // a latin1 string of a window is faster to search (and needed anyway) than Buffer.indexOf + slice;
    // the window keeps pipelined heads from each converting the whole rest of the buffer
    let text: string | null = null;
    let end: number;
    if (n - start <= WINDOW) {
      text = (buf as unknown as Latin1).latin1Slice(start, n);
      end = text.indexOf('\r\n\r\n');
      if (end !== -1) end += start;
    } else {
      text = (buf as unknown as Latin1).latin1Slice(start, start + WINDOW);
      end = text.indexOf('\r\n\r\n');
      if (end === -1) {
        text = null;
        end = buf.indexOf(CRLFCRLF, start);
      } else end += start;
    }
    if (end === -1) {
      if (n - start > max) {
        this.refuse(overLimitStatus(buf, start, max));
        return false;
      }
      // reject a bare LF or a NUL now rather than wait for a terminator that may never come
      const to = buf[n - 1] === 13 ? n - 1 : n;
      const from = this.scanned > start ? this.scanned - 1 : start;
      if (
        to > from &&
        hasBadHeadChars((buf as unknown as Latin1).latin1Slice(from, to), from === start ? 0 : 1)
      ) {
        this.refuse(400);
        return false;
      }
      this.scanned = to;
      if (start !== 0) {
        this.buf = buf.subarray(start);
        this.scanned = to - start;
      }
      return false;
    }
    this.scanned = 0;
    if (end + 2 - start > max) {
      this.refuse(overLimitStatus(buf, start, max));
      return false;
    }
    const req = new Http1Request(this.socket);
    if (this.state.onResponse !== null) {
      req.startedAt = performance.now();
      req.bytesBefore = this.socket.bytesWritten;
    }
    // the head string may run past the head (the window): parseHead stops at `len`
    const head = text === null ? (buf as unknown as Latin1).latin1Slice(start, end + 2) : text;
    const status = parseHead(head, buf, start, end + 2 - start, req);
    if (status !== 0) {
      this.refuse(status);
      return false;
    }
    const after = end + 4;
    this.buf = after === n ? null : buf.subarray(after);
    if (req.method === 'CONNECT') {
      // a tunnel is not an ordinary request: the server's 'connect' listeners take it (as on node:http)
      // or it is refused; it never reaches a view
      if (this.state.server.listenerCount('connect') > 0) this.handOver(req, 'connect');
      else this.refuse(400);
      return false;
    }
    if (req.upgrade) {
      if (this.state.server.listenerCount('upgrade') > 0) {
        this.handOver(req, 'upgrade');
        return false;
      }
      // nobody takes the switch: the app answers it as an ordinary request, then the connection closes.
      // What follows may be in the other protocol (a front proxy may think the switch happened) and is
      // never parsed as HTTP
      req.keepAlive = false;
    }
    this.requestStart = this.since;
    this.served++;
    this.cur = req;
    this.headSent = false;
    if (req.expect === EXPECT_OTHER) {
      this.refuse(417);
      return false;
    }
    if (req.chunked || req.contentLength > 0) {
      req.body = new BodyReader(this);
      if (req.chunked) {
        this.reading = R_CHUNKED;
        this.cstate = C_SIZE;
      } else {
        this.reading = R_BODY;
        this.remaining = req.contentLength;
        // the whole body came with the head (the usual small POST): queue it now, so the app can take it
        // at once (BodyReader.takeAll) instead of through the async iterator
        const buf = this.buf;
        if (buf !== null && buf.length >= this.remaining) this.readLength();
      }
      // `Expect: 100-continue` is answered when the app starts reading the body (Http1Request.startBody):
      // a request refused before that (404, 413, a hook's answer) never tells the client to send it
    } else {
      this.reading = R_WAIT;
    }
    this.dispatch(req);
    return true;
  }

  /** A Content-Length body; true when the state changed (continue the loop). */
  private readLength(): boolean {
    const buf = this.buf;
    if (buf === null) return false;
    const body = (this.cur as Http1Request).body as BodyReader;
    const n = buf.length;
    const take = Math.min(this.remaining, n);
    if (take === n) {
      this.buf = null;
      body.push(buf);
    } else {
      this.buf = buf.subarray(take);
      body.push(buf.subarray(0, take));
    }
    this.remaining -= take;
    if (this.remaining === 0 && this.reading === R_BODY) {
      this.reading = R_WAIT;
      body.end();
      return true;
    }
    return this.reading !== R_BODY;
  }

  /** The unread rest of a body being dropped; true when the state changed (continue the loop). */
  private readSkip(): boolean {
    const buf = this.buf;
    if (buf === null) return false;
    const take = Math.min(this.remaining, buf.length);
    this.buf = take === buf.length ? null : buf.subarray(take);
    this.remaining -= take;
    if (this.remaining > 0) return false;
    if (this.cur === null) this.nextRequest();
    else this.reading = R_WAIT;
    return true;
  }

  /**
   * A body the app did not read to its end (a 404, a hook's answer): a small rest is dropped so the
   * connection can carry the next request; true when that is possible, false when it must close.
   */
  private skipUnread(req: Http1Request): boolean {
    const body = req.body;
    if (body === null || body.drained) return true;
    // the app wanted it and gave up (413, 408, a broken body), or the client waits for a `100 Continue`
    // that never came and may not send it at all: the connection closes
    if (body.abandoned || req.bodyRequested || req.expect === EXPECT_CONTINUE) return false;
    const r = this.reading;
    if (r === R_WAIT && body.ended) {
      // all of it arrived already (what is queued is bounded by the reader's high-water mark)
      body.skip();
      this.unpause(P_BODY);
      return true;
    }
    if (r === R_BODY && this.remaining <= SKIP_CAP) {
      body.skip();
      this.reading = R_SKIP;
      this.unpause(P_BODY);
      return true;
    }
    return false;
  }

  /** A chunked body; true when the state changed (continue the loop). */
  private readChunked(): boolean {
    const buf = this.buf;
    if (buf === null) return false;
    const body = (this.cur as Http1Request).body as BodyReader;
    const n = buf.length;
    let pos = 0;
    while (pos < n) {
      switch (this.cstate) {
        case C_SIZE: {
          const lf = buf.indexOf(10, pos);
          if (lf === -1) {
            if (n - pos > 1024) return this.badBody();
            this.buf = pos === 0 ? buf : buf.subarray(pos);
            return false;
          }
          if (lf === pos || buf[lf - 1] !== 13 || lf - pos > 1024) return this.badBody();
          const stop = lf - 1;
          let size = 0;
          let i = pos;
          for (; i < stop; i++) {
            const d = hexValue(buf[i] as number);
            if (d === -1) break;
            size = size * 16 + d;
          }
          if (i === pos || i - pos > 12) return this.badBody();
          // chunk extensions: BWS ";" then anything visible (ignored)
          while (i < stop && (buf[i] === 32 || buf[i] === 9)) i++;
          if (i < stop) {
            if (buf[i] !== 59) return this.badBody();
            for (; i < stop; i++) {
              const c = buf[i] as number;
              if ((c < 32 && c !== 9) || c === 127) return this.badBody();
            }
          }
          pos = lf + 1;
          if (size === 0) {
            this.cstate = C_TRAILER;
            this.trailerBytes = 0;
          } else {
            this.remaining = size;
            this.cstate = C_DATA;
          }
          break;
        }
        case C_DATA: {
          const avail = n - pos;
          const take = Math.min(this.remaining, avail);
          body.push(pos === 0 && take === n ? buf : buf.subarray(pos, pos + take));
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.cstate = C_DATA_CR;
          if (this.reading !== R_CHUNKED) return true;
          break;
        }
        case C_DATA_CR:
          if (buf[pos] !== 13) return this.badBody();
          pos++;
          this.cstate = C_DATA_LF;
          break;
        case C_DATA_LF:
          if (buf[pos] !== 10) return this.badBody();
          pos++;
          this.cstate = C_SIZE;
          break;
        default: {
          const lf = buf.indexOf(10, pos);
          if (lf === -1) {
            if (this.trailerBytes + n - pos > this.state.maxHeaderSize) return this.badBody();
            this.buf = pos === 0 ? buf : buf.subarray(pos);
            return false;
          }
          if (lf === pos || buf[lf - 1] !== 13) return this.badBody();
          if (lf === pos + 1) {
            pos = lf + 1;
            this.buf = pos === n ? null : buf.subarray(pos);
            this.reading = R_WAIT;
            body.end();
            return true;
          }
          this.trailerBytes += lf + 1 - pos;
          if (this.trailerBytes > this.state.maxHeaderSize) return this.badBody();
          const line = (buf as unknown as Latin1).latin1Slice(pos, lf + 1);
          const colon = line.indexOf(':');
          if (
            colon <= 0 ||
            hasBadHeadChars(line) ||
            /[^!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(line.slice(0, colon))
          ) {
            return this.badBody();
          }
          pos = lf + 1;
        }
      }
    }
    this.buf = null;
    return false;
  }

  /** Malformed chunked framing: the body fails with a 400, nothing more is read. */
  private badBody(): boolean {
    this.reading = R_DISCARD;
    this.buf = null;
    this.unpause(P_BODY);
    const cur = this.cur;
    if (cur !== null && !this.headSent) {
      cur.body?.fail(new BadRequest('Malformed chunked request body.'));
    } else {
      this.destroy();
    }
    return false;
  }

  // ---- responses ----

  private dispatch(req: Http1Request): void {
    const server = this.state.server;
    if (isObserved(server)) {
      // node's diagnostics channels and 'request' event (server/diagnostics.ts); the app runs inside
      const obs = observe(server, this.socket, req);
      req.observed = obs;
      announce(obs, () => this.run(req), this.onObserverError);
      return;
    }
    this.run(req);
  }

  /** Runs the app for `req` and writes its response. */
  private run(req: Http1Request): void {
    let out: Response | Promise<Response>;
    try {
      out = this.state.app.wsgiApp(req, setup, req);
    } catch (e) {
      this.fatal(req, e);
      return;
    }
    if (out instanceof Response) this.write(req, out);
    else out.then(this.onResolved, this.onRejected);
  }

  /** Writes `res` for `req`; failures while writing become the fallback 500 (or a cut connection). */
  write(req: Http1Request, res: Response): void {
    if (req !== this.cur || this.reading === R_DEAD) {
      res._close();
      if (req === this.cur) this.finish(req, false, res._status);
      return;
    }
    let p: Promise<void> | undefined;
    try {
      p = writeResponse(this, req, res);
    } catch (e) {
      this.fatal(req, e);
      return;
    }
    if (p !== undefined) p.catch(this.onRejected);
  }

  /** An error escaped the app (or the writer): log it, answer the fallback 500 if nothing was sent. */
  fatal(req: Http1Request, e: unknown): void {
    const app = this.state.app;
    if (!isHTTPException(e)) app.logger.error('Exception while handling a request', e);
    if (this.headSent || req !== this.cur) {
      this.destroy();
      return;
    }
    let res: Response;
    try {
      res = fallbackResponse(app, e);
      const p = writeResponse(this, req, res);
      if (p !== undefined) p.catch(() => this.destroy());
    } catch {
      this.destroy();
    }
  }

  /** True when the connection may carry another request after `req`'s response. */
  canKeepAlive(req: Http1Request): boolean {
    // a body the app did not read to its end (413, an early error) closes the connection, even when it
    // was all received: what follows is never parsed on a guess
    const max = this.state.server.maxRequestsPerSocket;
    return (
      req.keepAlive &&
      (this.reading === R_WAIT || this.reading === R_BODY) &&
      !this.state.closing &&
      !(max !== null && max > 0 && this.served >= max) &&
      this.skipUnread(req)
    );
  }

  /** The response's last byte went to the socket (or the socket is gone). */
  finish(req: Http1Request, keepAlive: boolean, status: number): void {
    req.finished = true;
    if (req.observed !== null) req.observed.finish();
    if (this.cur !== req) return;
    this.cur = null;
    const log = this.state.onResponse;
    if (log !== null) {
      try {
        log(
          accessEntry(this.state.app, req, this.socket.remoteAddress, {
            method: req.method,
            url: req.url,
            status,
            httpVersion: req.httpVersion,
            bytesSent: this.socket.bytesWritten - req.bytesBefore,
            headBytes: req.headBytes,
            durationMs: performance.now() - req.startedAt,
          }),
        );
      } catch {
        // a logger must not break the connection
      }
    }
    if (this.closed) return;
    const r = this.reading;
    if (!keepAlive || (r !== R_WAIT && r !== R_SKIP) || this.state.closing) {
      if (r === R_BODY || r === R_CHUNKED || r === R_DISCARD) this.lingerClose();
      else this.endConnection();
      return;
    }
    // the rest of an unread body is still arriving: readSkip starts the next request after it
    if (r === R_SKIP) {
      this.since = this.state.now;
      return;
    }
    this.nextRequest();
  }

  /** The connection waits for the next request's head. */
  private nextRequest(): void {
    this.reading = R_HEAD;
    this.since = this.state.now;
    this.headStarted = false;
    if (this.socket.writableLength > this.socket.writableHighWaterMark) this.pause(P_WRITE);
    this.unpause(P_PIPE);
    if (!this.inProcess) this.process();
  }

  /**
   * Gives the socket to the server's 'upgrade' (or 'connect') listeners, as node:http does: `(req, socket,
   * head)` with an `IncomingMessage` for the request and the bytes that followed its head. Phial lets go
   * of the socket.
   */
  private handOver(req: Http1Request, event: 'upgrade' | 'connect'): void {
    const socket = this.socket;
    const head = this.buf ?? Buffer.alloc(0);
    this.buf = null;
    this.reading = R_DEAD;
    this.cur = null;
    this.state.conns.delete(this);
    for (const [event, fn] of Object.entries(this.listeners)) socket.removeListener(event, fn);
    // no consumer until the listener attaches one (node does the same)
    this.paused = 0;
    (socket as { readableFlowing: boolean | null }).readableFlowing = null;
    this.state.server.emit(event, upgradeMessage(socket, req), socket, head);
  }

  /** Refuses a request before the app sees it: a short 4xx/5xx and the connection closes. */
  private refuse(status: number): void {
    const cur = this.cur;
    if (cur !== null) {
      cur.finished = true;
      this.cur = null;
    }
    if (!this.closed && this.socket.writable) {
      const answer = errorResponse(status);
      this.socket.write(answer, 'latin1');
      this.logRefused(cur, status, answer);
    }
    this.endConnection();
  }

  /** The access log's line for a request refused before the app saw it (`-` for what was not parsed). */
  private logRefused(req: Http1Request | null, status: number, answer: string): void {
    const log = this.state.onResponse;
    if (log === null) return;
    try {
      // the app never saw this request: no request ID, the connection's own peer
      log({
        method: req?.method || '-',
        url: req?.url || '-',
        status,
        httpVersion: req?.httpVersion ?? '1.1',
        remoteAddress: this.socket.remoteAddress,
        headers: req?.headers ?? {},
        bytesSent: answer.length,
        headBytes: answer.indexOf('\r\n\r\n') + 4,
        ...(req !== null && req.startedAt > 0 ? { durationMs: performance.now() - req.startedAt } : {}),
      });
    } catch {
      // a logger must not break the connection
    }
  }

  /** Stops reading requests and closes once the output is flushed. */
  endConnection(): void {
    this.reading = R_DEAD;
    this.buf = null;
    this.since = Date.now();
    if (this.closed) return;
    const cur = this.cur;
    if (cur !== null) cur.body?.fail(new ClientDisconnected('The connection was closed.'));
    this.paused = 0;
    this.socket.resume();
    // like node: end, then destroy once the output is flushed (a client still sending cannot hold it)
    this.socket.destroySoon();
  }

  /**
   * Closes after an answer given while the client may still be sending a body: our side is ended (the
   * client reads the answer, then sees the end) and what it still sends is dropped until it closes or
   * LINGER_MS pass (the sweep). Destroying at once would make the client's kernel reset the connection,
   * and a reset can throw away the answer before the client reads it.
   */
  private lingerClose(): void {
    const cur = this.cur;
    if (cur !== null) cur.body?.fail(new ClientDisconnected('The connection was closed.'));
    this.reading = R_DEAD;
    this.buf = null;
    this.since = Date.now();
    if (this.closed) return;
    this.paused = 0;
    this.socket.resume();
    this.socket.end();
  }

  /** Cuts the connection now. */
  destroy(): void {
    if (!this.socket.destroyed) this.socket.destroy();
  }

  /**
   * A connection with no request in flight (closeIdleConnections). A connection accepted moments ago that has
   * not sent a request yet is not idle: its request may be in the socket's buffer, unread, and closing it then
   * resets it (a client connecting while the server closes, as during the reloader's swap). It is answered
   * with `Connection: close` instead, and the headers timeout still cuts one that never speaks.
   */
  isIdle(): boolean {
    if (this.served === 0 && Date.now() - this.openedAt < FRESH_CONNECTION_GRACE_MS) return false;
    return this.cur === null && this.reading === R_HEAD && (this.buf === null || !this.headStarted);
  }

  /** Applies the server's timeouts (called by the sweep). */
  check(now: number, headersTimeout: number, keepAliveTimeout: number, requestTimeout: number): void {
    const r = this.reading;
    const pending = this.socket.writableLength;
    const idle = r === R_HEAD && !this.headStarted && this.cur === null;
    if (r === R_DEAD || idle) {
      // the idle / linger time counts from when the output was flushed
      if (pending !== this.lastPending) {
        this.lastPending = pending;
        this.since = now;
        return;
      }
      if (pending !== 0) {
        if (now - this.since > STALL_MS) this.destroy();
        return;
      }
    }
    if (r === R_DEAD) {
      if (now - this.since > LINGER_MS) this.destroy();
      return;
    }
    if (r === R_SKIP && this.cur === null) {
      // answered; the small rest of an unread body is late: no longer than an idle keep-alive may wait
      if (now - this.since > Math.max(keepAliveTimeout, LINGER_MS)) this.destroy();
      return;
    }
    if (r === R_HEAD) {
      if (this.cur !== null) return;
      if (idle) {
        if (keepAliveTimeout > 0 && now - this.since > keepAliveTimeout) this.destroy();
      } else if (headersTimeout > 0 && now - this.since > headersTimeout) {
        this.refuse(408);
      }
      return;
    }
    if (
      (r === R_BODY || r === R_CHUNKED || r === R_SKIP) &&
      requestTimeout > 0 &&
      now - this.requestStart > requestTimeout
    ) {
      if (this.headSent || this.cur === null) this.destroy();
      else this.refuse(408);
    }
  }
}

/**
 * The status of a head over the size limit: 414 when the request line alone is past it (a huge URL, as
 * Werkzeug and uvicorn answer), else 431 (too many or too large header fields).
 */
function overLimitStatus(buf: Buffer, start: number, max: number): 414 | 431 {
  const lineEnd = buf.indexOf(10, start);
  return lineEnd === -1 || lineEnd - start > max ? 414 : 431;
}
