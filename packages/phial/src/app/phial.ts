/**
 * The application object (Flask's `Flask`): routes, hooks, config, and the ways in (node handler,
 * fetch, test client).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { Environment } from '@phial/jinja';
import type { Command } from 'commander';
import { BadHost } from '../http/exceptions.js';
import type { RawRequest } from '../http/request.js';
import { Response } from '../http/response.js';
import { BuildError, type MapAdapter, type RouteParams, Rule, UrlMap } from '../http/routing/index.js';
// types only: server/ and testing/ are loaded on first use (see the ways in below and ways-in.ts)
import type { RunOptions } from '../server/devserver.js';
import type { handleFetch } from '../server/fetch.js';
import type { ListenOptions } from '../server/listen.js';
import type { TestCliRunner } from '../testing/cli-runner.js';
import type { TestClient, TestClientOptions } from '../testing/client.js';
import type { TestRequestOptions } from '../testing/index.js';
import { attachRoute, type DocumentedRule } from '../validation/attach.js';
import type { Blueprint, BlueprintRegisterOptions } from './blueprint.js';
import { Config } from './config.js';
import { AppContext, contextStorage, currentRequestContext, type RequestContext } from './context.js';
import { type DispatchSetup, dispatchRaw, emit, teardown } from './dispatch.js';
import { sendFromDirectory } from './files.js';
import { DefaultJSONProvider } from './json.js';
import { createDefaultLogger, type Logger } from './logging.js';
import { chain, type MaybePromise } from './maybe.js';
import type { Request } from './request.js';
import { bindBodyToContext, toResponse } from './response-value.js';
import { endpointFromName, Scaffold, type UrlRuleOptions } from './scaffold.js';
import { SecureCookieSessionInterface, type SessionInterface } from './sessions.js';
import { jinjaEnvFor } from './templating.js';
import type {
  ShellContextProcessor,
  TeardownFunction,
  TemplateCallable,
  ViewAttributes,
  ViewFunction,
} from './types.js';
import { waysIn } from './ways-in.js';

/** Options of `new Phial(importName, options)`. */
export interface PhialOptions {
  /** Folder of static files, relative to the root (default `static`; null disables the static route). */
  staticFolder?: string | null;
  /** URL path of the static route (default `/` + the folder's name). */
  staticUrlPath?: string | null;
  /** Host of the static route when `hostMatching` is on. */
  staticHost?: string | null;
  /** Match rules on the full host. */
  hostMatching?: boolean;
  /** Match rules on the subdomain relative to SERVER_NAME. */
  subdomainMatching?: boolean;
  /** Folder of templates, relative to the root (default `templates`). */
  templateFolder?: string | null;
  /** Folder for instance files (default `<root>/instance`). */
  instancePath?: string | null;
  /** Relative config files load from the instance folder. */
  instanceRelativeConfig?: boolean;
  /** Overrides the root folder computed from the import name. */
  rootPath?: string | null;
  /** Overrides the app name (shown by `run`). */
  name?: string;
}

/** Values of `urlFor`: rule arguments (extra ones go to the query string) and the `_` options. */
export interface UrlForValues {
  /** Absolute URL (default: false in a request, true otherwise). */
  _external?: boolean;
  /** `#anchor` appended. */
  _anchor?: string;
  /** Pick the rule for this method. */
  _method?: string;
  /** Scheme of the absolute URL (needs `_external`). */
  _scheme?: string;
  [key: string]: unknown;
}

/** Handles a BuildError in `urlFor`: return a URL, or nothing to let the error through. */
export type UrlBuildErrorHandler = (
  error: BuildError,
  endpoint: string,
  values: Record<string, unknown>,
) => string | null | undefined;

/** An extension object: `ext.initApp(app)` sets it up and keeps state in `app.extensions[name]`. */
export interface Extension {
  initApp(app: Phial): void;
}

/** Rule with the flag the pipeline reads. */
type AppRule = Rule & {
  provideAutomaticOptions?: boolean;
  maxContentLength?: number | null;
} & DocumentedRule;

/**
 * A Phial application. `new Phial(import.meta.url)` roots the app at the module's folder (templates,
 * static files, instance folder).
 */
