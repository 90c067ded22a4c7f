/** Shared helpers of the realtime tests: servers on port 0, waiting for a condition, SSE over a real socket. */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Phial } from '../../src/index.js';
import { parseEventStream, type ReceivedEvent } from '../../src/testing/stream.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `fn` until it is truthy (or fails after `ms`). */
export async function waitFor(fn: () => unknown, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await sleep(5);
  }
}

export type Kind = 'phial' | 'node';

/** Starts the app on 127.0.0.1:0 with the given server; returns its port and a stopper. */
export async function serve(
  app: Phial,
  kind: Kind,
): Promise<{ port: number; server: Server; close: () => Promise<void> }> {
  const server = await app.listen(0, '127.0.0.1', { server: kind });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Opens an SSE stream over a real socket; resolves once the head arrived. */
export function openSse(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ res: http.IncomingMessage; events: AsyncGenerator<ReceivedEvent>; destroy: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.get({
      host: '127.0.0.1',
      port,
      path,
      headers: { accept: 'text/event-stream', ...headers },
    });
    req.on('response', (res) => {
      resolve({ res, events: parseEventStream(res), destroy: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

/** A logger that records errors. */
export function recordingLogger(errors: unknown[][]) {
  return { debug() {}, info() {}, warn() {}, error: (...a: unknown[]) => errors.push(a) };
}
