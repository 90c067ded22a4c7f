/**
 * The reloader of `phial run --debug` and `app.run({ debug: true })`: the parent process watches the
 * app's files with `fs.watch` (one watcher per folder, node_modules and dot-folders skipped; polling only
 * where watching fails) and runs the server in a `node:cluster` worker. The listening socket belongs to
 * the parent, so a reload never refuses a connection: the new worker starts listening on it first, then
 * the old one stops accepting, finishes its requests and exits. A new worker that fails to start leaves
 * the old one serving. Template edits need no reload (templates reload themselves in debug mode).
 */
import cluster, { type Worker } from 'node:cluster';
import { existsSync, type FSWatcher, watch as fsWatch, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freshDotenv } from './dotenv.js';
import type { CliIO } from './server.js';

/** Set in the child's environment: "this process is the one serving". */
export const RUN_MAIN_ENV = 'PHIAL_RUN_MAIN';

/**
 * Files whose change restarts the server: code, the package's and TypeScript's settings, and the dotenv
 * files (templates reload on their own). Other JSON files are data an app may write itself (a JSON store,
 * a cache): watching them would restart the server on the app's own writes; `--extra-files` adds them.
 */
const WATCHED =
  /\.[cm]?[jt]sx?$|(?:^|[\\/])(?:package|tsconfig(?:\.[\w.-]+)?)\.json$|(?:^|[\\/])\.(?:env|phialenv)$/;
/** The dotenv files. */
const DOTENV = /(?:^|[\\/])\.(?:env|phialenv)$/;
const SKIP_DIRS = new Set(['node_modules', '__pycache__']);
const MAX_FILES = 20_000;

/** fnmatch-style pattern (`*`, `?`, `[...]`; `*` also crosses `/`, as in Werkzeug) as a RegExp. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Options of the file watcher. */
export interface WatchOptions {
  /** Folder whose files are watched (recursively; node_modules and dot-folders are skipped). */
  root: string;
  /** More files (or folders) to watch. */
  extraFiles?: string[];
  /** fnmatch patterns of paths to ignore. */
  excludePatterns?: string[];
  /** Poll interval (ms) when fs.watch is not available. */
  interval?: number;
  /** Force polling (Werkzeug's `stat` reloader). */
  poll?: boolean;
}

/** Snapshot of the watched files' modification times. */
export function scanFiles(options: WatchOptions): Map<string, number> {
  const excludes = (options.excludePatterns ?? []).map(globToRegExp);
  const excluded = (p: string) => excludes.some((r) => r.test(p));
  const out = new Map<string, number>();
  const walk = (dir: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.size >= MAX_FILES) return;
      const full = path.join(dir, e.name);
      if (excluded(full)) continue;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(full);
      } else if (e.isFile() && WATCHED.test(e.name)) {
        add(full);
      }
    }
  };
  const add = (file: string) => {
    try {
      out.set(file, statSync(file).mtimeMs);
    } catch {
      // vanished between readdir and stat
    }
  };
  walk(path.resolve(options.root));
  for (const extra of options.extraFiles ?? []) {
    const full = path.resolve(extra);
    if (excluded(full)) continue;
    try {
      if (statSync(full).isDirectory()) walk(full);
      else add(full);
    } catch {
      out.set(full, -1); // watched even before it exists
    }
  }
  return out;
}

/** The first path that changed, appeared or disappeared between two snapshots, or null. */
export function firstChange(before: Map<string, number>, after: Map<string, number>): string | null {
  for (const [file, mtime] of after) {
    if (before.get(file) !== mtime) return file;
  }
  for (const file of before.keys()) if (!after.has(file)) return file;
  return null;
}

/** How to start the serving process: node flags, the script, its arguments. */
export interface ReloaderExec {
  execArgv: string[];
  exec: string;
  args: string[];
}

/** Most folders watched (each costs an inotify watch); beyond it the rest is polled. */
const MAX_DIRS = 4000;

/** Folders to watch: the root's tree (skipping node_modules and dot-folders) and the extra paths' folders. */
export function watchedDirs(options: WatchOptions): string[] {
  const excludes = (options.excludePatterns ?? []).map(globToRegExp);
  const out = new Set<string>();
  const walk = (dir: string) => {
    if (out.size >= MAX_DIRS || excludes.some((r) => r.test(dir))) return;
    out.add(dir);
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(path.join(dir, e.name));
    }
  };
  walk(path.resolve(options.root));
  for (const extra of options.extraFiles ?? []) {
    const full = path.resolve(extra);
    try {
      if (statSync(full).isDirectory()) walk(full);
      else out.add(path.dirname(full));
    } catch {
      out.add(path.dirname(full));
    }
  }
  return [...out];
}

