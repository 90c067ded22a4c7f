/**
 * Whether the `phial` command loaded the app in this process (Flask's `FLASK_RUN_FROM_CLI`): a top-level
 * `app.run()` then does nothing, since the command serves the app itself (`run`, `serve`) or must not
 * block (`routes`, `shell`, custom commands). A process-wide symbol, so that a CLI and an app that import
 * two copies of Phial still agree.
 */
import cluster from 'node:cluster';
import { createServer, type Server } from 'node:http';

const KEY = Symbol.for('phial.runFromCli');

type Holder = { [KEY]?: number };

/** Marks the process as running the `phial` command until the returned function is called. */
export function enterCli(): () => void {
  const g = globalThis as Holder;
  g[KEY] = (g[KEY] ?? 0) + 1;
  let left = false;
  return () => {
    if (left) return;
    left = true;
    g[KEY] = (g[KEY] ?? 1) - 1;
  };
}

/** True while the `phial` command runs in this process. */
export function runFromCli(): boolean {
  return ((globalThis as Holder)[KEY] ?? 0) > 0;
}

/**
 * What `app.run()` does under the `phial` command: one line on stderr (once per process group: not in
 * every `serve` worker) and a server that is not listening, so `await app.run()` at a module's top level
 * neither blocks the command nor fails.
 */
export function ignoredRun(err?: (line: string) => void): Promise<Server> {
  if (!cluster.isWorker || cluster.worker?.id === 1) {
    const line =
      " * Ignoring a call to 'app.run()': the app was loaded by the 'phial' command, which serves it itself. Call 'app.run()' only when the module is run directly (node app.ts).";
    if (err) err(line);
    else process.stderr.write(`${line}\n`);
  }
  return Promise.resolve(createServer());
}
