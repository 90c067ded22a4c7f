/**
 * Black-box harness for Phial's HTTP/1.1 server: starts an app on 127.0.0.1 (port 0), talks to it over raw
 * TCP sockets, and parses what comes back strictly (status line, headers, Content-Length / chunked /
 * close-delimited bodies), so tests can assert exact bytes, framing and whether the connection closed.
 *
 * `PHIAL_BLACKBOX_TARGET=node` runs the same tests against the node:http adapter (to validate the harness).
 */
import type { Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { Phial } from '../../../src/index.js';
import { createHttp1Server } from '../../../src/server/http1/index.js';
import { createNodeServer } from '../../../src/server/node.js';

export type Target = 'http1' | 'node';

/** Which server the tests run against (default: Phial's own HTTP/1.1 server). */
export const TARGET: Target = process.env.PHIAL_BLACKBOX_TARGET === 'node' ? 'node' : 'http1';

/** A quiet app (no log noise). */
export function quietApp(): Phial {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.logger = { debug() {}, info() {}, warn() {}, error() {} };
  return app;
}

export interface Started {
  port: number;
  server: Server;
  close(): Promise<void>;
}

const running: Started[] = [];

/** Creates the server under test for `app` (not listening). */
export function createServerFor(app: Phial, target: Target = TARGET): Server {
  if (target === 'node') return createNodeServer(app);
  return createHttp1Server(app);
}

/** Starts `app` on 127.0.0.1:0 with the server under test; `tune` may set timeouts before listen. */
export async function start(
  app: Phial,
  tune?: (s: Server) => void,
  target: Target = TARGET,
): Promise<Started> {
  const server = createServerFor(app, target);
  tune?.(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const started: Started = {
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        const t = setTimeout(resolve, 1000);
        server.close(() => {
          clearTimeout(t);
          resolve();
        });
      }),
  };
  running.push(started);
  return started;
}

