/**
 * One driver per adapter: each sends a matrix request its own way and reports what a client saw
 * (`Seen`). Socket drivers keep one keep-alive connection, so a mis-framed answer breaks the next case.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Phial } from '../../src/index.js';
import {
  bundleForRuntime,
  RUNTIME_BIN,
  RUNTIME_ENV,
  removeBundles,
  runtimeArgs,
  runtimeAvailable,
} from '../testing/runtimes.js';
import type { AdapterName, MatrixRequest, Seen } from './cases.js';

export interface Driver {
  readonly name: AdapterName;
  send(req: MatrixRequest): Promise<Seen>;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

function bodyInit(body: MatrixRequest['body']): Uint8Array | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? new TextEncoder().encode(body) : body;
}

/** The test client (no cookie jar: every adapter gets the same explicit headers). */
export function clientDriver(app: Phial): Driver {
  const client = app.testClient({ useCookies: false });
  return {
    name: 'client',
    async send(req) {
      const body = bodyInit(req.body);
      const r = await client.open(req.path, {
        method: req.method ?? 'GET',
        ...(req.headers ? { headers: req.headers } : {}),
        ...(body ? { data: body } : {}),
      });
      return fromWebHeaders(r.status, r.statusText, r.headers, r.data);
    },
    close: async () => {},
  };
}

/** `app.fetch` in this process. */
export function fetchDriver(app: Phial): Driver {
  return {
    name: 'fetch',
    async send(req) {
      const body = bodyInit(req.body);
      const r = await app.fetch(
        new globalThis.Request(`http://localhost${req.path}`, {
          method: req.method ?? 'GET',
          ...(req.headers ? { headers: req.headers } : {}),
          ...(body ? { body } : {}),
        }),
      );
      return fromWebHeaders(r.status, r.statusText, r.headers, new Uint8Array(await r.arrayBuffer()));
    },
    close: async () => {},
  };
}

function fromWebHeaders(status: number, statusText: string, h: Headers, body: Uint8Array): Seen {
  const headers: Record<string, string> = {};
  h.forEach((v, k) => {
    if (k !== 'set-cookie') headers[k] = v;
  });
  return { status, statusText, headers, setCookies: h.getSetCookie(), body };
}

/** A driver over a real socket to 127.0.0.1:port (one keep-alive connection, requests in turn). */
export function socketDriver(name: AdapterName, port: number, close: () => Promise<void>): Driver {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    name,
    send(req) {
      return new Promise<Seen>((resolve, reject) => {
        const body = bodyInit(req.body);
        const headers: Record<string, string> = { ...req.headers };
        if (body) headers['content-length'] = String(body.byteLength);
        const r = httpRequest(
          { host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.path, headers, agent },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
              const out: Record<string, string> = {};
              let cookies: string[] = [];
              for (const [k, v] of Object.entries(res.headers)) {
                if (v === undefined) continue;
                if (k === 'set-cookie') cookies = v as string[];
                else out[k] = Array.isArray(v) ? v.join(', ') : v;
              }
              resolve({
                status: res.statusCode ?? 0,
                statusText: res.statusMessage ?? '',
                headers: out,
                setCookies: cookies,
                body: new Uint8Array(Buffer.concat(chunks)),
              });
            });
          },
        );
        r.on('error', reject);
        r.end(body);
      });
    },
    async close() {
      agent.destroy();
      await close();
    },
  };
}

async function listening(server: Server): Promise<number> {
  if (!server.listening) await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

/** node:http with `app.handler`. */
export async function nodeDriver(app: Phial): Promise<Driver> {
  const server = await app.listen(0, '127.0.0.1', { server: 'node' });
  return socketDriver('node', await listening(server), closer(server));
}

/** Phial's own HTTP/1.1 server (`app.listen`). */
export async function phialDriver(app: Phial): Promise<Driver> {
  const server = await app.listen(0, '127.0.0.1', { server: 'phial' });
  return socketDriver('phial', await listening(server), closer(server));
}

/**
 * Phial's server while monitoring watches it (a 'request' listener: node's objects are built, the app
 * runs inside the event): the answers must be the same bytes.
 */
export async function phialObservedDriver(app: Phial): Promise<Driver> {
  const server = await app.listen(0, '127.0.0.1', { server: 'phial' });
  let seen = 0;
  server.on('request', () => {
    seen++;
  });
  const driver = socketDriver('phial-observed', await listening(server), closer(server));
  return {
    ...driver,
    async send(req) {
      const before = seen;
      const out = await driver.send(req);
      if (seen !== before + 1) throw new Error(`the 'request' event fired ${seen - before} times`);
      return out;
    },
  };
}

/** `app.fetch` served by `Bun.serve` or `Deno.serve` in a child process. */
export async function runtimeDriver(name: 'bun' | 'deno'): Promise<Driver> {
  const file = await bundleForRuntime(join(here, 'runtime-entry.ts'));
  const child: ChildProcess = spawn(RUNTIME_BIN[name], runtimeArgs(name, file), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: RUNTIME_ENV,
  });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${err}`)), 20_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${String(code)}): ${err}`));
    });
  });
  return socketDriver(name, port, async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
}

export { removeBundles as removeBundle, runtimeAvailable };
