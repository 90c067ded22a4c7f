/**
 * The `phial` command (Flask's `flask`): global options, app discovery, the built-in commands (`run`,
 * `routes`, `shell`, `serve`) and the app's own `app.cli` commands, which run inside an app context.
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Phial } from '../app/phial.js';
import { ACCESS_LOG_FORMATS, type AccessLogFormat } from '../server/access-log.js';
import { enableDebugger } from '../server/devserver.js';
import { enterCli } from '../server/run-from-cli.js';
import { type LoadedApp, locateApp, NoAppException, resolveAppFile } from './discovery.js';
import { isTrue, loadDotenv } from './dotenv.js';
import { RUN_MAIN_ENV, runWithReloader } from './reloader.js';
import { formatRoutes, ROUTE_SORTS, type RouteSort } from './routes.js';
import { SERVE_WORKER_ENV, type ServeOptions, serveOne, servePrimary, serveSingle } from './serve.js';
import {
  type CliIO,
  closeGracefully,
  RELOAD_SWAP_IDLE_GRACE_MS,
  RELOAD_SWAP_TIMEOUT_MS,
  runningLines,
  shutdownSignal,
  startServer,
} from './server.js';
import { runShell } from './shell.js';

/** How to start this CLI again in another process (the reloader's child, cluster workers). */
export interface Reexec {
  execArgv: string[];
  /** The script (bin) path. */
  exec: string;
  /** The CLI arguments. */
  args: string[];
}

/** Options of `runCli`. */
export interface RunCliOptions {
  /** Use this app (no discovery; `--app` is ignored). The test runner passes it. */
  app?: Phial;
  /** Where output goes (default: process.stdout / process.stderr). */
  io?: CliIO;
  /** Standard input and output for `shell`. */
  stdin?: Readable;
  stdout?: Writable;
  /** Folder for discovery and dotenv files (default `process.cwd()`). */
  cwd?: string;
  /** Load `.env` / `.phialenv` (default true unless `app` is given). */
  loadDotenv?: boolean;
  /** How to re-run the CLI; null disables the reloader and `serve --workers`. */
  reexec?: Reexec | null;
  /** Told about an error that ended a command (after it is reported on `io.err`). */
  onError?: (error: unknown) => void;
}

/** Built-in commands that load the app themselves (custom commands are not needed to parse them). */
const BUILTINS = new Set(['run', 'routes', 'shell', 'serve', 'templates']);

/** Exit code for usage errors and a missing app (click's). */
const USAGE_ERROR = 2;

/** The global options read before the command tree is built (they decide which app to load). */
interface GlobalArgs {
  app: string | null;
  debug: boolean | undefined;
  envFile: string | null;
  /** The first command word, or null. */
  command: string | null;
  /** `--help`/`-h` or `--version` before the command word: answered without loading the app. */
  helpOrVersion: boolean;
}

/**
 * Scans argv up to the command word for `--app`, `--debug/--no-debug`, `--env-file`, `--help` and
 * `--version`; after `run`, for its own `--debug/--no-debug` too (`phial run --debug`, the docs' spelling).
 */
export function scanGlobalArgs(argv: string[]): GlobalArgs {
  const out: GlobalArgs = { app: null, debug: undefined, envFile: null, command: null, helpOrVersion: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq !== -1 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq !== -1 ? a.slice(eq + 1) : undefined;
    const value = () => inline ?? argv[++i] ?? null;
    if (name === '--app' || name === '-A') out.app = value();
    else if (name === '--env-file' || name === '-e') out.envFile = value();
    else if (name === '--debug') out.debug = true;
    else if (name === '--no-debug') out.debug = false;
    else if (a === '--help' || a === '-h' || a === '--version') out.helpOrVersion = true;
    else if (a === '--') {
      out.command = argv[i + 1] ?? null;
      if (out.command === 'run') scanRunArgs(argv, i + 2, out);
      break;
    } else if (!a.startsWith('-')) {
      out.command = a;
      if (a === 'run') scanRunArgs(argv, i + 1, out);
      break;
    }
  }
  return out;
}