/** Stops every server started by `start` (call from afterEach/afterAll). */
export async function stopAll(): Promise<void> {
  for (const s of running.splice(0)) await s.close();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One parsed response. */
export interface Parsed {
  version: string;
  status: number;
  reason: string;
  /** Lower-case names; repeated headers keep every value. */
  headers: Map<string, string[]>;
  /** Header lines as received. */
  rawHead: string;
  body: Buffer;
  /** True when the body came with Transfer-Encoding: chunked (framing validated). */
  chunked: boolean;
  /** Sizes of the chunks received (chunked only). */
  chunkSizes: number[];
}

/** First value of a header (lower-case name), or undefined. */
export function header(r: Parsed | undefined, name: string): string | undefined {
  return r?.headers.get(name)?.[0];
}

export class FramingError extends Error {}

/** The connection ended inside a response (a cut: legitimate for an aborted response, never for a complete one). */
export class TruncatedError extends FramingError {}

const CRLF = Buffer.from('\r\n');
const HEADEND = Buffer.from('\r\n\r\n');

/**
 * Tries to parse one response from `buf` at `off`. Returns null when more bytes are needed, the response
 * and the new offset otherwise. `method` decides HEAD's bodiless response; `eof` allows a close-delimited body.
 * Throws FramingError on invalid framing.
 */
export function parseOne(
  buf: Buffer,
  off: number,
  method: string,
  eof: boolean,
): { res: Parsed; next: number } | null {
  const end = buf.indexOf(HEADEND, off);
  if (end === -1) {
    if (eof && buf.length > off)
      throw new TruncatedError(`truncated head: ${JSON.stringify(buf.subarray(off).toString('latin1'))}`);
    return null;
  }
  const rawHead = buf.subarray(off, end).toString('latin1');
  const lines = rawHead.split('\r\n');
  const statusLine = lines[0] as string;
  const m = /^HTTP\/(1\.[01]) ([1-5]\d\d)(?: (.*))?$/.exec(statusLine);
  if (!m) throw new FramingError(`bad status line ${JSON.stringify(statusLine)}`);
  const headers = new Map<string, string[]>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const hm = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!hm || /[\r\n\0]/.test(line)) throw new FramingError(`bad header line ${JSON.stringify(line)}`);
    const k = (hm[1] as string).toLowerCase();
    const list = headers.get(k);
    if (list) list.push(hm[2] as string);
    else headers.set(k, [hm[2] as string]);
  }
  const status = Number(m[2]);
  let p = end + 4;
  const base = {
    version: m[1] as string,
    status,
    reason: m[3] ?? '',
    headers,
    rawHead,
    chunked: false,
    chunkSizes: [] as number[],
  };
  const te = headers.get('transfer-encoding');
  const cl = headers.get('content-length');
  if (te && cl) throw new FramingError('response has both Transfer-Encoding and Content-Length');
  if (cl && (cl.length > 1 || !/^\d+$/.test(cl[0] as string)))
    throw new FramingError(`bad response Content-Length ${JSON.stringify(cl)}`);
  const bodiless = method === 'HEAD' || status < 200 || status === 204 || status === 304;
  if (bodiless) {
    if ((status < 200 || status === 204) && (te || cl))
      throw new FramingError(`${status} response carries ${te ? 'Transfer-Encoding' : 'Content-Length'}`);
    return { res: { ...base, body: Buffer.alloc(0) }, next: p };
  }
  if (te) {
    if (te.join(',').trim().toLowerCase() !== 'chunked') throw new FramingError(`unexpected TE ${te}`);
    const parts: Buffer[] = [];
    const sizes: number[] = [];
    for (;;) {
      const le = buf.indexOf(CRLF, p);
      if (le === -1) {
        if (eof) throw new TruncatedError('truncated chunked body (no chunk-size line)');
        return null;
      }
      const sizeLine = buf.subarray(p, le).toString('latin1');
      if (!/^[0-9a-fA-F]{1,16}$/.test(sizeLine))
        throw new FramingError(`bad chunk-size line ${JSON.stringify(sizeLine)}`);
      const size = Number.parseInt(sizeLine, 16);
      p = le + 2;
      if (size === 0) {
        // trailers until an empty line
        for (;;) {
          const te2 = buf.indexOf(CRLF, p);
          if (te2 === -1) {
            if (eof) throw new TruncatedError('truncated chunked trailer');
            return null;
          }
          const line = buf.subarray(p, te2);
          p = te2 + 2;
          if (line.length === 0) break;
        }
        return { res: { ...base, chunked: true, chunkSizes: sizes, body: Buffer.concat(parts) }, next: p };
      }
      if (buf.length < p + size + 2) {
        if (eof) throw new TruncatedError('truncated chunk data');
        return null;
      }
      parts.push(buf.subarray(p, p + size));
      sizes.push(size);
      p += size;
      if (buf[p] !== 13 || buf[p + 1] !== 10) throw new FramingError('chunk data not followed by CRLF');
      p += 2;
    }
  }
  if (cl) {
    const n = Number(cl[0]);
    if (buf.length < p + n) {
      if (eof) throw new TruncatedError(`truncated body: ${buf.length - p} of ${n}`);
      return null;
    }
    return { res: { ...base, body: Buffer.from(buf.subarray(p, p + n)) }, next: p + n };
  }
  // close-delimited
  if (!eof) return null;
  return { res: { ...base, body: Buffer.from(buf.subarray(p)) }, next: buf.length };
}