export class Phial extends Scaffold {
  /** Flask's keys with Flask's defaults, as plain properties. */
  config: Config;
  /** The URL rules and converters (`app.urlMap.converters.name = ...`). */
  urlMap: UrlMap;
  /** Registered blueprints by (dotted) name. */
  blueprints: Record<string, Blueprint> = Object.create(null);
  /** Extension state by extension name. */
  extensions: Record<string, unknown> = Object.create(null);
  /** Where errors are logged (replace with pino, winston, console...). */
  logger: Logger;
  /** How sessions are loaded and saved (signed cookies by default). */
  sessionInterface: SessionInterface = new SecureCookieSessionInterface();
  /** The JSON provider used by `jsonify` and JSON return values. */
  json: DefaultJSONProvider;
  /** Functions run when an app context ends. */
  teardownAppcontextFuncs: TeardownFunction[] = [];
  /** @internal `onShutdown` functions, in the order added. */
  shutdownFuncs: (() => unknown)[] = [];
  /** Functions providing variables to `phial shell`. */
  shellContextProcessors: ShellContextProcessor[] = [];
  /** Called when `urlFor` cannot build a URL. */
  urlBuildErrorHandlers: UrlBuildErrorHandler[] = [];
  /** Subdomain matching relative to SERVER_NAME. */
  subdomainMatching: boolean;
  /** Folder for instance files. */
  instancePath: string;

  /** @internal adapters per host/scheme (hosts are few; bounded) */
  _adapters = new Map<string, MapAdapter>();
  /** @internal the last adapter used (most requests share one host) */
  _lastAdapter: {
    host: string;
    scheme: string;
    serverName: string | null;
    root: string;
    adapter: MapAdapter;
  } | null = null;
  private _handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  private _cli: Command | null = null;

  constructor(importName?: string | URL | null, options: PhialOptions = {}) {
    super(importName, {
      staticFolder: options.staticFolder === undefined ? 'static' : options.staticFolder,
      staticUrlPath: options.staticUrlPath ?? null,
      templateFolder: options.templateFolder === undefined ? 'templates' : options.templateFolder,
      rootPath: options.rootPath ?? null,
    });
    if (options.name) this.name = options.name;
    this.instancePath = options.instancePath ?? `${this.rootPath}/instance`;
    this.config = new Config(options.instanceRelativeConfig ? this.instancePath : this.rootPath);
    this.subdomainMatching = options.subdomainMatching ?? false;
    this.urlMap = new UrlMap({ hostMatching: options.hostMatching ?? false });
    this.logger = createDefaultLogger(this.name, () => this.debug);
    this.json = new DefaultJSONProvider(this);
    if (this.hasStaticFolder) {
      if (Boolean(options.staticHost) !== Boolean(options.hostMatching)) {
        throw new Error('Invalid static_host/host_matching combination: set both or neither.');
      }
      const app = this;
      this.addUrlRule(
        `${this.staticUrlPath ?? '/static'}/<path:filename>`,
        { endpoint: 'static', host: options.staticHost ?? null },
        function sendStatic(req: Request<{ filename: string }>) {
          return app.sendStaticFile(req.params.filename);
        },
      );
    }
  }

  /**
   * The app's own CLI commands (Flask's `app.cli`): `app.cli.command('init-db').action(...)`. The `phial`
   * command adds them to its own and runs them inside an app context.
   */
  get cli(): Command {
    if (this._cli === null) {
      // loaded on first use: serving requests never needs the CLI library (startup time)
      const { Command: CommandClass } = createRequire(import.meta.url)(
        'commander',
      ) as typeof import('commander');
      this._cli = new CommandClass(this.name);
    }
    return this._cli;
  }

  /** The app's Jinja environment, made on first use (Flask's `app.jinja_env`). */
  get jinjaEnv(): Environment {
    return jinjaEnvFor(this);
  }

  /** `config.DEBUG`. */
  get debug(): boolean {
    return Boolean(this.config.DEBUG);
  }
  set debug(value: boolean) {
    this.config.DEBUG = value;
  }

  /** `config.TESTING`. */
  get testing(): boolean {
    return Boolean(this.config.TESTING);
  }
  set testing(value: boolean) {
    this.config.TESTING = value;
  }