/**
 * Calls `onChange(file)` when a watched file changes, appears or disappears: fs.watch events (debounced,
 * confirmed against a fresh scan so editors' temporary files and atime-only events do not count), or a
 * poll when fs.watch is unavailable. Returns a function that stops watching.
 */
export function watchFiles(options: WatchOptions, onChange: (file: string) => void): () => void {
  let snapshot = scanFiles(options);
  let timer: NodeJS.Timeout | null = null;
  const check = () => {
    timer = null;
    const now = scanFiles(options);
    const changed = firstChange(snapshot, now);
    snapshot = now;
    if (changed !== null) onChange(changed);
  };
  const schedule = () => {
    if (timer === null) timer = setTimeout(check, 25);
  };
  const watchers: FSWatcher[] = [];
  let poller: NodeJS.Timeout | null = null;
  const watchDir = (dir: string): boolean => {
    try {
      const w = fsWatch(dir, { persistent: false }, (_event, name) => {
        const file = name ? path.join(dir, String(name)) : dir;
        // a new folder gets its own watcher; a watched file (or a vanished one) is checked
        try {
          if (statSync(file).isDirectory()) {
            const base = path.basename(file);
            if (!SKIP_DIRS.has(base) && !base.startsWith('.') && !watching.has(file)) {
              watching.add(file);
              watchDir(file);
            }
            return;
          }
        } catch {
          // removed: the scan notices
        }
        schedule();
      });
      w.on('error', () => schedule());
      watchers.push(w);
      return true;
    } catch {
      return false;
    }
  };
  const watching = new Set<string>();
  let ok = options.poll !== true;
  if (ok) {
    for (const dir of watchedDirs(options)) {
      watching.add(dir);
      if (!watchDir(dir)) {
        ok = false;
        break;
      }
    }
  }
  if (!ok) {
    for (const w of watchers.splice(0)) w.close();
    poller = setInterval(check, options.interval ?? 1000);
  }
  return () => {
    for (const w of watchers.splice(0)) w.close();
    if (poller !== null) clearInterval(poller);
    if (timer !== null) clearTimeout(timer);
  };
}

/** True when fs.watch works here (the reloader says which kind it is). */
function usesWatch(options: WatchOptions): boolean {
  if (options.poll === true) return false;
  try {
    fsWatch(path.resolve(options.root), { persistent: false }).close();
    return true;
  } catch {
    return false;
  }
}

/** Set in a standby worker's environment: preload, then wait for "go". */
const STANDBY_ENV = 'PHIAL_RUN_STANDBY';
const STANDBY_READY = 'phial:standby-ready';
const STANDBY_GO = 'phial:standby-go';

interface Standby {
  worker: Worker;
  /** It has preloaded and waits. */
  ready: boolean;
  /** "go" is to be sent as soon as it is ready. */
  wanted: boolean;
}

/** Phial's own entry (and the debugger) as this copy of Phial is laid out: sources, tsc output or the bundle. */
function preloadUrls(): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const out: string[] = [];
  const add = (...candidates: string[]) => {
    for (const c of candidates) {
      if (existsSync(c)) {
        out.push(pathToFileURL(c).href);
        return;
      }
    }
  };
  if (path.basename(here) === 'bundle') {
    add(path.join(here, 'index.js'));
  } else {
    add(path.join(here, '..', 'index.js'), path.join(here, '..', 'index.ts'));
    add(path.join(here, '..', 'dev', 'debugger.js'), path.join(here, '..', 'dev', 'debugger.ts'));
  }
  return out;
}

/**
 * The `--import` module of the reloader's workers (a data: URL, after the app's own loaders such as tsx):
 * in a standby worker it imports Phial, says it is ready, and holds the entry script until told to go.
 */
function standbyModule(): string {
  const code = `if (process.env.${STANDBY_ENV} === '1' && process.send) {
  const go = new Promise((resolve) => {
    const on = (m) => { if (m === '${STANDBY_GO}') { process.off('message', on); resolve(); } };
    process.on('message', on);
  });
  for (const url of ${JSON.stringify(preloadUrls())}) { try { await import(url); } catch {} }
  process.send('${STANDBY_READY}');
  await go;
}
`;
  return `data:text/javascript,${encodeURIComponent(code)}`;
}

/**
 * Runs the server in a cluster worker (`PHIAL_RUN_MAIN=true` in its environment) and replaces it when a
 * watched file changes: the new worker listens on the shared socket before the old one stops. Resolves
 * with the exit code when the parent is told to stop (SIGINT/SIGTERM).
 */
