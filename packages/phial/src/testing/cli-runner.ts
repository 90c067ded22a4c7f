/**
 * `app.testCliRunner()` (Flask's `FlaskCliRunner`): runs the `phial` command tree in-process with a given
 * app (no discovery, no dotenv files) and captures what it prints.
 */
import { Readable, Writable } from 'node:stream';
import { format } from 'node:util';
import type { Phial } from '../app/phial.js';
import { ExitSignal, runCli } from '../cli/program.js';

/** Options of `runner.invoke`. */
export interface CliInvokeOptions {
  /** Environment variables set during the call (`undefined` unsets one); restored afterwards. */
  env?: Record<string, string | undefined>;
  /** Text given to the command as standard input (`process.stdin`, and the `shell` command's input). */
  input?: string;
}

/** What `invoke` resolves to (API.md decision 3). */
export interface CliResult {
  /** The process exit code the command would have had. */
  exitCode: number;
  /** Everything written to stdout and stderr, in order. */
  output: string;
  /** Only what went to stdout. */
  stdout: string;
  /** Only what went to stderr. */
  stderr: string;
  /** An error that escaped the command (also reported in `output`), or null. */
  exception: unknown;
}

/** Runs CLI commands against one app. */
export interface TestCliRunner {
  /** Runs `phial ARGS...` (without the program name). Never throws. */
  invoke(args: string[], options?: CliInvokeOptions): Promise<CliResult>;
}

/** Invocations patch process-wide objects (stdout, console, env): one at a time. */
let queue: Promise<unknown> = Promise.resolve();

type WriteFn = typeof process.stdout.write;
const CONSOLE_OUT = ['log', 'info', 'debug', 'dir', 'table'] as const;
const CONSOLE_ERR = ['error', 'warn', 'trace'] as const;

/** Creates a runner for `app`. */
export function createTestCliRunner(app: Phial): TestCliRunner {
  return {
    invoke(args, options = {}) {
      const run = queue.then(() => invokeOnce(app, args, options));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

async function invokeOnce(app: Phial, args: string[], options: CliInvokeOptions): Promise<CliResult> {
  let output = '';
  let stdout = '';
  let stderr = '';
  const toOut = (t: string) => {
    output += t;
    stdout += t;
  };
  const toErr = (t: string) => {
    output += t;
    stderr += t;
  };
  const asText = (chunk: unknown, encoding?: unknown): string =>
    typeof chunk === 'string'
      ? chunk
      : Buffer.from(chunk as Uint8Array).toString(
          typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8',
        );
  const capture = (sink: (t: string) => void): WriteFn =>
    ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
      sink(asText(chunk, encoding));
      const callback = typeof encoding === 'function' ? encoding : cb;
      if (typeof callback === 'function') queueMicrotask(() => (callback as () => void)());
      return true;
    }) as WriteFn;

  // ---- patch
  const savedEnv = { ...process.env };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const savedOut = process.stdout.write;
  const savedErr = process.stderr.write;
  process.stdout.write = capture(toOut);
  process.stderr.write = capture(toErr);
  const con = console as unknown as Record<string, (...a: unknown[]) => void>;
  const savedConsole: Record<string, (...a: unknown[]) => void> = {};
  for (const m of CONSOLE_OUT) {
    savedConsole[m] = con[m] as (...a: unknown[]) => void;
    con[m] = (...a: unknown[]) => toOut(`${format(...a)}\n`);
  }
  for (const m of CONSOLE_ERR) {
    savedConsole[m] = con[m] as (...a: unknown[]) => void;
    con[m] = (...a: unknown[]) => toErr(`${format(...a)}\n`);
  }
  const savedExit = process.exit;
  const savedExitCode = process.exitCode;
  process.exit = ((code?: number | string | null) => {
    throw new ExitSignal(code === undefined || code === null ? Number(process.exitCode ?? 0) : Number(code));
  }) as typeof process.exit;
  const stdin = Readable.from([options.input ?? '']);
  const stdinDescriptor = Object.getOwnPropertyDescriptor(process, 'stdin');
  if (stdinDescriptor?.configurable) {
    Object.defineProperty(process, 'stdin', { configurable: true, enumerable: true, get: () => stdin });
  }
  const shellOut = new Writable({
    write(chunk, encoding, cb) {
      toOut(asText(chunk, encoding));
      cb();
    },
  });

  let exitCode = 1;
  let exception: unknown = null;
  try {
    exitCode = await runCli(args, {
      app,
      io: { out: toOut, err: toErr },
      stdin,
      stdout: shellOut,
      loadDotenv: false,
      reexec: null,
      onError: (e) => {
        exception = e;
      },
    });
  } catch (e) {
    exception = e;
    if (e instanceof ExitSignal) exitCode = e.exitCode;
    else toErr(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  } finally {
    process.stdout.write = savedOut;
    process.stderr.write = savedErr;
    for (const [m, fn] of Object.entries(savedConsole)) con[m] = fn;
    process.exit = savedExit;
    process.exitCode = savedExitCode;
    if (stdinDescriptor?.configurable) Object.defineProperty(process, 'stdin', stdinDescriptor);
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
  }
  return { exitCode, output, stdout, stderr, exception };
}
