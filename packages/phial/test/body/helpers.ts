/** Real-socket helpers for the body tests: both servers, and a raw client that waits for what it expects. */
import type { Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { Phial } from '../../src/index.js';

/** The two servers every body rule is checked on. */
export const SERVERS = ['phial', 'node'] as const;
export type ServerKind = (typeof SERVERS)[number];

/** Starts `app` on Phial's server or on node:http (`app.handler`); `close()` stops it. */
export async function start(
  app: Phial,
  kind: ServerKind,
): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  const server = await app.listen(0, '127.0.0.1', { server: kind });
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

/** A raw TCP client: write bytes, wait until the text received matches, see whether the server closed. */
export class RawClient {
  readonly socket: Socket;
  text = '';
  closed = false;
  private waiters: (() => void)[] = [];

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (c: Buffer) => {
      this.text += c.toString('latin1');
      this.wake();
    });
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  /** Writes if the socket is still open (false once the server closed it). */
  write(data: string | Buffer): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    this.socket.write(data);
    return true;
  }

  /** Resolves once `test(text)` holds (or the socket closed); rejects after `ms`. */
  async until(test: (text: string, closed: boolean) => boolean, ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!test(this.text, this.closed)) {
      if (this.closed) throw new Error(`closed before the expected data; got: ${JSON.stringify(this.text)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got: ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.text;
  }

  /** Resolves once the server closed the connection; rejects after `ms`. */
  async untilClosed(ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`still open; got: ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Number of complete responses (status lines) in `text`. */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