  /** `config.SECRET_KEY`. */
  get secretKey(): string | Uint8Array | null {
    return this.config.SECRET_KEY;
  }
  set secretKey(value: string | Uint8Array | null) {
    this.config.SECRET_KEY = value;
  }

  /** PROPAGATE_EXCEPTIONS, else TESTING or DEBUG. */
  get propagateExceptions(): boolean {
    const p = this.config.PROPAGATE_EXCEPTIONS;
    return p === null || p === undefined ? this.testing || this.debug : Boolean(p);
  }

  // ---------------------------------------------------------------- registration

  /** Registers a rule and (optionally) its view. Errors name the rule; a second view on an endpoint throws. */
  addUrlRule<R extends string>(
    rule: R,
    options?: UrlRuleOptions<RouteParams<R>> | null,
    view?: ViewFunction<RouteParams<R>> | null,
  ): this {
    const opts = options ?? {};
    const fn = (view ?? opts.view ?? null) as (ViewFunction<never> & ViewAttributes) | null;
    let endpoint = opts.endpoint ?? endpointFromName(fn) ?? rule;
    const derived =
      (opts as { _derivedEndpoint?: boolean })._derivedEndpoint ||
      (opts.endpoint === undefined && endpoint === rule);
    let methodsIn = opts.methods ?? fn?.methods ?? null;
    if (typeof methodsIn === 'string') {
      throw new TypeError(
        "Allowed methods must be a list of strings, for example: app.route('/', { methods: ['POST'] }, view)",
      );
    }
    methodsIn ??= ['GET'];
    const methods = new Set<string>();
    for (const m of methodsIn) methods.add(String(m).toUpperCase());
    const required = new Set<string>();
    if (fn?.requiredMethods) for (const m of fn.requiredMethods) required.add(String(m).toUpperCase());
    let provide = opts.provideAutomaticOptions ?? fn?.provideAutomaticOptions;
    if (provide === undefined) {
      if (!methods.has('OPTIONS')) {
        provide = Boolean(this.config.PROVIDE_AUTOMATIC_OPTIONS);
        if (provide) required.add('OPTIONS');
      } else provide = false;
    } else if (provide) required.add('OPTIONS');
    for (const m of required) methods.add(m);

    if (fn && derived) {
      const taken = this.viewFunctions[endpoint];
      if (taken !== undefined && taken !== fn) endpoint = uniqueEndpoint(this, endpoint, methods, fn);
    }
    const ruleObj = new Rule(rule, {
      endpoint,
      methods,
      defaults: opts.defaults ?? null,
      strictSlashes: opts.strictSlashes,
      host: opts.host ?? null,
      subdomain: opts.subdomain ?? null,
      redirectTo: opts.redirectTo ?? null,
      buildOnly: opts.buildOnly,
      mergeSlashes: opts.mergeSlashes,
    }) as AppRule;
    ruleObj.provideAutomaticOptions = provide;
    if (opts.maxContentLength !== undefined) ruleObj.maxContentLength = opts.maxContentLength;
    attachRoute(ruleObj, opts, fn); // schemas (validation) and OpenAPI docs; nothing when none
    if (fn) {
      const old = this.viewFunctions[endpoint];
      if (old !== undefined && old !== fn) {
        throw new Error(`View function mapping is overwriting an existing endpoint function: ${endpoint}`);
      }
    }
    this.urlMap.add(ruleObj);
    if (fn) this.viewFunctions[endpoint] = fn;
    this._adapters.clear();
    this._lastAdapter = null;
    return this;
  }

  /** Binds `view` to `name` (for rules added without a view). */
  endpoint<V extends ViewFunction<never>>(name: string, view: V): V {
    this.viewFunctions[name] = view;
    return view;
  }

  /** @internal */
  protected addTemplateCallable(
    kind: 'filter' | 'test' | 'global',
    name: string,
    fn: TemplateCallable | unknown,
  ): void {
    if (kind === 'filter') this.templateFilters.set(name, fn as TemplateCallable);
    else if (kind === 'test') this.templateTests.set(name, fn as TemplateCallable);
    else this.templateGlobals.set(name, fn);
  }