/** A raw client connection with a strict response reader. Every wait has a timeout. */
export class Conn {
  readonly socket: Socket;
  /** Unparsed bytes: `buf` (already joined) followed by `tail` (not joined yet, joined lazily). */
  private buf: Buffer = Buffer.alloc(0);
  private tail: Buffer[] = [];
  private tailLen = 0;
  /** The server ended its side (FIN) or the socket closed/reset. */
  ended = false;
  /** The socket saw an error (e.g. ECONNRESET). */
  error: Error | undefined;
  private waiters: (() => void)[] = [];
  /** Every byte received, for reporting. */
  all: Buffer[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.all.push(d);
      this.tail.push(d);
      this.tailLen += d.length;
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', (e) => {
      this.error = e;
      this.ended = true;
      this.wake();
    });
  }

  static open(port: number, timeoutMs = 2000): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      const t = setTimeout(() => {
        s.destroy();
        reject(new Error('connect timeout'));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(t);
        s.setNoDelay(true);
        resolve(new Conn(s));
      });
      s.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private waitEvent(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        const i = this.waiters.indexOf(done);
        if (i !== -1) this.waiters.splice(i, 1);
        resolve(false);
      }, ms);
      const done = () => {
        clearTimeout(t);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }

  private join(): void {
    if (this.tailLen === 0) return;
    this.buf =
      this.buf.length === 0 && this.tail.length === 1
        ? (this.tail[0] as Buffer)
        : Buffer.concat([this.buf, ...this.tail]);
    this.tail = [];
    this.tailLen = 0;
  }

  write(data: string | Buffer): void {
    if (!this.socket.destroyed)
      this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Half-closes our side (FIN). */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Everything received so far, as latin1 text. */
  text(): string {
    return Buffer.concat(this.all).toString('latin1');
  }

  /** Bytes received but not yet consumed by `read`. */
  pending(): Buffer {
    this.join();
    return this.buf;
  }

  /** Reads one response (for `method`); throws on timeout, on close before a full response, on bad framing. */
  async read(method = 'GET', timeoutMs = 2000): Promise<Parsed> {
    const deadline = Date.now() + timeoutMs;
    // joining on every packet would be quadratic for multi-megabyte bodies: parse again when the pending
    // bytes doubled, when the peer went quiet for a moment, or at the end
    let tried = -1;
    let triedAtEnd = false;
    let quiet = false;
    for (;;) {
      const have = this.buf.length + this.tailLen;
      if ((have !== tried && (this.ended || quiet || have >= 2 * tried)) || (this.ended && !triedAtEnd)) {
        this.join();
        tried = this.buf.length;
        triedAtEnd = this.ended;
        const got = parseOne(this.buf, 0, method, this.ended);
        if (got) {
          this.buf = this.buf.subarray(got.next);
          return got.res;
        }
      }
      if (this.ended && this.tailLen === 0) {
        throw new Error(
          `connection closed before a full response; received ${JSON.stringify(this.text().slice(0, 300))}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timeout waiting for a response; received ${JSON.stringify(this.text().slice(0, 300))}`,
        );
      quiet = !(await this.waitEvent(Math.min(left, 15)));
    }
  }

  /** Reads `methods.length` responses in order. */
  async readAll(methods: string[], timeoutMs = 3000): Promise<Parsed[]> {
    const out: Parsed[] = [];
    const deadline = Date.now() + timeoutMs;
    for (const m of methods) out.push(await this.read(m, Math.max(1, deadline - Date.now())));
    return out;
  }

  /** Resolves true if the server closes the connection within `ms` (false if it stays open). */
  async waitClosed(ms = 1000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await this.waitEvent(left);
    }
    return true;
  }

  /** Resolves true if nothing at all arrives within `ms` and the connection stays open. */
  async quiet(ms: number): Promise<boolean> {
    const before = this.buf.length + this.tailLen;
    await sleep(ms);
    return !this.ended && this.buf.length + this.tailLen === before;
  }
}

/**
 * Sends `bytes` on a fresh connection and reads one response; then reports whether the server closed the
 * connection within `closeMs`. Never hangs.
 */
export async function exchange(
  port: number,
  bytes: string | Buffer,
  opts: { method?: string; timeoutMs?: number; closeMs?: number } = {},
): Promise<{ res: Parsed; closed: boolean; conn: Conn }> {
  const conn = await Conn.open(port);
  try {
    conn.write(bytes);
    const res = await conn.read(opts.method ?? 'GET', opts.timeoutMs ?? 2000);
    const closed = await conn.waitClosed(opts.closeMs ?? 800);
    return { res, closed, conn };
  } finally {
    setTimeout(() => conn.destroy(), 0);
  }
}

/** Sends `bytes` and collects everything until the server closes or `idleMs` passes without data. */
export async function collect(
  port: number,
  bytes: string | Buffer,
  idleMs = 600,
  maxMs = 3000,
  fin = false,
): Promise<{ text: string; closed: boolean }> {
  const conn = await Conn.open(port);
  conn.write(bytes);
  if (fin) conn.end();
  const deadline = Date.now() + maxMs;
  let last = -1;
  while (!conn.ended && Date.now() < deadline) {
    const len = conn.text().length;
    if (len === last) break;
    last = len;
    await conn.waitClosed(idleMs);
  }
  const closed = conn.ended;
  conn.destroy();
  return { text: conn.text(), closed };
}

/** A plain GET on a new connection (used to prove the server still serves). */
export async function simpleGet(port: number, path = '/'): Promise<Parsed> {
  const conn = await Conn.open(port);
  try {
    conn.write(`GET ${path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
    return await conn.read('GET', 2000);
  } finally {
    conn.destroy();
  }
}

/** mulberry32: a tiny seeded PRNG, so a failing fuzz input can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
