/** Real-socket helpers shared by tests that compare the test client with what node:http sends. */
import { request as httpRequest, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import type { Phial } from '../../src/index.js';

/** What a raw HTTP/1.1 client saw. */
export interface RawResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Header lines exactly as received (name and value), in order. */
  rawHeaders: string[];
  body: Buffer;
}

/** Starts `app` on 127.0.0.1 (a free port); `close()` stops it. */
export async function serve(app: Phial): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  const server = await app.listen(0, '127.0.0.1');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One request through node's http client (no keep-alive agent). */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

/**
 * Writes raw bytes on a fresh TCP connection and collects everything the server sends until it closes
 * the connection (or `idleMs` passes without data). `closed` says whether the server closed it.
 */
export function rawExchange(
  port: number,
  send: (write: (data: string | Buffer) => boolean) => void | Promise<void>,
  idleMs = 1500,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), idleMs);
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      arm();
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      // a reset after the response was sent still counts as the server closing the connection
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') finish(true);
      else if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(e);
      }
    });
    socket.on('connect', async () => {
      arm();
      try {
        await send((d) => (socket.writable ? socket.write(d) : false));
      } catch (e) {
        reject(e);
      }
    });
  });
}