  /** Runs when the app context ends (after each request too). Returns `fn`. */
  teardownAppcontext<F extends TeardownFunction>(fn: F): F {
    this.teardownAppcontextFuncs.push(fn);
    return fn;
  }

  /**
   * Runs when the process shuts down after its server closed (`phial serve` and `phial run` on SIGTERM or
   * SIGINT, or your own `await app.shutdown()`): flush telemetry, close pools. Awaited, last added first, as
   * gunicorn's `worker_exit` hook; returns `fn`.
   */
  onShutdown<F extends () => unknown>(fn: F): F {
    this.shutdownFuncs.push(fn);
    return fn;
  }

  /**
   * Runs the `onShutdown` functions, last added first, each awaited; one that throws is logged and the rest
   * still run. Resolves once all finished or `timeoutMs` passed (the rest are then left running).
   */
  async shutdown(timeoutMs = 10_000): Promise<void> {
    const funcs = this.shutdownFuncs.splice(0).reverse();
    if (funcs.length === 0) return;
    const all = (async () => {
      for (const fn of funcs) {
        try {
          await fn();
        } catch (e) {
          this.logger.error('Error in a shutdown function', e);
        }
      }
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn(`Shutdown functions still running after ${timeoutMs} ms: not waiting longer.`);
        resolve();
      }, timeoutMs);
    });
    await Promise.race([all, late]);
    clearTimeout(timer);
  }

  /** Adds variables to `phial shell`. Returns `fn`. */
  shellContextProcessor<F extends ShellContextProcessor>(fn: F): F {
    this.shellContextProcessors.push(fn);
    return fn;
  }

  /** The variables of `phial shell`: `app`, `g`, and the processors'. */
  makeShellContext(): Record<string, unknown> {
    const rv: Record<string, unknown> = { app: this };
    for (const fn of this.shellContextProcessors) Object.assign(rv, fn());
    return rv;
  }

  /** Registers a blueprint (its routes, hooks and nested blueprints). */
  registerBlueprint(blueprint: Blueprint, options: BlueprintRegisterOptions = {}): void {
    blueprint.register(this, options);
  }

  /** The registered blueprints, in order. */
  iterBlueprints(): Blueprint[] {
    return Object.values(this.blueprints);
  }

  /** Sets up an extension (calls `ext.initApp(this)`) and returns it. */
  use<E extends Extension>(ext: E): E {
    ext.initApp(this);
    return ext;
  }

  // ---------------------------------------------------------------- URLs

  /** @internal the adapter for a request's host and scheme (cached). */
  _adapterFor(req: Request): MapAdapter {
    const host = req.host;
    const scheme = req.scheme;
    const serverName = this.config.SERVER_NAME;
    const last = this._lastAdapter;
    if (
      last !== null &&
      last.host === host &&
      last.scheme === scheme &&
      last.serverName === serverName &&
      last.root === req.rootPath
    ) {
      return last.adapter;
    }
    const key = `${scheme}|${host}|${serverName ?? ''}|${req.rootPath}`;
    let adapter = this._adapters.get(key);
    if (adapter === undefined) {
      // only trusted hosts get this far: an untrusted one throws before its adapter is cached
      const trusted = this.config.TRUSTED_HOSTS;
      if (trusted && !hostIsTrusted(host, trusted)) throw new BadHost(`Host '${host}' is not trusted.`);
      let subdomain: string | null = null;
      let sn: string | null = serverName;
      if (this.urlMap.hostMatching) sn = null;
      else if (!this.subdomainMatching) subdomain = this.urlMap.defaultSubdomain || '';
      adapter = this.urlMap.bind({
        host,
        scriptName: req.rootPath || '/',
        subdomain,
        urlScheme: scheme,
        serverName: sn,
      });
      if (this._adapters.size >= 64) this._adapters.clear();
      this._adapters.set(key, adapter);
    }
    this._lastAdapter = { host, scheme, serverName, root: req.rootPath, adapter };
    return adapter;
  }

  /** An adapter for building URLs outside a request (needs SERVER_NAME), or null. */
  createUrlAdapter(req: Request | null): MapAdapter | null {
    if (req !== null) return this._adapterFor(req);
    const serverName = this.config.SERVER_NAME;
    if (!serverName) return null;
    return this.urlMap.bind({
      host: serverName,
      scriptName: this.config.APPLICATION_ROOT || '/',
      urlScheme: this.config.PREFERRED_URL_SCHEME || 'http',
      serverName,
      subdomain: this.subdomainMatching ? null : this.urlMap.defaultSubdomain || '',
    });
  }

  /** Calls the `urlDefaults` functions for an endpoint (app first, then its blueprints outer → inner). */
  injectUrlDefaults(endpoint: string, values: Record<string, unknown>): void {
    const scopes: (string | null)[] = [null];
    const dot = endpoint.lastIndexOf('.');
    if (dot !== -1) {
      const parts = endpoint.slice(0, dot).split('.');
      for (let i = 1; i <= parts.length; i++) scopes.push(parts.slice(0, i).join('.'));
    }
    for (const s of scopes) {
      const fns = this.urlDefaultFunctions.get(s);
      if (fns) for (const fn of fns) fn(endpoint, values);
    }
  }

  /** Builds a URL for an endpoint (see `urlFor`). */
  urlFor(endpoint: string, values: UrlForValues = {}): string {
    const { _external, _anchor, _method, _scheme, ...rest } = values;
    const rctx = currentRequestContext();
    let adapter: MapAdapter | null;
    let external: boolean;
    if (rctx !== undefined && rctx.app === this) {
      adapter = (rctx.urlAdapter as MapAdapter | null) ?? safeAdapter(this, rctx.request);
      const bp = rctx.request.blueprint;
      if (endpoint.startsWith('.')) endpoint = bp ? `${bp}${endpoint}` : endpoint.slice(1);
      external = _external ?? false;
    } else {
      adapter = this.createUrlAdapter(null);
      if (endpoint.startsWith('.')) endpoint = endpoint.slice(1);
      external = _external ?? true;
    }
    if (adapter === null) {
      throw new Error(
        "Unable to build URLs outside an active request without 'SERVER_NAME' configured. Also configure 'APPLICATION_ROOT' and 'PREFERRED_URL_SCHEME' as needed.",
      );
    }
    if (_scheme !== undefined && !external)
      throw new Error("When specifying '_scheme', '_external' must be true.");
    this.injectUrlDefaults(endpoint, rest);
    try {
      return adapter.build(endpoint, rest, {
        method: _method,
        forceExternal: external,
        scheme: _scheme,
        anchor: _anchor,
      });
    } catch (e) {
      if (e instanceof BuildError) return this.handleUrlBuildError(e, endpoint, rest);
      throw e;
    }
  }

  /** Gives `urlBuildErrorHandlers` a chance; rethrows when none returns a URL. */
  handleUrlBuildError(error: BuildError, endpoint: string, values: Record<string, unknown>): string {
    let err: BuildError = error;
    for (const handler of this.urlBuildErrorHandlers) {
      try {
        const rv = handler(err, endpoint, values);
        if (rv !== null && rv !== undefined) return rv;
      } catch (e) {
        if (e instanceof BuildError) err = e;
        else throw e;
      }
    }
    throw err;
  }

  // ---------------------------------------------------------------- responses

  /** Converts a view's return value into a Response (the API.md table). */
  makeResponse(rv: unknown): Response {
    return toResponse(rv, this.json, contextStorage.getStore());
  }

  /** @internal */
  _toResponse(rv: unknown, ctx: RequestContext): Response {
    if (typeof rv === 'string') return new Response(rv);
    if (rv instanceof Response) return bindBodyToContext(rv, ctx);
    return toResponse(rv, this.json, ctx, ctx.request.endpoint);
  }

  /** The response to an automatic OPTIONS request: empty, with `Allow`. */
  makeDefaultOptionsResponse(req: Request): Response {
    const adapter = this._adapterFor(req);
    const res = new Response('');
    res.headers.set('Allow', adapter.allowedMethods(req.path).join(', '));
    return res;
  }

  /** Cache max age for static files (SEND_FILE_MAX_AGE_DEFAULT). */
  getSendFileMaxAge(_filename: string | null): number | null {
    const v = this.config.SEND_FILE_MAX_AGE_DEFAULT;
    return v === null || v === undefined ? null : Number(v);
  }

  /** The view of the static route. */
  sendStaticFile(filename: string): Promise<Response> {
    const folder = this.staticFolder;
    if (folder === null) throw new Error("'staticFolder' must be set to serve static_files.");
    return sendFromDirectory(folder, filename, { maxAge: this.getSendFileMaxAge(filename) });
  }

  // ---------------------------------------------------------------- ways in

  /**
   * The app as every adapter sees it (the role of Flask's `wsgi_app`): Phial's server, node:http (`app.handler`),
   * `app.fetch` and the test client all hand it a raw request and write the Response it gives. Replace it to wrap
   * the app in middleware that sees every request, whatever serves it:
   * `const inner = app.wsgiApp; app.wsgiApp = (raw, setup, data) => { ...; return inner(raw, setup, data); }`.
   * Pass `setup` and `data` on unchanged (they are how the adapter wires its request). The Response comes back
   * as is when every step was synchronous, else as a promise.
   */
  wsgiApp: WsgiApp = (raw, setup, data) => dispatchRaw(this, raw, setup, data);

  /** Runs a raw request (a node IncomingMessage or anything shaped like it) and resolves to the Response. */
  dispatch(raw: RawRequest): Promise<Response> {
    try {
      return Promise.resolve(this.wsgiApp(raw));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** A `node:http` request listener serving this app. */
  get handler(): (req: IncomingMessage, res: ServerResponse) => void {
    if (this._handler === null) this._handler = waysIn().nodeHandler(this);
    return this._handler;
  }

  /** Fetch API entry (Bun, Deno, Workers, tests): `export default { fetch: app.fetch }` works. */
  readonly fetch = (request: globalThis.Request, server?: unknown): Promise<globalThis.Response> =>
    fetchAdapter !== null
      ? fetchAdapter(this, request, server)
      : loadFetchAdapter().then((f) => f(this, request, server));

  /**
   * The node `upgrade` listener serving the app's WebSocket routes: `server.on('upgrade', app.handleUpgrade)`
   * next to `server.on('request', app.handler)` on a node:http server. `app.listen` wires it itself when
   * the app has WebSocket routes (register them before listening).
   */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (upgradeAdapter !== null) upgradeAdapter(this)(req, socket, head);
    else void loadUpgradeAdapter().then((f) => f(this)(req, socket, head));
  };

  /**
   * Starts a server; resolves once listening (port 0 picks a free port). Phial's own HTTP/1.1 server by
   * default (an `http.Server`, faster than node's request/response streams); `{ server: 'node' }` (or
   * `PHIAL_SERVER=node`) serves `app.handler` on node:http instead.
   */
  listen(port?: number, host?: string, options?: ListenOptions): Promise<Server> {
    // imported here, as Flask's run() imports its server: serving through app.fetch never loads it
    return import('../server/listen.js').then((m) => m.listenApp(this, port, host, options));
  }

  /** The development server: prints Flask's banner and access lines. */
  run(options: RunOptions = {}): Promise<Server> {
    return import('../server/devserver.js').then((m) => m.runDevServer(this, options));
  }

  /** A client that sends requests to the app without a socket. */
  testClient(options?: TestClientOptions): TestClient {
    return waysIn().testClient(this, options);
  }

  /**
   * Runs the app's CLI commands in-process and captures their output (Flask's `app.test_cli_runner()`).
   * The CLI is imported on first use so that serving requests never loads the REPL or cluster code.
   */
  testCliRunner(): TestCliRunner {
    return {
      invoke: async (args, options) =>
        (await import('../testing/cli-runner.js')).createTestCliRunner(this).invoke(args, options),
    };
  }

  /** Runs `fn` inside an app context; resolves to its return value. */
  appContext<T>(fn: () => T | Promise<T>): Promise<T> {
    const ctx = new AppContext(this);
    return Promise.resolve(
      contextStorage.run(ctx, async () => {
        emit('appcontextPushed', this);
        let error: unknown = null;
        try {
          return await fn();
        } catch (e) {
          error = e;
          throw e;
        } finally {
          await chain(teardown(this, ctx, error), () => undefined);
        }
      }),
    );
  }

  /** Runs `fn` inside a request context for `path` (nothing dispatched); resolves to its return value. */
  testRequestContext<T>(fn: (req: Request) => T | Promise<T>): Promise<T>;
  testRequestContext<T>(path: string, fn: (req: Request) => T | Promise<T>): Promise<T>;
  testRequestContext<T>(
    path: string,
    options: TestRequestOptions,
    fn: (req: Request) => T | Promise<T>,
  ): Promise<T>;
  testRequestContext<T>(
    a: string | ((req: Request) => T | Promise<T>),
    b?: TestRequestOptions | ((req: Request) => T | Promise<T>),
    c?: (req: Request) => T | Promise<T>,
  ): Promise<T> {
    return import('../testing/index.js').then(({ runTestRequestContext }) => {
      if (typeof a === 'function') return runTestRequestContext(this, '/', {}, a);
      if (typeof b === 'function') return runTestRequestContext(this, a, {}, b);
      return runTestRequestContext(this, a, b ?? {}, c as (req: Request) => T | Promise<T>);
    });
  }

  override toString(): string {
    return `<Phial '${this.name}'>`;
  }
}