export function runWithReloader(
  exec: ReloaderExec | string[],
  watch: WatchOptions,
  io: CliIO,
  childEnv: Record<string, string> = {},
): Promise<number> {
  const spec: ReloaderExec = Array.isArray(exec)
    ? splitArgv(exec)
    : { execArgv: exec.execArgv, exec: exec.exec, args: exec.args };
  return new Promise((resolve) => {
    let current: Worker | null = null;
    let starting: Worker | null = null;
    let stopping = false;
    let again = false;
    // each worker accepts from the shared listening socket itself (no connection handed over by the
    // parent in flight to a worker that is stopping): connections waiting in the backlog while the old
    // worker stops are accepted by the new one
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({
      exec: spec.exec,
      args: spec.args,
      execArgv: [...spec.execArgv, '--import', standbyModule()],
    });

    const stopWorker = (w: Worker | null): Promise<void> => {
      if (w === null || w.isDead()) return Promise.resolve();
      return new Promise((done) => {
        const killer = setTimeout(() => w.process.kill('SIGKILL'), 5000);
        w.once('exit', () => {
          clearTimeout(killer);
          done();
        });
        w.process.kill('SIGTERM');
      });
    };

    /** Starts a worker; once it listens, the previous one is stopped. */
    // A standby worker has Node, the TypeScript loader and Phial loaded already and waits for "go" before
    // the app's own modules load: a reload then costs the app's import, not a process start.
    let standby: Standby | null = null;
    const prepare = () => {
      if (stopping || standby !== null) return;
      // the dotenv files as they are now: an edited .env reaches the next worker
      const w = cluster.fork({ ...freshDotenv(), ...childEnv, [RUN_MAIN_ENV]: 'true', [STANDBY_ENV]: '1' });
      const s: Standby = { worker: w, ready: false, wanted: false };
      standby = s;
      w.on('message', (m: unknown) => {
        if (m !== STANDBY_READY) return;
        s.ready = true;
        if (s.wanted) w.send(STANDBY_GO);
      });
      w.once('exit', () => {
        if (standby === s) standby = null;
      });
    };
    const take = (): Worker => {
      if (standby === null) prepare();
      const s = standby as Standby;
      standby = null;
      s.wanted = true;
      if (s.ready) s.worker.send(STANDBY_GO);
      return s.worker;
    };

    const start = () => {
      if (stopping) return;
      if (starting !== null) {
        again = true; // a change while a worker starts: start another once this one is up
        return;
      }
      const w = take();
      starting = w;
      const settle = () => {
        starting = null;
        if (again && !stopping) {
          again = false;
          start();
        } else {
          // the next standby starts once this worker serves (not competing with it for the CPU)
          setTimeout(prepare, 300).unref();
        }
      };
      w.once('listening', () => {
        if (stopping) {
          stopWorker(w);
          return;
        }
        const old = current;
        current = w;
        settle();
        stopWorker(old);
      });
      w.once('exit', (code, signal) => {
        if (stopping) return;
        if (starting === w) {
          // it never listened: the code does not load; the old worker (if any) keeps serving
          io.err(
            ` * The new code did not start (exit ${signal ?? code}); ${current ? 'the previous version keeps serving' : 'waiting for a change'}.\n`,
          );
          settle();
        } else if (current === w && !stopping) {
          current = null;
          io.err(` * The server process exited (${signal ?? code}); waiting for a change.\n`);
        }
      });
    };

    const kind = usesWatch(watch) ? 'fs.watch' : 'stat';
    io.out(` * Restarting with ${kind}\n`);
    const unwatch = watchFiles({ ...watch, poll: kind === 'stat' }, (changed) => {
      if (stopping) return;
      io.out(` * Detected change in '${changed}', reloading\n`);
      if (DOTENV.test(changed) && standby !== null) {
        // the waiting worker was forked with the old values: a fresh one reads the new file
        const stale = (standby as Standby).worker;
        standby = null;
        stale.process.kill('SIGKILL');
      }
      start();
    });
    // the parent waits for changes even while no worker runs (the app failed to load at start)
    const keepAlive = setInterval(() => {}, 1 << 30);

    const stop = () => {
      if (stopping) return;
      stopping = true;
      unwatch();
      clearInterval(keepAlive);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      const spare = standby?.worker ?? null;
      standby = null;
      Promise.all([stopWorker(current), stopWorker(starting), stopWorker(spare)]).then(() => resolve(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    start();
  });
}

/** `[...execArgv, script, ...args]` split at the first argument that names a file (older call sites). */
function splitArgv(argv: string[]): ReloaderExec {
  const execArgv = process.execArgv;
  const same = execArgv.every((a, i) => argv[i] === a);
  const at = same ? execArgv.length : argv.findIndex((a) => !a.startsWith('-'));
  return { execArgv: argv.slice(0, at), exec: argv[at] as string, args: argv.slice(at + 1) };
}
