/**
 * The servers behind `phial run` and `phial serve`: Phial's HTTP/1.1 server (HTTPS with `--cert`/`--key`),
 * optional Werkzeug-style access lines, and a graceful close.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Phial } from '../app/phial.js';
import { type AccessLogFormat, accessLogFormatter } from '../server/access-log.js';
import type { AccessEntry } from '../server/http1/index.js';
import { createAppServer } from '../server/listen.js';

/** Where the CLI writes (the test runner captures these). */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

/** Options of `startServer`. */
export interface StartServerOptions {
  host: string;
  port: number;
  /** PEM files for HTTPS. */
  cert?: string | null;
  key?: string | null;
  /** Write an access line per request to `io.err`. */
  accessLog?: boolean;
  /** Its format (default `text`, Werkzeug's). */
  accessLogFormat?: AccessLogFormat;
  /** Called after each response (`--max-requests` counts them). */
  onServed?: () => void;
  io: CliIO;
}

/** Creates the server (http or https) and waits until it listens. */
export async function startServer(app: Phial, options: StartServerOptions): Promise<Server> {
  const { io } = options;
  const line = accessLogFormatter(options.accessLogFormat);
  const served = options.onServed;
  const log = options.accessLog ? (entry: AccessEntry) => io.err(`${line(entry)}\n`) : undefined;
  const onResponse =
    served === undefined
      ? log
      : (entry: AccessEntry) => {
          log?.(entry);
          served();
        };
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (options.cert) {
    if (!options.key) throw new Error('When "--cert" is a file, "--key" is required.');
    tls = { cert: readFileSync(options.cert), key: readFileSync(options.key) };
  } else if (options.key) {
    throw new Error('"--cert" must also be specified when "--key" is given.');
  }
  const server = createAppServer(app, {
    ...(onResponse ? { onResponse } : {}),
    ...(tls ? { tls } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** The port a listening server got. */
export function boundPort(server: { address(): unknown }, fallback: number): number {
  const a = server.address();
  return typeof a === 'object' && a !== null && 'port' in a ? Number((a as { port: number }).port) : fallback;
}

/** `http://127.0.0.1:5000` style lines for a bound address (Werkzeug's `log_startup`). */
export function runningLines(host: string, port: number, scheme: string): string[] {
  if (host === '0.0.0.0' || host === '::') {
    return [
      ` * Running on all addresses (${host})`,
      ` * Running on ${scheme}://${host === '::' ? '[::1]' : '127.0.0.1'}:${port}`,
    ];
  }
  return [` * Running on ${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`];
}

/** Resolves on the first SIGINT/SIGTERM (and removes the listeners). */
export function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/**
 * How long a reloaded (old) worker keeps serving what it accepted: the new worker already serves. Below the
 * reloader's 5 s SIGKILL, so the old worker always ends by itself.
 */
export const RELOAD_SWAP_TIMEOUT_MS = 4500;
/**
 * How long the old worker waits before closing connections that look idle. A connection accepted just before
 * the swap looks idle until the (possibly CPU-starved) worker reads its request, and closing it then resets
 * it; its answer says `Connection: close`, so waiting costs nothing but the old worker's lifetime.
 */
export const RELOAD_SWAP_IDLE_GRACE_MS = 4000;

/**
 * Stops accepting, lets in-flight requests finish (idle keep-alive connections are closed, busy ones
 * are closed once their response is done), and resolves when the server is closed. After `timeoutMs`
 * the remaining connections are cut. `idleGraceMs` is how long a connection that has sent nothing yet may take
 * to send its request before idle connections are closed (longer for the reloader's swap, where clients keep
 * connecting to the old worker until the moment it closes, and a starved process reads late). `onCut` hears
 * how many connections were still open when the timeout cut them.
 */
export function closeGracefully(
  server: Server,
  timeoutMs = 30_000,
  idleGraceMs = 750,
  onCut?: (open: number) => void,
): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(first);
      clearInterval(tick);
      clearTimeout(timer);
      resolve();
    };
    // responses sent from now on ask the client to close (node:http; Phial's server does it on close())
    server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
      res.shouldKeepAlive = false;
    });
    server.close(() => finish());
    // no idle close at once: a connection accepted just before close() may not have sent its request
    // yet (it looks idle); nothing new is accepted after close(), so one grace period covers them (long
    // enough for a starved process; the reloader swaps workers this way while clients keep connecting)
    let tick: NodeJS.Timeout | undefined;
    const first = setTimeout(
      () => {
        server.closeIdleConnections();
        tick = setInterval(() => server.closeIdleConnections(), 150);
        tick.unref();
      },
      Math.min(idleGraceMs, timeoutMs),
    );
    first.unref();
    const timer = setTimeout(() => {
      const cut = () => {
        server.closeAllConnections();
        finish();
      };
      if (onCut === undefined) cut();
      else
        server.getConnections((err, open) => {
          if (!err && open > 0) onCut(open);
          cut();
        });
    }, timeoutMs);
    timer.unref();
  });
}
