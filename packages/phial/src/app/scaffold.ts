/**
 * What Phial and Blueprint share (Flask's `Scaffold`): route registration, hook lists, error handlers,
 * template registries, and the paths (root, static, templates).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BaseLoader } from '@phial/jinja';
import { exceptionForCode, HTTPException } from '../http/exceptions.js';
import { nodeFs, workingDirectory } from '../http/node-builtins.js';
import type { RouteParams } from '../http/routing/index.js';
import {
  makeWebSocketView,
  type WebSocketHandler,
  type WebSocketOptions,
} from '../realtime/websocket/route.js';
import type { RouteView, TypedRouteOptions } from '../validation/types.js';
import type {
  AfterRequestFunction,
  BeforeRequestFunction,
  ErrorClass,
  ErrorHandler,
  HTTPExceptionFor,
  TeardownFunction,
  TemplateCallable,
  TemplateContextProcessor,
  UrlDefaultFunction,
  UrlValuePreprocessor,
  ViewFunction,
} from './types.js';

/**
 * Options of `route`, `get`, ... and `addUrlRule` (Werkzeug's Rule options plus Flask's), and the typed
 * validation/OpenAPI options (`body`, `query`, `params`, `headers`, `cookies`, `response`, `summary`, ...).
 */
export interface RouteOptions extends TypedRouteOptions {
  /** Body media types the route's `body` schema accepts (default: JSON, urlencoded, multipart); others are 415. */
  contentTypes?: readonly string[] | null;
  /** Allowed methods (default `['GET']`; HEAD is added with GET, OPTIONS automatically). */
  methods?: Iterable<string> | null;
  /** Endpoint name (default: the view's function name, else the rule text). */
  endpoint?: string;
  strictSlashes?: boolean;
  /** Values passed to the view that are not in the rule. */
  defaults?: Record<string, unknown> | null;
  host?: string | null;
  subdomain?: string | null;
  redirectTo?: string | ((params: Record<string, unknown>) => string) | null;
  /** Answer OPTIONS with `Allow` automatically (default: `PROVIDE_AUTOMATIC_OPTIONS`, true). */
  provideAutomaticOptions?: boolean;
  mergeSlashes?: boolean;
  buildOnly?: boolean;
  /**
   * The largest request body this route accepts, in bytes (`null`: no limit); it wins over
   * `req.maxContentLength` and `MAX_CONTENT_LENGTH`. A larger body gets 413 before it is read.
   */
  maxContentLength?: number | null;
}

/** Options of `addUrlRule`: the route options plus the view. */
export interface UrlRuleOptions<P = Record<string, unknown>> extends RouteOptions {
  view?: ViewFunction<P> | null;
}

/** Scope key of hook maps: null for the app, a blueprint's dotted name otherwise. */
export type Scope = string | null;

/** Error handler map of one scope: code (null for non-HTTP classes) → class → handler. */
export type ErrorHandlerMap = Map<number | null, Map<ErrorClass, ErrorHandler<never>>>;

/** Resolves a module URL, a file path or a folder path to a folder (the root of an app or blueprint). */
export function resolveRootPath(importName: string | URL | undefined | null): string {
  if (importName === undefined || importName === null || importName === '') return workingDirectory();
  let p: string;
  if (importName instanceof URL || /^file:/i.test(importName)) {
    p = fileURLToPath(importName);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(importName)) {
    return workingDirectory();
  } else {
    p = path.resolve(importName);
  }
  try {
    if (nodeFs().statSync(p).isDirectory()) return p;
    return path.dirname(p);
  } catch {
    // a module file that is not there (bundled), a folder not created yet, or a bare name like Flask's
    // `Flask(__name__)` ('my_app'): the latter roots the app at the working directory
    if (/\.[cm]?[jt]sx?$/.test(p)) return path.dirname(p);
    if (typeof importName === 'string' && !/[\\/]/.test(importName)) return workingDirectory();
    return p;
  }
}

