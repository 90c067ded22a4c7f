/**
 * The reloader of `phial run --reload` (Werkzeug's stat reloader): the parent process polls the files
 * under the app's folder and restarts a child process, which runs the server, when one changes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CliIO } from './server.js';

/** Set in the child's environment: "this process is the one serving". */
export const RUN_MAIN_ENV = 'PHIAL_RUN_MAIN';

/** Files whose change restarts the server (code and env files; templates reload on their own). */
const WATCHED = /\.(?:[cm]?[jt]sx?|json)$|(?:^|[\\/])\.(?:env|phialenv)$/;
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
  /** Poll interval (ms). */
  interval?: number;
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

/**
 * Runs `argv` (a node command line re-running the CLI) as a child with `PHIAL_RUN_MAIN=true`,
 * restarting it when a watched file changes. Resolves with the exit code when the parent is told to stop
 * (SIGINT/SIGTERM).
 */
export function runWithReloader(
  argv: string[],
  watch: WatchOptions,
  io: CliIO,
  childEnv: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve) => {
    let child: ChildProcess | null = null;
    let stopping = false;
    let snapshot = scanFiles(watch);

    const start = () => {
      io.out(' * Restarting with stat\n');
      const c = spawn(process.execPath, argv, {
        stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
        env: { ...process.env, ...childEnv, [RUN_MAIN_ENV]: 'true' },
      });
      child = c;
      c.on('exit', () => {
        if (child === c) child = null;
      });
    };

    const stopChild = (): Promise<void> => {
      const c = child;
      if (c === null || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
      return new Promise((done) => {
        const killer = setTimeout(() => c.kill('SIGKILL'), 5000);
        c.once('exit', () => {
          clearTimeout(killer);
          done();
        });
        c.kill('SIGTERM');
      });
    };

    let busy = false;
    const timer = setInterval(() => {
      if (busy || stopping) return;
      const now = scanFiles(watch);
      const changed = firstChange(snapshot, now);
      snapshot = now;
      if (changed === null) return;
      busy = true;
      io.out(` * Detected change in '${changed}', reloading\n`);
      stopChild().then(() => {
        busy = false;
        if (!stopping) start();
      });
    }, watch.interval ?? 1000);

    const stop = () => {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      stopChild().then(() => resolve(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    start();
  });
}
