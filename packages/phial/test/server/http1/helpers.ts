/** Raw-socket helpers for the HTTP/1.1 server tests: bytes in, bytes out, responses split by framing. */
import type { Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { Phial } from '../../../src/index.js';
import { createHttp1Server, type Http1ServerOptions } from '../../../src/server/http1/index.js';

/** An app that logs nothing. */
export function quietApp(): Phial {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.logger = { debug() {}, info() {}, warn() {}, error() {} };
  return app;
}

export interface Running {
  port: number;
  server: Server;
  stop(): Promise<void>;
}

const running: Running[] = [];

/** Serves `app` on 127.0.0.1:0 with Phial's HTTP/1.1 server; `tune` sets timeouts before listening. */
export async function serve(
  app: Phial,
  tune?: (s: Server) => void,
  options?: Http1ServerOptions,
): Promise<Running> {
  const server = createHttp1Server(app, options);
  tune?.(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const r: Running = {
    port: (server.address() as AddressInfo).port,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  running.push(r);
  return r;
}

/** Stops every server `serve` started. */
export async function stopAll(): Promise<void> {
  for (const r of running.splice(0)) await r.stop();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A raw client: write bytes, wait for bytes or for the close. */
export class Client {
  readonly socket: Socket;
  data = Buffer.alloc(0);
  closed = false;
  private waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => {
      this.data = Buffer.concat([this.data, c]);
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static open(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => resolve(new Client(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  write(s: string | Buffer): void {
    this.socket.write(s);
  }

  get text(): string {
    return this.data.toString('latin1');
  }

  /** Waits until `cond` holds (checked on every event) or `ms` pass; returns whether it held. */
  async until(cond: () => boolean, ms = 2000): Promise<boolean> {
    const end = Date.now() + ms;
    while (!cond()) {
      const left = end - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return true;
  }

  /** Waits for `n` complete responses (parsed per `methods`) and returns them. */
  async responses(n: number, methods: string[] = [], ms = 2000): Promise<Parsed[]> {
    let out: Parsed[] = [];
    await this.until(() => {
      out = parseAll(this.data, methods, this.closed);
      return out.length >= n || this.closed;
    }, ms);
    if (out.length < n)
      throw new Error(`expected ${n} responses, got ${out.length}: ${JSON.stringify(this.text)}`);
    return out;
  }

  waitClosed(ms = 2000): Promise<boolean> {
    return this.until(() => this.closed, ms);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** One response. */
export interface Parsed {
  status: number;
  reason: string;
  /** Lower-case names; every value of a repeated header. */
  headers: Record<string, string[]>;
  head: string;
  body: string;
  chunked: boolean;
}

/** Splits `buf` into complete responses (strict framing; throws on broken framing). */
export function parseAll(buf: Buffer, methods: string[], eof: boolean): Parsed[] {
  const out: Parsed[] = [];
  let p = 0;
  const s = buf.toString('latin1');
  for (;;) {
    const end = s.indexOf('\r\n\r\n', p);
    if (end === -1) return out;
    const head = s.slice(p, end);
    const lines = head.split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3}) ?(.*)$/.exec(lines[0] as string);
    if (!m) throw new Error(`bad status line ${JSON.stringify(lines[0])}`);
    const headers: Record<string, string[]> = {};
    for (const line of lines.slice(1)) {
      const hm = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+): (.*)$/.exec(line);
      if (!hm) throw new Error(`bad header line ${JSON.stringify(line)}`);
      const k = (hm[1] as string).toLowerCase();
      const list = headers[k] ?? [];
      list.push(hm[2] as string);
      headers[k] = list;
    }
    const status = Number(m[1]);
    const method = methods[out.length] ?? 'GET';
    let q = end + 4;
    let body = '';
    let chunked = false;
    if (method === 'HEAD' || status < 200 || status === 204 || status === 304) {
      // no body
    } else if (headers['transfer-encoding']) {
      chunked = true;
      for (;;) {
        const le = s.indexOf('\r\n', q);
        if (le === -1) return out;
        const size = Number.parseInt(s.slice(q, le), 16);
        if (!/^[0-9a-f]+$/.test(s.slice(q, le))) throw new Error('bad chunk size');
        if (size === 0) {
          if (s.length < le + 4) return out;
          q = le + 4;
          break;
        }
        if (s.length < le + 2 + size + 2) return out;
        body += s.slice(le + 2, le + 2 + size);
        if (s.slice(le + 2 + size, le + 4 + size) !== '\r\n') throw new Error('bad chunk end');
        q = le + 4 + size;
      }
    } else if (headers['content-length']) {
      const n = Number(headers['content-length'][0]);
      if (s.length < q + n) return out;
      body = s.slice(q, q + n);
      q += n;
    } else {
      if (!eof) return out;
      body = s.slice(q);
      q = s.length;
    }
    out.push({ status, reason: m[2] as string, headers, head, body, chunked });
    p = q;
  }
}

/** Sends `data` on a fresh connection and returns the responses and whether the server closed. */
export async function exchange(
  port: number,
  data: string | Buffer,
  opts: { n?: number; methods?: string[]; ms?: number } = {},
): Promise<{ responses: Parsed[]; closed: boolean; text: string }> {
  const c = await Client.open(port);
  c.write(data);
  const n = opts.n ?? 1;
  await c.until(() => c.closed || parseAll(c.data, opts.methods ?? [], false).length >= n, opts.ms ?? 2000);
  await c.waitClosed(100);
  const responses = parseAll(c.data, opts.methods ?? [], c.closed);
  const closed = c.closed;
  c.destroy();
  return { responses, closed, text: c.text };
}
