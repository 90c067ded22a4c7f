/**
 * `app.run()`: the development server. Prints Flask's banner and Werkzeug-style access lines. In debug
 * mode it restarts on code changes (the reloader, `cli/reloader.ts`) and shows the interactive debugger
 * (`dev/`); both are imported only then, so an app that is not debugging never loads them.
 */
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import type { Phial } from '../app/phial.js';
import { accessLine } from './access-log.js';
import { listenApp, type ServerKind } from './listen.js';
import { ignoredRun, runFromCli } from './run-from-cli.js';

export { type AccessLineEntry, accessLine, logDate } from './access-log.js';

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
  /** The interactive browser debugger (default: on in debug mode; Flask's `use_debugger`). */
  useDebugger?: boolean;
  /** Restart on code changes (default: on in debug mode; Flask's `use_reloader`). */
  useReloader?: boolean;
  /** Load `.env` and `.phialenv` first, as the `phial` command does (default true). */
  loadDotenv?: boolean;
  /** More files or folders the reloader watches. */
  extraFiles?: string[];
  /** fnmatch patterns the reloader ignores. */
  excludePatterns?: string[];
}

/** Set in the reloader's worker: "this process is the one serving" (see `cli/reloader.ts`). */
const RUN_MAIN_ENV = 'PHIAL_RUN_MAIN';

/** Installs the interactive debugger on `app` (imported only now) and prints its PIN through `log`. */
export async function enableDebugger(app: Phial, log: (line: string) => void): Promise<void> {
  const { installDebugger } = await import('../dev/debugger.js');
  const handle = await installDebugger(app, { log });
  // end the inspector session before the process goes (else Node waits for "the debugger to disconnect");
  // the signal is raised again for its default action only when nothing else handles it. Another listener
  // (a reloader worker's graceful stop) owns the process's end: re-raising once the session ended (a second
  // or so later) would kill that worker with requests still in flight, and reset them
  const onSignal = (signal: NodeJS.Signals) => {
    // prepended, so every other listener of this emit is still registered (once-listeners included)
    const handledElsewhere = process.listenerCount(signal) > 1;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    handle.uninstall().finally(() => {
      if (!handledElsewhere && process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  process.prependListener('SIGINT', onSignal);
  process.prependListener('SIGTERM', onSignal);
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
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = options.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  // the app was loaded by the `phial` command, which serves it itself (Flask ignores this call too)
  if (runFromCli()) return ignoredRun(err);
  // like the phial command (and Flask's app.run): dotenv files, then PHIAL_DEBUG, then the argument
  if (options.loadDotenv !== false) {
    try {
      (await import('../cli/dotenv.js')).loadDotenv(null);
    } catch (e) {
      err(` * Could not load .env/.phialenv: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const flag = process.env.PHIAL_DEBUG;
  if (flag !== undefined && flag !== '') app.debug = !/^(0|false|no|off)$/i.test(flag);
  if (options.debug !== undefined) app.debug = options.debug;
  const host = options.host ?? process.env.PHIAL_RUN_HOST ?? '127.0.0.1';
  let port = options.port ?? envPort() ?? 5000;
  const quiet = options.quiet ?? false;
  const inWorker = cluster.isWorker && process.env[RUN_MAIN_ENV] === 'true';
  const reload = (options.useReloader ?? app.debug) && !inWorker;
  if (reload && process.argv[1] !== undefined) return runReloaderParent(app, options, host, port, out, err);
  if (inWorker) {
    // the reloader's worker: the parent printed the banner; serve on the parent's socket until told to stop
    const p = process.env.PHIAL_RUN_MAIN_PORT;
    if (p && /^\d+$/.test(p)) port = Number(p);
    if (app.debug && options.useDebugger !== false) await enableDebugger(app, err);
    const server = await listenApp(app, port, host, {
      server: options.server,
      onResponse: quiet ? undefined : (entry) => err(accessLine(entry)),
    });
    const stop = async () => {
      const { closeGracefully, RELOAD_SWAP_IDLE_GRACE_MS, RELOAD_SWAP_TIMEOUT_MS } = await import(
        '../cli/server.js'
      );
      // under the reloader the new worker already serves: the old one may wait for late requests
      const reloading = process.env.PHIAL_RUN_MAIN_PORT !== undefined;
      await closeGracefully(
        server,
        reloading ? RELOAD_SWAP_TIMEOUT_MS : 2000,
        reloading ? RELOAD_SWAP_IDLE_GRACE_MS : 750,
      );
      await app.shutdown();
      process.exit(0);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return server;
  }
  if (!quiet) {
    out(` * Serving Phial app '${app.name}'`);
    out(` * Debug mode: ${app.debug ? 'on' : 'off'}`);
  }
  if (app.debug && options.useDebugger !== false) await enableDebugger(app, err);
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

/**
 * `app.run({ debug: true })` in the process the user started: print the banner, then run this same
 * script again in a reloader worker (where `app.run` serves) and restart it on code changes. The returned
 * promise never resolves: the process exits when the reloader stops.
 */
async function runReloaderParent(
  app: Phial,
  options: RunOptions,
  host: string,
  port: number,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<Server> {
  const { runWithReloader } = await import('../cli/reloader.js');
  const { runningLines } = await import('../cli/server.js');
  const net = await import('node:net');
  // bind once: a taken port fails here, and port 0 becomes the real port every worker shares
  const actual = await new Promise<number>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(port, host, () => {
      const a = s.address();
      const p = typeof a === 'object' && a !== null ? a.port : port;
      s.close(() => resolve(p));
    });
  });
  if (!options.quiet) {
    out(` * Serving Phial app '${app.name}'`);
    out(` * Debug mode: ${app.debug ? 'on' : 'off'}`);
    out(
      'WARNING: This is a development server. Do not use it in a production deployment. Use a production server instead (phial serve).',
    );
    for (const line of runningLines(host, actual, 'http')) out(line);
    out('Press CTRL+C to quit');
  }
  const code = await runWithReloader(
    { execArgv: process.execArgv, exec: process.argv[1] as string, args: process.argv.slice(2) },
    {
      root: app.rootPath,
      extraFiles: options.extraFiles ?? [],
      excludePatterns: options.excludePatterns ?? [],
    },
    { out: (t) => out(t.replace(/\n$/, '')), err: (t) => err(t.replace(/\n$/, '')) },
    {
      PHIAL_RUN_MAIN_PORT: String(actual),
      PHIAL_DEBUG: app.debug ? '1' : '0',
    },
  );
  process.exit(code);
}
