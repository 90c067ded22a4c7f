/**
 * `phial shell`: a Node REPL with `app`, `g` and the shell context processors' names, every input
 * evaluated inside one app context (like Flask's shell).
 */
import { createRequire } from 'node:module';
import { type REPLEval, start } from 'node:repl';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { hasAppContext } from '../app/context.js';
import { g as ownG } from '../app/globals.js';
import type { Phial } from '../app/phial.js';

/** Options of `runShell`. */
export interface ShellOptions {
  input: Readable;
  output: Writable;
  /** The app's module file (to find its copy of `phial` when it differs from the CLI's). */
  appFile?: string | null;
  /** Treat the streams as a terminal (colours, line editing). */
  terminal?: boolean;
}

/** Flask's banner: runtime, app name, instance folder. */
export function shellBanner(app: Phial): string {
  return `Node ${process.version} on ${process.platform}\nApp: ${app.name}\nInstance: ${app.instancePath}\n`;
}

/** The `g` proxy of the package copy that created `app` (the CLI's own, or the one the app imported). */
async function findG(appFile: string | null | undefined): Promise<unknown> {
  if (hasAppContext()) return ownG;
  if (!appFile) return undefined;
  try {
    const resolved = createRequire(appFile).resolve('phial');
    const mod = (await import(pathToFileURL(resolved).href)) as { g?: unknown };
    return mod.g;
  } catch {
    return undefined;
  }
}

interface Job {
  cmd: string;
  context: object;
  file: string;
  cb: Parameters<REPLEval>[3];
}

/** Runs the REPL inside an app context; resolves when it exits. */
export function runShell(app: Phial, options: ShellOptions): Promise<void> {
  return app.appContext(async () => {
    const g = await findG(options.appFile);
    const vars: Record<string, unknown> = { app };
    if (g !== undefined) vars.g = g;
    const extra =
      typeof app.makeShellContext === 'function'
        ? app.makeShellContext()
        : Object.assign({}, ...app.shellContextProcessors.map((fn) => fn()));
    Object.assign(vars, extra);

    options.output.write(shellBanner(app));
    const server = start({
      prompt: '> ',
      input: options.input,
      output: options.output,
      terminal: options.terminal ?? false,
      useGlobal: false,
      ignoreUndefined: false,
    });
    Object.assign(server.context, vars);
    // The REPL calls `eval` from stream callbacks (outside any context): queue the inputs and run them
    // from this async function, whose awaits resume inside the app context.
    const defaultEval = server.eval;
    const queue: Job[] = [];
    let wake: (() => void) | null = null;
    let closed = false;
    (server as { eval: REPLEval }).eval = ((cmd, context, file, cb) => {
      queue.push({ cmd, context, file, cb });
      wake?.();
    }) as REPLEval;
    server.on('exit', () => {
      closed = true;
      wake?.();
    });
    while (!closed || queue.length > 0) {
      const job = queue.shift();
      if (job === undefined) {
        if (closed) break;
        await new Promise<void>((r) => {
          wake = r;
        });
        wake = null;
        continue;
      }
      defaultEval.call(server, job.cmd, job.context, job.file, job.cb);
    }
  });
}