/** The seam between the adapters and the app (`app.wsgiApp`): a raw request in, the Response out. */
export type WsgiApp = <D = undefined>(
  raw: RawRequest,
  setup?: DispatchSetup<D> | null,
  data?: D,
) => MaybePromise<Response>;

/** The Fetch adapter, once loaded (the first `app.fetch` call imports it; later calls use it directly). */
let fetchAdapter: typeof handleFetch | null = null;

type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
let upgradeAdapter: ((app: Phial) => UpgradeListener) | null = null;
const upgradeListeners = new WeakMap<Phial, UpgradeListener>();

/** Loads the WebSocket upgrade code on the first upgrade (apps without WebSocket routes never load `ws`). */
function loadUpgradeAdapter(): Promise<(app: Phial) => UpgradeListener> {
  return import('../realtime/websocket/node.js').then((m) => {
    upgradeAdapter = (app) => {
      let l = upgradeListeners.get(app);
      if (l === undefined) {
        l = m.createUpgradeHandler(app);
        upgradeListeners.set(app, l);
      }
      return l;
    };
    return upgradeAdapter;
  });
}

function loadFetchAdapter(): Promise<typeof handleFetch> {
  return import('../server/fetch.js').then((m) => {
    fetchAdapter = m.handleFetch;
    return m.handleFetch;
  });
}

