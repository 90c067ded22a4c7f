/**
 * `phial serve`: the production server. One process, or `--workers N` processes through node:cluster
 * (the primary restarts workers that die). SIGTERM/SIGINT shut down gracefully: stop accepting, finish the
 * requests in flight, exit.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import type { Phial } from '../app/phial.js';
import { clusterRelay } from '../realtime/cluster.js';
import type { AccessLogFormat } from '../server/access-log.js';
import { boundPort, type CliIO, closeGracefully, shutdownSignal, startServer } from './server.js';

/** Options of `phial serve`. */
export interface ServeOptions {
  host: string;
  port: number;
  workers: number;
  /** Seconds given to in-flight requests after a shutdown signal. */
  gracefulTimeout: number;
  accessLog: boolean;
  /** The access line's format (default `text`, Werkzeug's). */
  accessLogFormat?: AccessLogFormat;
  cert?: string | null;
  key?: string | null;
  /** Sets `BODY_TIMEOUT` (seconds; 0 turns the slow-body guard off). */
  bodyTimeout?: number | null;
  /** Sets `BODY_MIN_RATE` (bytes per second). */
  bodyMinRate?: number | null;
  /**
   * Seconds a worker may go without a heartbeat (its event loop blocked) before the primary kills and
   * replaces it (gunicorn's `--timeout`); 0 turns the check off. With `--workers` of 2 or more.
   */
  timeout?: number;
  /** Requests a worker serves before it is replaced (gunicorn's `--max-requests`; 0: never). */
  maxRequests?: number;
  /** Up to this many more requests, chosen per worker, so workers do not all restart at once. */
  maxRequestsJitter?: number;
}

/** The message a worker sends the primary while its event loop runs. */
const HEARTBEAT = 'phial:heartbeat';
/** A worker reached --max-requests: the primary starts its replacement, then stops it. */
const RETIRE = 'phial:retire';

/** How often a worker with a `timeout` of `seconds` says it is alive (a few beats per timeout). */
function beatInterval(seconds: number): number {
  return Math.min(5000, Math.max(100, (seconds * 1000) / 4));
}

/** Marks a cluster worker started by `phial serve`. */
export const SERVE_WORKER_ENV = 'PHIAL_SERVE_WORKER';

/** Serves in this process until a shutdown signal, then closes gracefully. */
export async function serveOne(
  app: Phial,
  options: ServeOptions,
  io: CliIO,
  onListening?: (server: Server) => void,
): Promise<number> {
  if (app.debug) {
    // a production server never runs the debugger nor sends stack traces, whatever .env or --debug say
    // (under gunicorn a Flask app in debug mode still gets gunicorn's plain 500)
    io.err(
      ` * Debug mode is off under 'phial serve' (PHIAL_DEBUG, --debug or DEBUG asked for it): use 'phial run' to debug\n`,
    );
    app.debug = false;
  }
  if (options.bodyTimeout !== undefined && options.bodyTimeout !== null)
    app.config.BODY_TIMEOUT = options.bodyTimeout;
  if (options.bodyMinRate !== undefined && options.bodyMinRate !== null)
    app.config.BODY_MIN_RATE = options.bodyMinRate;
  // only a cluster worker has a primary to start its replacement
  const limit = cluster.isWorker ? requestLimit(options) : 0;
  let served = 0;
  const server = await startServer(app, {
    ...options,
    io,
    ...(limit > 0
      ? {
          onServed: () => {
            if (++served !== limit) return;
            // keep serving until the primary's replacement listens, then the SIGTERM below ends this one
            io.err(` * Worker ${process.pid} served ${limit} requests (--max-requests): replacing it\n`);
            process.send?.({ type: RETIRE });
          },
        }
      : {}),
  });
  onListening?.(server);
  let beat: ReturnType<typeof setInterval> | null = null;
  if (cluster.isWorker && options.timeout) {
    // the primary replaces a worker whose heartbeats stop: they only go out while the event loop runs
    beat = setInterval(() => process.send?.({ type: HEARTBEAT }), beatInterval(options.timeout));
    beat.unref();
  }
  await shutdownSignal();
  if (beat !== null) clearInterval(beat);
  await closeGracefully(server, options.gracefulTimeout * 1000, undefined, (open) =>
    io.err(
      ` * Graceful timeout (${options.gracefulTimeout} s): closing ${open} connection${open === 1 ? '' : 's'} still open (pid ${process.pid})\n`,
    ),
  );
  await app.shutdown();
  if (cluster.isWorker) {
    // the primary may have handed this worker a connection just before it learned the server closed: stay
    // a moment to answer "not accepted" (the primary then gives it to another worker); a worker that is gone
    // leaves such a connection with nobody to read it
    await new Promise((resolve) => setTimeout(resolve, HANDOFF_GRACE_MS));
  }
  return 0;
}

/** How long a cluster worker stays after its server closed (see serveOne). */
const HANDOFF_GRACE_MS = 250;

/** This worker's request limit: `maxRequests` plus a random part of the jitter (0: none). */
function requestLimit(options: ServeOptions): number {
  const max = options.maxRequests ?? 0;
  if (max <= 0) return 0;
  const jitter = options.maxRequestsJitter ?? 0;
  return max + (jitter > 0 ? Math.floor(Math.random() * (jitter + 1)) : 0);
}

