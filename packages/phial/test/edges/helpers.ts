/** Real-socket helpers of the edge tests: both servers (Phial's own and node:http), raw bytes in and out. */
import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { Phial } from '../../src/index.js';
import type { ServerKind } from '../../src/server/listen.js';

/** Both servers `app.listen` can start. */
export const KINDS: ServerKind[] = ['phial', 'node'];

/** An app that keeps its errors (returned by `errors()`) instead of logging them. */
export function quietApp(): Phial & { errors: unknown[] } {
  const app = new Phial(import.meta.url, { staticFolder: null }) as Phial & { errors: unknown[] };
  app.errors = [];
  app.logger = {
    debug() {},
    info() {},
    warn() {},
    error(...args: unknown[]) {
      app.errors.push(args);
    },
  };
  return app;
}

const servers: Server[] = [];

/** Starts `app` on 127.0.0.1 with the given server; returns its port. */
export async function start(app: Phial, kind: ServerKind): Promise<number> {
  const server = await app.listen(0, '127.0.0.1', { server: kind });
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

/** Stops every server `start` started. */
export async function stopAll(): Promise<void> {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Sends `parts` on one connection (a pause of `gapMs` between them) and collects what the server sends
 * until it closes the connection (`closed: true`) or `idleMs` pass without a byte.
 */
export function exchange(
  port: number,
  parts: (string | Buffer)[],
  { idleMs = 1500, gapMs = 0 }: { idleMs?: number; gapMs?: number } = {},
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), idleMs);
    };
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      arm();
    });
    socket.on('close', () => finish(true));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      // a reset after the server cut the connection still counts as a close
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') finish(true);
      else reject(e);
    });
    socket.on('connect', async () => {
      arm();
      for (let i = 0; i < parts.length; i++) {
        if (i > 0 && gapMs > 0) await sleep(gapMs);
        if (!socket.destroyed) socket.write(parts[i] as string | Buffer);
      }
    });
  });
}

/** One parsed response of a raw exchange. */
export interface Parsed {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Chunked bodies: true when the terminating 0-chunk arrived. */
  complete: boolean;
}

/**
 * Splits the bytes of a raw exchange into responses (Content-Length or chunked framing). What follows a
 * response that is not complete is returned in `rest`.
 */
export function parseResponses(text: string): { responses: Parsed[]; rest: string } {
  const responses: Parsed[] = [];
  let pos = 0;
  while (pos < text.length) {
    const end = text.indexOf('\r\n\r\n', pos);
    if (end === -1) break;
    const lines = text.slice(pos, end).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] as string);
    if (!m) break;
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const c = line.indexOf(':');
      headers[line.slice(0, c).toLowerCase()] = line.slice(c + 1).trim();
    }
    let at = end + 4;
    let body = '';
    let complete = true;
    if (headers['transfer-encoding'] === 'chunked') {
      complete = false;
      for (;;) {
        const lf = text.indexOf('\r\n', at);
        if (lf === -1) break;
        const size = Number.parseInt(text.slice(at, lf), 16);
        if (!Number.isFinite(size) || lf + 2 + size + 2 > text.length) break;
        if (size === 0) {
          at = lf + 4;
          complete = true;
          break;
        }
        body += text.slice(lf + 2, lf + 2 + size);
        at = lf + 2 + size + 2;
      }
    } else {
      const n = Number(headers['content-length'] ?? 0);
      body = text.slice(at, at + n);
      at += n;
    }
    responses.push({ status: Number(m[1]), headers, body, complete });
    pos = at;
    if (!complete) break;
  }
  return { responses, rest: text.slice(pos) };
}