/** An unnamed view on a rule whose endpoint is taken (`app.get('/p', ...)` then `app.post('/p', ...)`) gets `rule#METHODS`. */
function uniqueEndpoint(app: Phial, base: string, methods: Set<string>, fn: unknown): string {
  const tag = [...methods]
    .filter((m) => m !== 'HEAD' && m !== 'OPTIONS')
    .sort()
    .join(',');
  let endpoint = `${base}#${tag}`;
  for (let i = 2; app.viewFunctions[endpoint] !== undefined && app.viewFunctions[endpoint] !== fn; i++) {
    endpoint = `${base}#${tag}${i}`;
  }
  return endpoint;
}

function safeAdapter(app: Phial, req: Request): MapAdapter | null {
  try {
    return app._adapterFor(req);
  } catch {
    return app.createUrlAdapter(null);
  }
}

/** Werkzeug's `host_is_trusted`: exact names, or `.example.com` for the domain and its subdomains. */
export function hostIsTrusted(host: string, trusted: readonly string[]): boolean {
  const strip = (h: string) => {
    if (h.startsWith('[')) {
      const end = h.indexOf(']');
      return h.slice(0, end + 1).toLowerCase();
    }
    const i = h.lastIndexOf(':');
    return (i === -1 ? h : h.slice(0, i)).toLowerCase();
  };
  const hostname = strip(host);
  for (let t of trusted) {
    let suffix = false;
    if (t.startsWith('.')) {
      t = t.slice(1);
      suffix = true;
    }
    const name = strip(t);
    if (hostname === name || (suffix && hostname.endsWith(`.${name}`))) return true;
  }
  return false;
}
