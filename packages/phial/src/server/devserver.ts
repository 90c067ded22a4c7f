/**
 * `app.run()`: the development server. Prints Flask's banner and Werkzeug-style access lines.
 * (The reloader and the browser debugger live in `dev/`, loaded only in debug mode, later.)
 */
import type { Server } from 'node:http';
import type { Phial } from '../app/phial.js';
import { listenApp, type ServerKind } from './listen.js';

/** Options of `app.run`. */
export interface RunOptions {
  /** Interface to bind (default `127.0.0.1`, or PHIAL_RUN_HOST). */
  host?: string;
  /** Port (default PHIAL_RUN_PORT, then PORT, then 5000). */
  port?: number;
  /** Turns debug mode on or off. */
  debug?: boolean;
  /** Print the banner and access lines (default true). */
  quiet?: boolean;
  /** Where lines go (default: banner to stdout, access lines to stderr). */
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Which server (default Phial's own; see `app.listen`). */
  server?: ServerKind;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Werkzeug's log date: `24/Nov/2026 06:40:00` (local time). */
export function logDate(d: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** What an access line needs of a finished request (either server's `AccessEntry` has it). */
export interface AccessLineEntry {
  method: string;
  url: string;
  httpVersion: string;
  remoteAddress: string | undefined;
  status: number;
}

/** One access line: `127.0.0.1 - - [24/Nov/2026 06:40:00] "GET / HTTP/1.1" 200 -`. */
export function accessLine(entry: AccessLineEntry, date = new Date()): string {
  const addr = entry.remoteAddress ?? '-';
  const url = entry.url.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
    /[\x00-\x1f\x7f"]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return `${addr} - - [${logDate(date)}] "${entry.method} ${url} HTTP/${entry.httpVersion}" ${entry.status} -`;
}

function envPort(): number | undefined {
  for (const name of ['PHIAL_RUN_PORT', 'PORT']) {
    const v = process.env[name];
    if (v && /^\d+$/.test(v)) return Number(v);
  }
  return undefined;
}

/** Starts the development server; resolves once it listens. */
export async function runDevServer(app: Phial, options: RunOptions = {}): Promise<Server> {
  if (options.debug !== undefined) app.debug = options.debug;
  const host = options.host ?? process.env.PHIAL_RUN_HOST ?? '127.0.0.1';
  const port = options.port ?? envPort() ?? 5000;
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = options.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const quiet = options.quiet ?? false;
  if (!quiet) {
    out(` * Serving Phial app '${app.name}'`);
    out(` * Debug mode: ${app.debug ? 'on' : 'off'}`);
  }
  const server = await listenApp(app, port, host, {
    server: options.server,
    onResponse: quiet ? undefined : (entry) => err(accessLine(entry)),
  });
  if (!quiet) {
    const addr = server.address();
    const actualPort = typeof addr === 'object' && addr !== null ? addr.port : port;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    out(
      'WARNING: This is a development server. Do not use it in a production deployment. Use a production server instead (phial serve).',
    );
    if (host === '0.0.0.0' || host === '::') {
      out(` * Running on all addresses (${host})`);
      out(` * Running on http://${host === '::' ? '[::1]' : '127.0.0.1'}:${actualPort}`);
    } else {
      out(` * Running on http://${shownHost}:${actualPort}`);
    }
    out('Press CTRL+C to quit');
  }
  return server;
}