/** A readable name for an app or blueprint created from an import name (module file stem). */
export function nameFromImport(importName: string | URL | undefined | null): string {
  if (importName === undefined || importName === null || importName === '')
    return path.basename(workingDirectory());
  let p: string;
  try {
    p =
      importName instanceof URL || /^file:/i.test(importName)
        ? fileURLToPath(importName)
        : String(importName);
  } catch {
    return String(importName);
  }
  const base = path.basename(p).replace(/\.[cm]?[jt]sx?$/, '');
  return base || String(importName);
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * @internal The endpoint a view's name gives, or null when it has none: `function show` and `show.bind(x)`
 * (named `bound show`) both give `show`; arrows assigned nowhere, `anonymous` and `bound ` give null.
 */
export function endpointFromName(view: unknown): string | null {
  let name = typeof view === 'function' ? view.name : undefined;
  if (!name) return null;
  while (name.startsWith('bound ')) name = name.slice(6);
  return name === '' || name === 'anonymous' ? null : name;
}

/**
 * True for an error class that defines its own `Symbol.hasInstance` (zod 4's `ZodError`): its instances are
 * not made by its constructor, so handlers for it are found with `instanceof` rather than the prototype chain.
 */
export function matchesByInstanceof(cls: unknown): boolean {
  if (typeof cls !== 'function') return false;
  const own = (cls as { [Symbol.hasInstance]?: unknown })[Symbol.hasInstance];
  return own !== Function.prototype[Symbol.hasInstance];
}

/** Flask's `_get_exc_class_and_code`: validates what an error handler is registered for. */
export function excClassAndCode(key: number | ErrorClass): [ErrorClass, number | null] {
  if (typeof key === 'number') {
    const cls = exceptionForCode(key);
    if (cls === undefined) {
      throw new Error(
        `'${key}' is not a recognized HTTP error code. Use a subclass of HTTPException with that code instead.`,
      );
    }
    return [cls as unknown as ErrorClass, key];
  }
  if (typeof key !== 'function') {
    throw new TypeError(
      `${String(key)} is an instance, not a class. Handlers can only be registered for Error classes or HTTP error codes.`,
    );
  }
  const proto = (key as { prototype?: unknown }).prototype;
  // zod 4's ZodError (and other `$constructor` classes) match by `Symbol.hasInstance`, their prototype is not an Error's
  if (key !== Error && !(proto instanceof Error) && !matchesByInstanceof(key)) {
    throw new TypeError(
      `'${key.name}' is not a subclass of Error. Handlers can only be registered for Error classes or HTTP error codes.`,
    );
  }
  if (proto instanceof HTTPException) {
    return [key, ((key as unknown as typeof HTTPException).code ?? null) as number | null];
  }
  return [key, null];
}

type RouteArgs<R extends string> =
  | [view: ViewFunction<RouteParams<R>>]
  | [options: RouteOptions, view: ViewFunction<RouteParams<R>>];

/**
 * The registration surface shared by `Phial` and `Blueprint`. Hook lists live in maps keyed by scope
 * (null = app-wide, a blueprint name = only for that blueprint's requests), as in Flask.
 */
export abstract class Scaffold {
  /** Name (an app's module name; a blueprint's name). */
  name: string;
  /** What was passed as import name (module URL or path). */
  readonly importName: string;
  /** Folder of the app or blueprint. */
  rootPath: string;
  /** @internal */
  _staticFolder: string | null;
  /** @internal */
  _staticUrlPath: string | null;
  /** Folder of templates, relative to `rootPath` (or absolute), or null. */
  templateFolder: string | null;
  /**
   * Where this app's or blueprint's templates come from when not from `templateFolder` (Flask's
   * `jinja_loader`): e.g. a `ModuleLoader` over templates precompiled by `phial templates compile`,
   * for runtimes that forbid code generation (Cloudflare Workers, strict CSP).
   */
  jinjaLoader: BaseLoader | null = null;

  /** endpoint → view (the app's real map; a blueprint's stays empty: it records onto the app). */
  viewFunctions: Record<string, ViewFunction<never>> = Object.create(null);
  beforeRequestFuncs = new Map<Scope, BeforeRequestFunction[]>();
  afterRequestFuncs = new Map<Scope, AfterRequestFunction[]>();
  teardownRequestFuncs = new Map<Scope, TeardownFunction[]>();
  urlValuePreprocessors = new Map<Scope, UrlValuePreprocessor[]>();
  urlDefaultFunctions = new Map<Scope, UrlDefaultFunction[]>();
  /** scope → code → class → handler */
  errorHandlerSpec = new Map<Scope, ErrorHandlerMap>();
  /** Template context processors by scope (templating.ts reads them). */
  contextProcessors = new Map<Scope, TemplateContextProcessor[]>();
  /** Template filters (app-wide, as Jinja's env.filters). */
  templateFilters = new Map<string, TemplateCallable>();
  /** Template tests (app-wide). */
  templateTests = new Map<string, TemplateCallable>();
  /** Template globals (app-wide). */
  templateGlobals = new Map<string, TemplateCallable | unknown>();

  constructor(
    importName: string | URL | undefined | null,
    opts: {
      staticFolder?: string | null;
      staticUrlPath?: string | null;
      templateFolder?: string | null;
      rootPath?: string | null;
    } = {},
  ) {
    this.importName = importName === undefined || importName === null ? '' : String(importName);
    this.rootPath = opts.rootPath ?? resolveRootPath(importName);
    this.name = nameFromImport(importName);
    this._staticFolder = opts.staticFolder === undefined ? null : opts.staticFolder;
    this._staticUrlPath = opts.staticUrlPath ?? null;
    this.templateFolder = opts.templateFolder ?? null;
  }

  /** Absolute path of the static folder, or null. */
  get staticFolder(): string | null {
    return this._staticFolder === null ? null : path.resolve(this.rootPath, this._staticFolder);
  }
  set staticFolder(value: string | null) {
    this._staticFolder = value;
  }

  /**
   * True when a static folder is configured (Flask's `has_static_folder`): whether it exists is not
   * checked, so the `static` endpoint and `urlFor('static', ...)` work before the folder is created.
   */
  get hasStaticFolder(): boolean {
    return this._staticFolder !== null;
  }

  /** URL path of the static route (`/static` from the folder's name unless set). */
  get staticUrlPath(): string | null {
    if (this._staticUrlPath !== null) return this._staticUrlPath;
    const f = this._staticFolder;
    if (f === null) return null;
    return `/${path.basename(f)}`.replace(/\/+$/, '');
  }
  set staticUrlPath(value: string | null) {
    this._staticUrlPath = value === null ? null : value.replace(/\/+$/, '');
  }

  /** Hook for blueprints: refuses setup calls after registration. */
  protected checkSetup(_fname: string): void {}

  /** Registers a rule; the base of every routing method. */
  abstract addUrlRule<R extends string>(
    rule: R,
    options?: UrlRuleOptions<RouteParams<R>> | null,
    view?: ViewFunction<RouteParams<R>> | null,
  ): this;

  /** Binds a view to an endpoint registered without one. */
  abstract endpoint<V extends ViewFunction<never>>(name: string, view: V): V;

  /** Registers `view` for `rule` (GET unless `methods` says otherwise). `req.params` is typed from the rule. */
  route<R extends string>(rule: R, view: ViewFunction<RouteParams<R>>): this;
  route<R extends string, O extends RouteOptions>(rule: R, options: O, view: RouteView<R, O>): this;
  route<R extends string>(rule: R, ...args: RouteArgs<R>): this {
    const [options, view] = args.length === 1 ? [{}, args[0]] : args;
    return this.addUrlRule(rule, options, view);
  }

  private methodRoute<R extends string>(method: string, rule: R, args: RouteArgs<R>): this {
    const [options, view] = args.length === 1 ? [{} as RouteOptions, args[0]] : args;
    if (options && 'methods' in options && options.methods != null) {
      throw new TypeError("Use the 'route' method to pass 'methods'.");
    }
    return this.addUrlRule(rule, { ...options, methods: [method] }, view);
  }

  /** `route` with `methods: ['GET']`. */
  get<R extends string>(rule: R, view: ViewFunction<RouteParams<R>>): this;
  get<R extends string, O extends RouteOptions>(rule: R, options: O, view: RouteView<R, O>): this;
  get<R extends string>(rule: R, ...args: RouteArgs<R>): this {
    return this.methodRoute('GET', rule, args);
  }
  /** `route` with `methods: ['POST']`. */
  post<R extends string>(rule: R, view: ViewFunction<RouteParams<R>>): this;
  post<R extends string, O extends RouteOptions>(rule: R, options: O, view: RouteView<R, O>): this;
  post<R extends string>(rule: R, ...args: RouteArgs<R>): this {
    return this.methodRoute('POST', rule, args);
  }
  /** `route` with `methods: ['PUT']`. */
  put<R extends string>(rule: R, view: ViewFunction<RouteParams<R>>): this;
  put<R extends string, O extends RouteOptions>(rule: R, options: O, view: RouteView<R, O>): this;
  put<R extends string>(rule: R, ...args: RouteArgs<R>): this {
    return this.methodRoute('PUT', rule, args);
  }
  /** `route` with `methods: ['PATCH']`. */
  patch<R extends string>(rule: R, view: ViewFunction<RouteParams<R>>): this;
  patch<R extends string, O extends RouteOptions>(rule: R, options: O, view: RouteView<R, O>): this;
  patch<R extends string>(rule: R, ...args: RouteArgs<R>): this {
    return this.methodRoute('PATCH', rule, args);
  }
  /** `route` with `methods: ['DELETE']`. */
  delete<R extends string>(rule: R, view: ViewFunction<RouteParams<R>>): this;
  delete<R extends string, O extends RouteOptions>(rule: R, options: O, view: RouteView<R, O>): this;
  delete<R extends string>(rule: R, ...args: RouteArgs<R>): this {
    return this.methodRoute('DELETE', rule, args);
  }
  /** `route` with `methods: ['HEAD']`. */
  head<R extends string>(rule: R, view: ViewFunction<RouteParams<R>>): this;
  head<R extends string, O extends RouteOptions>(rule: R, options: O, view: RouteView<R, O>): this;
  head<R extends string>(rule: R, ...args: RouteArgs<R>): this {
    return this.methodRoute('HEAD', rule, args);
  }
  /** `route` with `methods: ['OPTIONS']`. */
  options<R extends string>(rule: R, view: ViewFunction<RouteParams<R>>): this;
  options<R extends string, O extends RouteOptions>(rule: R, options: O, view: RouteView<R, O>): this;
  options<R extends string>(rule: R, ...args: RouteArgs<R>): this {
    return this.methodRoute('OPTIONS', rule, args);
  }

  /**
   * Registers a WebSocket route: `handler(ws, req)` runs once the upgrade of `rule` is accepted (after
   * routing and `beforeRequest` hooks; a hook's response refuses it), inside the request context.
   */
  websocket<R extends string>(rule: R, handler: WebSocketHandler<RouteParams<R>>): this;
  websocket<R extends string>(
    rule: R,
    options: WebSocketOptions,
    handler: WebSocketHandler<RouteParams<R>>,
  ): this;
  websocket<R extends string>(
    rule: R,
    ...args: [WebSocketHandler<RouteParams<R>>] | [WebSocketOptions, WebSocketHandler<RouteParams<R>>]
  ): this {
    const [options, handler] = args.length === 1 ? [{} as WebSocketOptions, args[0]] : args;
    if (typeof handler !== 'function') throw new TypeError('websocket needs a handler function.');
    const { endpoint, defaults, host, subdomain, strictSlashes } = options;
    // not an HTTP operation (a plain GET answers 426): left out of the OpenAPI document, as FastAPI does
    const ruleOptions: RouteOptions = { methods: ['GET'], includeInSchema: false };
    if (endpoint !== undefined) ruleOptions.endpoint = endpoint;
    if (defaults !== undefined) ruleOptions.defaults = defaults;
    if (host !== undefined) ruleOptions.host = host;
    if (subdomain !== undefined) ruleOptions.subdomain = subdomain;
    if (strictSlashes !== undefined) ruleOptions.strictSlashes = strictSlashes;
    const view = makeWebSocketView(handler as WebSocketHandler<never>, options);
    return this.addUrlRule(rule, ruleOptions as UrlRuleOptions<RouteParams<R>>, view as never);
  }

  /** Runs before each request; a returned value ends the request with it. Returns `fn`. */
  beforeRequest<F extends BeforeRequestFunction>(fn: F): F {
    this.checkSetup('beforeRequest');
    pushTo(this.beforeRequestFuncs, null, fn);
    return fn;
  }

  /** Runs after each request with the response; returns the (new) response. Returns `fn`. */
  afterRequest<F extends AfterRequestFunction>(fn: F): F {
    this.checkSetup('afterRequest');
    pushTo(this.afterRequestFuncs, null, fn);
    return fn;
  }

  /** Runs when the request context ends, even after an error (receives it). Returns `fn`. */
  teardownRequest<F extends TeardownFunction>(fn: F): F {
    this.checkSetup('teardownRequest');
    pushTo(this.teardownRequestFuncs, null, fn);
    return fn;
  }

  /** Runs before `beforeRequest` hooks with the endpoint and params; may change the params. */
  urlValuePreprocessor<F extends UrlValuePreprocessor>(fn: F): F {
    this.checkSetup('urlValuePreprocessor');
    pushTo(this.urlValuePreprocessors, null, fn);
    return fn;
  }

  /** Fills values for `urlFor` (for this scope's endpoints). */
  urlDefaults<F extends UrlDefaultFunction>(fn: F): F {
    this.checkSetup('urlDefaults');
    pushTo(this.urlDefaultFunctions, null, fn);
    return fn;
  }

  /** Adds variables to templates rendered in this scope. */
  contextProcessor<F extends TemplateContextProcessor>(fn: F): F {
    this.checkSetup('contextProcessor');
    pushTo(this.contextProcessors, null, fn);
    return fn;
  }

  /** Handles errors of a class (and subclasses) or an HTTP status code. Returns `fn`. */
  errorHandler<C extends number, E extends HTTPException = HTTPExceptionFor<C>>(
    code: C,
    fn: ErrorHandler<E>,
  ): ErrorHandler<E>;
  errorHandler<E>(cls: ErrorClass<E>, fn: ErrorHandler<E>): ErrorHandler<E>;
  errorHandler(key: number | ErrorClass, fn: ErrorHandler<never>): ErrorHandler<never> {
    this.registerErrorHandler(key, fn);
    return fn;
  }

  /** Same as `errorHandler`, without returning the function (Flask's `register_error_handler`). */
  registerErrorHandler(key: number | ErrorClass, fn: ErrorHandler<never>): void {
    this.checkSetup('registerErrorHandler');
    const [cls, code] = excClassAndCode(key);
    let byCode = this.errorHandlerSpec.get(null);
    if (byCode === undefined) {
      byCode = new Map();
      this.errorHandlerSpec.set(null, byCode);
    }
    let byClass = byCode.get(code);
    if (byClass === undefined) {
      byClass = new Map();
      byCode.set(code, byClass);
    }
    byClass.set(cls, fn);
  }

  /** @internal stores a template callable (blueprints record it onto the app). */
  protected abstract addTemplateCallable(
    kind: 'filter' | 'test' | 'global',
    name: string,
    fn: TemplateCallable | unknown,
  ): void;

  /** Registers a template filter (app-wide). `templateFilter(fn)` uses the function's name. */
  templateFilter<F extends TemplateCallable>(name: string | F, fn?: F): F {
    const [n, f] = typeof name === 'string' ? [name, fn as F] : [name.name, name];
    if (typeof f !== 'function') throw new TypeError('templateFilter needs a function.');
    this.addTemplateCallable('filter', n, f);
    return f;
  }

  /** Registers a template test (app-wide). */
  templateTest<F extends TemplateCallable>(name: string | F, fn?: F): F {
    const [n, f] = typeof name === 'string' ? [name, fn as F] : [name.name, name];
    if (typeof f !== 'function') throw new TypeError('templateTest needs a function.');
    this.addTemplateCallable('test', n, f);
    return f;
  }

  /** Registers a template global (app-wide); any value, usually a function. */
  templateGlobal<F>(name: string | (F & TemplateCallable), value?: F): F {
    const [n, v] = typeof name === 'string' ? [name, value as F] : [name.name, name as F];
    this.addTemplateCallable('global', n, v);
    return v;
  }

  /** Flask's `add_template_filter`. */
  addTemplateFilter(fn: TemplateCallable, name?: string): void {
    this.addTemplateCallable('filter', name ?? fn.name, fn);
  }
  /** Flask's `add_template_test`. */
  addTemplateTest(fn: TemplateCallable, name?: string): void {
    this.addTemplateCallable('test', name ?? fn.name, fn);
  }
  /** Flask's `add_template_global`. */
  addTemplateGlobal(fn: TemplateCallable, name?: string): void {
    this.addTemplateCallable('global', name ?? fn.name, fn);
  }
}

/** @internal */
export { pushTo };