/** `run`'s own `--debug/--no-debug` (the last one wins, after the global one), up to `--`. */
function scanRunArgs(argv: string[], from: number, out: GlobalArgs): void {
  for (let i = from; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') return;
    if (a === '--debug') out.debug = true;
    else if (a === '--no-debug') out.debug = false;
  }
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError(`'${value}' is not a valid port (0-65535).`);
  }
  return Number(value);
}

function parsePositive(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError(`'${value}' is not a positive integer.`);
  return Number(value);
}

/** A whole number ≥ 0 (0 turns a guard off). */
function parseNonNegative(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`'${value}' is not a whole number.`);
  return Number(value);
}

/** `--extra-files a:b` (the OS path separator), repeatable. */
function collectPaths(value: string, previous: string[] = []): string[] {
  return previous.concat(value.split(path.delimiter).filter(Boolean));
}

/** Binds host:port once to check it is free and to turn port 0 into a real port. */
function probePort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(port, host, () => {
      const a = s.address();
      const p = typeof a === 'object' && a !== null ? a.port : port;
      s.close(() => resolve(p));
    });
  });
}

/** `phial --version`: the runtime and package versions (Flask prints Python, Flask and Werkzeug). */
function versionText(): string {
  let version = 'unknown';
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    version = pkg.version ?? version;
  } catch {
    // not installed as a package: keep 'unknown'
  }
  return `Node ${process.version}\nPhial ${version}`;
}

/** A message for an error thrown by a command. */
function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * Runs the `phial` command line (`argv` without node and the script) and resolves to the exit code.
 * Never throws: errors are written to `io.err`.
 */
export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<number> {
  // an app this command loads must not start its own server with a top-level app.run() (Flask's rule)
  const leave = options.app === undefined ? enterCli() : null;
  try {
    return await runCommand(argv, options);
  } finally {
    leave?.();
  }
}

const PROGRAM_ABOUT =
  'A general utility script for Phial applications.\n\nAn application to load must be given with the --app option, the PHIAL_APP environment variable, or an app.ts / app.js / wsgi.ts file in the current folder.';