/** Banner line of a listening server. */
function listeningLine(options: ServeOptions, port: number, workers: number): string {
  const scheme = options.cert ? 'https' : 'http';
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return ` * Listening at: ${scheme}://${host}:${port} (${workers} worker${workers === 1 ? '' : 's'}, pid ${process.pid})\n`;
}

/** Single-process `serve`: prints the banner and serves. */
export function serveSingle(app: Phial, label: string, options: ServeOptions, io: CliIO): Promise<number> {
  io.out(` * Serving Phial app '${label}' (production)\n`);
  return serveOne(app, options, io, (server) => {
    io.out(listeningLine(options, boundPort(server, options.port), 1));
  });
}

/**
 * The cluster primary: forks `workers` processes running `exec args` (the same CLI, as workers), restarts
 * those that die after booting, and on SIGTERM/SIGINT asks every worker to finish and waits for them.
 */
export function servePrimary(
  label: string,
  options: ServeOptions,
  io: CliIO,
  reexec: { execArgv: string[]; exec: string; args: string[] },
): Promise<number> {
  cluster.setupPrimary({ exec: reexec.exec, args: reexec.args, execArgv: reexec.execArgv });
  // a Broadcast in one worker reaches the clients of every worker
  const stopRelay = clusterRelay();
  io.out(` * Serving Phial app '${label}' (production)\n`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    let announced = false;
    let booted = 0;
    let failedBoots = 0;
    const live = new Set<Worker>();
    /** When each listening worker last said it is alive. */
    const lastBeat = new Map<Worker, number>();
    const timeoutMs = (options.timeout ?? 0) * 1000;
    const watchdog =
      timeoutMs > 0
        ? setInterval(
            () => {
              if (stopping) return;
              const now = Date.now();
              for (const [w, at] of lastBeat) {
                if (now - at <= timeoutMs) continue;
                lastBeat.delete(w);
                io.err(
                  ` * Worker ${w.process.pid} timed out (no heartbeat for ${options.timeout} s: its event loop is blocked); killing it\n`,
                );
                w.process.kill('SIGKILL');
              }
            },
            beatInterval(options.timeout ?? 0),
          )
        : null;
    watchdog?.unref();
    /** Workers that asked to retire (--max-requests): they stop once their replacement listens. */
    const retiring = new Set<Worker>();
    const fork = (replacing?: Worker) => {
      const w = cluster.fork({ [SERVE_WORKER_ENV]: '1' });
      live.add(w);
      let listening = false;
      w.on('message', (m: unknown) => {
        const type = (m as { type?: unknown } | null)?.type;
        if (type === HEARTBEAT && lastBeat.has(w)) lastBeat.set(w, Date.now());
        else if (type === RETIRE && !stopping && !retiring.has(w)) {
          // the replacement first: the shared socket never lacks a worker, so no connection is refused
          retiring.add(w);
          fork(w);
        }
      });
      w.on('listening', (address) => {
        listening = true;
        if (timeoutMs > 0) lastBeat.set(w, Date.now());
        if (replacing !== undefined && replacing.isConnected()) replacing.process.kill('SIGTERM');
        booted++;
        io.out(` * Booting worker with pid: ${w.process.pid}\n`);
        if (!announced && booted >= options.workers) {
          announced = true;
          io.out(listeningLine(options, address.port, options.workers));
        }
      });
      w.on('exit', (code, signal) => {
        live.delete(w);
        lastBeat.delete(w);
        if (stopping) {
          if (live.size === 0) resolve(0);
          return;
        }
        if (!listening) {
          failedBoots++;
          io.err(` * Worker ${w.process.pid} failed to boot (exit ${code ?? signal})\n`);
          if (replacing !== undefined && retiring.delete(replacing)) {
            // new code that does not start: the worker it was to replace keeps serving
            io.err(` * Worker ${replacing.process.pid} keeps serving\n`);
            return;
          }
          if (failedBoots >= options.workers && booted === 0) {
            stopping = true;
            for (const other of live) other.process.kill('SIGTERM');
            if (live.size === 0) resolve(1);
            else setTimeout(() => resolve(1), 100).unref();
          }
          return;
        }
        if (retiring.delete(w)) return; // its replacement already serves
        io.err(` * Worker ${w.process.pid} exited (${code ?? signal}); starting a new one\n`);
        fork();
      });
    };
    for (let i = 0; i < options.workers; i++) fork();
    // SIGHUP: a rolling restart (new code after a deploy), each worker replaced by a fresh one that listens
    // before the old one stops, as gunicorn reloads its workers on HUP
    const onHup = () => {
      if (stopping) return;
      const current = [...live].filter((w) => !retiring.has(w));
      io.out(` * SIGHUP: replacing ${current.length} worker(s)\n`);
      for (const w of current) {
        retiring.add(w);
        fork(w);
      }
    };
    process.on('SIGHUP', onHup);
    shutdownSignal().then((sig) => {
      process.off('SIGHUP', onHup);
      if (stopping) return;
      stopping = true;
      io.out(` * ${sig}: shutting down ${live.size} worker(s) gracefully\n`);
      if (live.size === 0) resolve(0);
      for (const w of live) w.process.kill('SIGTERM');
      const killer = setTimeout(
        () => {
          for (const w of live) w.process.kill('SIGKILL');
        },
        options.gracefulTimeout * 1000 + 2000,
      );
      killer.unref();
    });
  }).finally(stopRelay);
}