async function runCommand(argv: string[], options: RunCliOptions): Promise<number> {
  const io: CliIO = options.io ?? {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
  };
  const cwd = options.cwd ?? process.cwd();
  const reexec = options.reexec ?? null;
  const globals = scanGlobalArgs(argv);
  let exitCode = 0;

  try {
    if (options.loadDotenv ?? options.app === undefined) {
      loadDotenv(globals.envFile, { cwd });
    } else if (globals.envFile) {
      loadDotenv(globals.envFile, { cwd, loadDefaults: false });
    }
  } catch (e) {
    io.err(`Error: ${errorText(e)}\n`);
    return USAGE_ERROR;
  }
  if (globals.debug !== undefined) process.env.PHIAL_DEBUG = globals.debug ? '1' : '0';
  const appSpec = globals.app ?? process.env.PHIAL_APP ?? null;

  // ---- the app, loaded once and lazily
  let loaded: LoadedApp | null =
    options.app === undefined ? null : { app: options.app, file: '', importPath: options.app.name };
  const applyDebug = (app: Phial) => {
    const flag = process.env.PHIAL_DEBUG;
    if (globals.debug !== undefined) app.debug = globals.debug;
    else if (flag !== undefined && flag !== '') app.debug = !/^(0|false|no)$/i.test(flag);
  };
  if (loaded !== null) applyDebug(loaded.app);
  const loadApp = async (): Promise<LoadedApp> => {
    if (loaded === null) {
      loaded = await locateApp(appSpec, cwd);
      applyDebug(loaded.app);
    }
    return loaded;
  };
  const debugOn = () =>
    globals.debug ?? (loaded !== null ? loaded.app.debug : isTrue(process.env.PHIAL_DEBUG));

  // Custom commands are needed before parsing unless a built-in command runs.
  let loadError: unknown = null;
  // `--help` and `--version` never load the app (its module may do anything at import)
  const needsApp = !globals.helpOrVersion && (globals.command === null || !BUILTINS.has(globals.command));
  if (needsApp && loaded === null) {
    try {
      await loadApp();
    } catch (e) {
      loadError = e;
    }
  }

  // ---- the command tree
  const program = new Command('phial');
  const outputConfig = {
    writeOut: (s: string) => io.out(s),
    writeErr: (s: string) => io.err(s),
  };
  program
    .description(
      `${PROGRAM_ABOUT}\n\n--help does not load the app, so the app's own commands (app.cli) are not listed here: run 'phial help' to load the app and list them, or 'phial COMMAND --help' for one of them.`,
    )
    .option(
      '-A, --app <module>',
      "the Phial application to load, in the form 'module:name' or 'module:factory(args)'",
    )
    .option('-e, --env-file <file>', 'load environment variables from this file (after .env and .phialenv)')
    .option('--debug', 'set debug mode (PHIAL_DEBUG)')
    .option('--no-debug', 'unset debug mode')
    .version(versionText(), '--version', 'show the Node and Phial versions')
    .configureOutput(outputConfig)
    .exitOverride()
    .showHelpAfterError(false);

  const needApp = async (): Promise<LoadedApp> => loadApp();

  // run
  program
    .command('run')
    .description('Run a development server.')
    .helpOption('--help', 'display help for command')
    .addOption(
      new Option('-h, --host <host>', 'the interface to bind to').env('PHIAL_RUN_HOST').default('127.0.0.1'),
    )
    .addOption(
      new Option('-p, --port <port>', 'the port to bind to')
        .env('PHIAL_RUN_PORT')
        .argParser(parsePort)
        .default(5000),
    )
    .addOption(new Option('--cert <file>', 'a certificate file for HTTPS (PEM)').env('PHIAL_RUN_CERT'))
    .addOption(new Option('--key <file>', 'the key file for --cert (PEM)').env('PHIAL_RUN_KEY'))
    .option('--reload', 'restart the server when files change (default: on in debug mode)')
    .option('--no-reload', 'do not restart on file changes')
    .option('--debugger', 'enable the interactive browser debugger (default: on in debug mode)')
    .option('--no-debugger', 'disable the interactive debugger')
    .option('--debug', 'set debug mode (same as phial --debug run)')
    .option('--no-debug', 'unset debug mode')
    .option(
      '--extra-files <paths>',
      `more files watched by the reloader ('${path.delimiter}'-separated)`,
      collectPaths,
    )
    .option(
      '--exclude-patterns <patterns>',
      `fnmatch patterns ignored by the reloader ('${path.delimiter}'-separated)`,
      collectPaths,
    )
    .action(async (opts: Record<string, unknown>) => {
      const host = String(opts.host);
      let port = Number(opts.port);
      const cert = (opts.cert as string | undefined) ?? null;
      const key = (opts.key as string | undefined) ?? null;
      const scheme = cert ? 'https' : 'http';
      if (process.env[RUN_MAIN_ENV] === 'true') {
        // the reloader's child: serve quietly, stop with the parent
        const { app } = await needApp();
        const childPort = process.env.PHIAL_RUN_MAIN_PORT;
        if (childPort) port = Number(childPort);
        if (app.debug && opts.debugger !== false) await enableDebugger(app, (l) => io.err(`${l}\n`));
        const server = await startServer(app, { host, port, cert, key, accessLog: true, io });
        process.on('disconnect', () => process.exit(0));
        await shutdownSignal();
        // a reloader worker: the new worker already serves, so the old one may wait for late requests
        await closeGracefully(server, RELOAD_SWAP_TIMEOUT_MS, RELOAD_SWAP_IDLE_GRACE_MS);
        await app.shutdown();
        return;
      }
      const reload = (opts.reload as boolean | undefined) ?? debugOn();
      if (reload && reexec === null) {
        io.err(' * The reloader needs the phial executable; running without it.\n');
      }
      if (reload && reexec !== null) {
        const loc = resolveAppLocation();
        port = await probePort(host, port);
        banner(loc.importPath, debugOn(), host, port, scheme);
        const root = loc.file ? path.dirname(loc.file) : cwd;
        exitCode = await runWithReloader(
          [...reexec.execArgv, reexec.exec, ...reexec.args],
          {
            root,
            extraFiles: (opts.extraFiles as string[] | undefined) ?? [],
            excludePatterns: (opts.excludePatterns as string[] | undefined) ?? [],
          },
          io,
          { PHIAL_RUN_MAIN_PORT: String(port) },
        );
        return;
      }
      const { app, importPath } = await needApp();
      if (app.debug && opts.debugger !== false) await enableDebugger(app, (l) => io.err(`${l}\n`));
      const server = await startServer(app, { host, port, cert, key, accessLog: true, io });
      const addr = server.address();
      banner(importPath, app.debug, host, typeof addr === 'object' && addr ? addr.port : port, scheme);
      await shutdownSignal();
      await closeGracefully(server, 2000);
      await app.shutdown();
    });

  const resolveAppLocation = (): { file: string; importPath: string } => {
    if (loaded !== null) return loaded;
    return resolveAppFile(appSpec, cwd);
  };
  const banner = (label: string, debug: boolean, host: string, port: number, scheme: string) => {
    io.out(` * Serving Phial app '${label}'\n * Debug mode: ${debug ? 'on' : 'off'}\n`);
    io.out(
      'WARNING: This is a development server. Do not use it in a production deployment. Use a production server instead (phial serve).\n',
    );
    for (const line of runningLines(host, port, scheme)) io.out(`${line}\n`);
    io.out('Press CTRL+C to quit\n');
  };

  // routes
  program
    .command('routes')
    .description('Show the routes for the app.')
    .addOption(
      new Option('-s, --sort <key>', "how to sort the routes ('match' is the order they are matched in)")
        .choices([...ROUTE_SORTS])
        .default('endpoint'),
    )
    .option('--all-methods', 'show HEAD and OPTIONS methods')
    .action(async (opts: { sort: RouteSort; allMethods?: boolean }) => {
      const { app } = await needApp();
      io.out(formatRoutes(app, opts.sort, Boolean(opts.allMethods)));
    });

  // openapi
  program
    .command('openapi')
    .description("Print the app's OpenAPI 3.1 document (JSON).")
    .option('--indent <n>', 'spaces of indentation (0: one line)', '2')
    .action(async (opts: { indent: string }) => {
      const { app } = await needApp();
      const { openapiDocument } = await import('../openapi/index.js');
      io.out(`${JSON.stringify(openapiDocument(app), null, Number(opts.indent) || undefined)}\n`);
    });

  // templates
  const templatesCmd = program.command('templates').description("Work with the app's templates.");
  templatesCmd
    .command('compile')
    .description(
      'Precompile a template folder into one ES module (no code generation at run time, for Workers or a strict CSP); load it with app.jinjaLoader = new ModuleLoader(module).',
    )
    .argument('<folder>', 'the template folder')
    .requiredOption('-o, --output <file>', 'the module to write (e.g. src/templates.compiled.js)')
    .option('--trim-blocks', "compile with Jinja's trim_blocks (as the app's environment must use)")
    .option('--lstrip-blocks', "compile with Jinja's lstrip_blocks")
    .option('-x, --extension <name...>', 'extensions the app enables (i18n, do, loopcontrols, debug)')
    .option('--newstyle-gettext', 'i18n: the app installs newstyle gettext')
    .option('--i18n-trimmed', "i18n: the app sets the 'ext.i18n.trimmed' policy")
    .action(
      async (
        folder: string,
        opts: {
          output: string;
          trimBlocks?: boolean;
          lstripBlocks?: boolean;
          extension?: string[];
          newstyleGettext?: boolean;
          i18nTrimmed?: boolean;
        },
      ) => {
        const { compileTemplateFolder } = await import('./templates.js');
        const names = compileTemplateFolder(folder, opts.output, {
          trimBlocks: !!opts.trimBlocks,
          lstripBlocks: !!opts.lstripBlocks,
          extensions: opts.extension ?? [],
          newstyleGettext: !!opts.newstyleGettext,
          i18nTrimmed: !!opts.i18nTrimmed,
        });
        io.out(`Compiled ${names.length} template${names.length === 1 ? '' : 's'} to ${opts.output}\n`);
      },
    );

  // shell
  program
    .command('shell')
    .description(
      'Run an interactive Node shell in the context of the app. `app`, `g` and the names of the shell context processors are defined.',
    )
    .action(async () => {
      const { app, file } = await needApp();
      const input = options.stdin ?? process.stdin;
      const output = options.stdout ?? process.stdout;
      await runShell(app, {
        input,
        output,
        appFile: file || null,
        terminal: Boolean((input as { isTTY?: boolean }).isTTY && (output as { isTTY?: boolean }).isTTY),
      });
    });

  // serve
  program
    .command('serve')
    .description('Run the production server (node:cluster workers, graceful shutdown on SIGTERM/SIGINT).')
    .helpOption('--help', 'display help for command')
    .addOption(
      new Option('-h, --host <host>', 'the interface to bind to')
        .env('PHIAL_SERVE_HOST')
        .default('127.0.0.1'),
    )
    .addOption(
      new Option('-p, --port <port>', 'the port to bind to (default: PORT or 8000)')
        .env('PHIAL_SERVE_PORT')
        .argParser(parsePort),
    )
    .addOption(
      new Option('-w, --workers <n>', 'number of worker processes')
        .env('WEB_CONCURRENCY')
        .argParser(parsePositive)
        .default(1),
    )
    .addOption(
      new Option('--graceful-timeout <seconds>', 'time given to requests in flight after SIGTERM')
        .argParser(parsePositive)
        .default(30),
    )
    .addOption(
      new Option(
        '--timeout <seconds>',
        'with --workers: a worker whose event loop is blocked this long is killed and replaced (0: off)',
      )
        .argParser(parseNonNegative)
        .default(30),
    )
    .addOption(
      new Option('--max-requests <n>', 'with --workers: replace a worker after this many requests (0: never)')
        .argParser(parseNonNegative)
        .default(0),
    )
    .addOption(
      new Option('--max-requests-jitter <n>', 'up to this many more requests, chosen per worker')
        .argParser(parseNonNegative)
        .default(0),
    )
    .option('--access-log', 'write an access line per request to stderr')
    .addOption(
      new Option(
        '--access-log-format <format>',
        "the access line's format (implies --access-log): text (Werkzeug's), combined (Apache's and gunicorn's), json (one object per line)",
      )
        .choices(ACCESS_LOG_FORMATS)
        .env('PHIAL_ACCESS_LOG_FORMAT'),
    )
    .addOption(new Option('--cert <file>', 'a certificate file for HTTPS (PEM)'))
    .addOption(new Option('--key <file>', 'the key file for --cert (PEM)'))
    .addOption(
      new Option(
        '--body-timeout <seconds>',
        'slow-body window: a request body must average --body-min-rate over each window, else 408 (0: off; default: BODY_TIMEOUT, 20)',
      ).argParser(parseNonNegative),
    )
    .addOption(
      new Option(
        '--body-min-rate <bytes>',
        'bytes per second a request body must average (default: BODY_MIN_RATE, 500)',
      ).argParser(parseNonNegative),
    )
    .action(async (opts: Record<string, unknown>) => {
      const envPort = process.env.PORT;
      const port =
        (opts.port as number | undefined) ?? (envPort && /^\d+$/.test(envPort) ? Number(envPort) : 8000);
      const serveOpts: ServeOptions = {
        host: String(opts.host),
        port,
        workers: Number(opts.workers),
        gracefulTimeout: Number(opts.gracefulTimeout),
        accessLog: Boolean(opts.accessLog) || opts.accessLogFormat !== undefined,
        ...(opts.accessLogFormat !== undefined
          ? { accessLogFormat: opts.accessLogFormat as AccessLogFormat }
          : {}),
        cert: (opts.cert as string | undefined) ?? null,
        key: (opts.key as string | undefined) ?? null,
        bodyTimeout: (opts.bodyTimeout as number | undefined) ?? null,
        bodyMinRate: (opts.bodyMinRate as number | undefined) ?? null,
        timeout: Number(opts.timeout),
        maxRequests: Number(opts.maxRequests),
        maxRequestsJitter: Number(opts.maxRequestsJitter),
      };
      if (cluster.isWorker && process.env[SERVE_WORKER_ENV] === '1') {
        const { app } = await needApp();
        exitCode = await serveOne(app, serveOpts, io);
        return;
      }
      if (serveOpts.workers > 1) {
        if (reexec === null)
          throw new Error('serve --workers needs the phial executable (it forks processes).');
        const loc = resolveAppLocation();
        exitCode = await servePrimary(loc.importPath, serveOpts, io, reexec);
        return;
      }
      const { app, importPath } = await needApp();
      exitCode = await serveSingle(app, importPath, serveOpts, io);
    });

  // the app's commands
  const app = loaded === null ? null : (loaded as LoadedApp).app;
  // loaded (`phial`, `phial help`): its commands are listed below, the note about --help does not apply
  if (app !== null) program.description(PROGRAM_ABOUT);
  const custom = new Set<string>();
  if (app !== null) {
    for (const cmd of app.cli.commands) {
      if (program.commands.some((c) => c.name() === cmd.name())) continue; // built-ins win, as in Flask
      inheritSettings(cmd, program);
      program.addCommand(cmd);
      custom.add(cmd.name());
      for (const alias of cmd.aliases()) custom.add(alias);
    }
  }

  if (
    loadError !== null &&
    globals.command !== null &&
    globals.command !== 'help' &&
    !BUILTINS.has(globals.command)
  ) {
    io.err(`Error: ${errorText(loadError)}\n\n`);
    io.err(`Error: No such command '${globals.command}'.\n`);
    return USAGE_ERROR;
  }

  try {
    const parse = () => program.parseAsync(argv, { from: 'user' });
    if (app !== null && globals.command !== null && custom.has(globals.command)) {
      await app.appContext(parse);
    } else {
      await parse();
    }
  } catch (e) {
    if (!(e instanceof CommanderError) && !isExitSignal(e)) options.onError?.(e);
    if (e instanceof CommanderError) {
      const helpShown =
        e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version';
      if (loadError !== null && (globals.command === null || !BUILTINS.has(globals.command))) {
        io.err(`\nError: ${errorText(loadError)}\n`);
      }
      if (helpShown) return 0;
      return e.exitCode === 0 ? 0 : USAGE_ERROR;
    }
    if (e instanceof NoAppException) {
      io.err(`Error: ${e.message}\n`);
      return USAGE_ERROR;
    }
    if (isExitSignal(e)) return e.exitCode;
    const errno = e as NodeJS.ErrnoException & { port?: number };
    if (errno?.code === 'EADDRINUSE') {
      io.err(
        `Address already in use\nPort ${errno.port ?? ''} is in use by another program. Either identify and stop that program, or start the server with a different port.\n`,
      );
      return 1;
    }
    if (errno?.code === 'EACCES' && errno.syscall === 'listen') {
      io.err(`Error: ${errorText(e)} (binding to a port below 1024 needs privileges).\n`);
      return 1;
    }
    io.err(`Error: ${errorText(e)}\n`);
    if (e instanceof Error && e.stack && !(e instanceof InvalidArgumentError)) io.err(`${e.stack}\n`);
    return 1;
  }
  return exitCode;
}

/** Thrown by the test runner's `process.exit` replacement to unwind a command. */
export class ExitSignal extends Error {
  readonly exitCode: number;
  constructor(code: number) {
    super(`process.exit(${code})`);
    this.exitCode = code;
  }
}

function isExitSignal(e: unknown): e is ExitSignal {
  return e instanceof ExitSignal;
}

/** Output and exit handling of the program reach the app's commands and their subcommands. */
function inheritSettings(cmd: Command, parent: Command): void {
  cmd.copyInheritedSettings(parent);
  for (const sub of cmd.commands) inheritSettings(sub, cmd);
}
