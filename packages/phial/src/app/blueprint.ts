/**
 * Blueprints (Flask's `Blueprint`): a group of routes and hooks recorded now and replayed onto an app
 * when registered, under a URL prefix, subdomain and name. Blueprints nest.
 */

import type { Response } from '../http/response.js';
import type { RouteParams } from '../http/routing/index.js';
import type { SecurityRequirement } from '../validation/types.js';
import { sendFromDirectory } from './files.js';
import type { Phial } from './phial.js';
import type { Request } from './request.js';
import {
  type ErrorHandlerMap,
  endpointFromName,
  excClassAndCode,
  pushTo,
  type RouteOptions,
  Scaffold,
  type Scope,
  type UrlRuleOptions,
} from './scaffold.js';
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

/** Options of `new Blueprint(name, importName, options)`. */
export interface BlueprintOptions {
  /** Prefix of every rule (`/admin`). */
  urlPrefix?: string | null;
  /** Subdomain of every rule. */
  subdomain?: string | null;
  /** Templates folder of this blueprint (relative to its root). */
  templateFolder?: string | null;
  /** Static folder (relative to its root); adds `<prefix><staticUrlPath>/<path:filename>` as `name.static`. */
  staticFolder?: string | null;
  /** URL path of the static route (default `/` + the folder's name). */
  staticUrlPath?: string | null;
  /** Default values for every rule's view. */
  urlDefaults?: Record<string, unknown> | null;
  /** Overrides the root folder. */
  rootPath?: string | null;
  /** OpenAPI tags of every route of the blueprint (default: the blueprint's name). */
  tags?: readonly string[] | null;
  /**
   * OpenAPI security requirements of every route of the blueprint (`[{ bearer: [] }]`, what its
   * `beforeRequest` auth check enforces), unless a route sets its own `security` (`[]`: a public route).
   */
  security?: readonly SecurityRequirement[] | null;
}

/** Options of `app.registerBlueprint(bp, options)` (override the blueprint's own). */
export interface BlueprintRegisterOptions {
  urlPrefix?: string | null;
  subdomain?: string | null;
  /** Register under another name (endpoints become `name.view`); needed to register a blueprint twice. */
  name?: string;
  urlDefaults?: Record<string, unknown> | null;
  /** @internal the parent's dotted name (nesting) */
  namePrefix?: string;
}

/** What a deferred blueprint function receives when the blueprint is registered. */
export class BlueprintSetupState {
  readonly app: Phial;
  readonly blueprint: Blueprint;
  readonly options: BlueprintRegisterOptions;
  /** True the first time this blueprint is registered on the app. */
  readonly firstRegistration: boolean;
  readonly subdomain: string | null;
  readonly urlPrefix: string | null;
  /** The name it is registered under. */
  readonly name: string;
  /** The parent's dotted name ('' at the top). */
  readonly namePrefix: string;
  readonly urlDefaults: Record<string, unknown>;

  constructor(
    blueprint: Blueprint,
    app: Phial,
    options: BlueprintRegisterOptions,
    firstRegistration: boolean,
  ) {
    this.app = app;
    this.blueprint = blueprint;
    this.options = options;
    this.firstRegistration = firstRegistration;
    this.subdomain = options.subdomain ?? blueprint.subdomain;
    this.urlPrefix = options.urlPrefix ?? blueprint.urlPrefix;
    this.name = options.name ?? blueprint.name;
    this.namePrefix = options.namePrefix ?? '';
    this.urlDefaults = { ...blueprint.urlValuesDefaults, ...(options.urlDefaults ?? {}) };
  }

  /** The dotted name of this registration (`parent.child`). */
  get fullName(): string {
    return `${this.namePrefix}.${this.name}`.replace(/^\.+/, '');
  }

  /** Adds a rule to the app under this blueprint's prefix, subdomain, defaults and name. */
  addUrlRule(rule: string, options: UrlRuleOptions = {}, view?: ViewFunction<never> | null): void {
    let full = rule;
    if (this.urlPrefix !== null && this.urlPrefix !== undefined) {
      full = rule ? `${this.urlPrefix.replace(/\/+$/, '')}/${rule.replace(/^\/+/, '')}` : this.urlPrefix;
    }
    const fn = view ?? options.view ?? null;
    const fromName = endpointFromName(fn);
    const named = options.endpoint !== undefined || fromName !== null;
    const endpoint = options.endpoint ?? fromName ?? rule;
    const defaults = options.defaults ? { ...this.urlDefaults, ...options.defaults } : this.urlDefaults;
    this.app.addUrlRule(
      full,
      {
        ...options,
        view: undefined,
        subdomain: options.subdomain === undefined ? this.subdomain : options.subdomain,
        endpoint: `${this.namePrefix}.${this.name}.${endpoint}`.replace(/^\.+/, ''),
        defaults: Object.keys(defaults).length ? defaults : null,
        ...(named ? {} : { _derivedEndpoint: true }),
      },
      fn as never,
    );
  }
}

type Deferred = (state: BlueprintSetupState) => void;

/**
 * A set of routes, hooks and error handlers to register on an app. `new Blueprint('admin',
 * import.meta.url, { urlPrefix: '/admin' })`; endpoints become `admin.view`.
 */
export class Blueprint extends Scaffold {
  urlPrefix: string | null;
  subdomain: string | null;
  /** Defaults for every rule's values. */
  urlValuesDefaults: Record<string, unknown>;
  /** OpenAPI tags of the blueprint's routes (null: its name). */
  tags: string[] | null;
  /** OpenAPI security of the blueprint's routes (null: the document's default). */
  security: SecurityRequirement[] | null;
  /** Functions replayed on each registration. */
  deferredFunctions: Deferred[] = [];
  /** @internal nested blueprints */
  _blueprints: [Blueprint, BlueprintRegisterOptions][] = [];
  /** @internal */
  _gotRegisteredOnce = false;

  constructor(name: string, importName?: string | URL | null, options: BlueprintOptions = {}) {
    super(importName, {
      staticFolder: options.staticFolder ?? null,
      staticUrlPath: options.staticUrlPath ?? null,
      templateFolder: options.templateFolder ?? null,
      rootPath: options.rootPath ?? null,
    });
    if (!name) throw new Error("'name' may not be empty.");
    if (name.includes('.')) throw new Error("'name' may not contain a dot '.' character.");
    this.name = name;
    this.urlPrefix = options.urlPrefix ?? null;
    this.subdomain = options.subdomain ?? null;
    this.urlValuesDefaults = { ...(options.urlDefaults ?? {}) };
    this.tags = options.tags ? [...options.tags] : null;
    this.security = options.security ? options.security.map((r) => ({ ...r })) : null;
  }

  protected override checkSetup(fname: string): void {
    if (this._gotRegisteredOnce) {
      throw new Error(
        `The setup method '${fname}' can no longer be called on the blueprint '${this.name}'. It has already been registered at least once, any changes will not be applied consistently.\nMake sure all imports, decorators, functions, etc. needed to set up the blueprint are done before registering it.`,
      );
    }
  }

  /** Records a function to run with the setup state on registration. */
  record(fn: Deferred): void {
    this.deferredFunctions.push(fn);
  }

  /** Like `record`, only on the first registration. */
  recordOnce(fn: Deferred): void {
    this.record((state) => {
      if (state.firstRegistration) fn(state);
    });
  }

  /** Creates the setup state passed to deferred functions. */
  makeSetupState(
    app: Phial,
    options: BlueprintRegisterOptions,
    firstRegistration = false,
  ): BlueprintSetupState {
    return new BlueprintSetupState(this, app, options, firstRegistration);
  }

  /** Nests a blueprint: its endpoints become `this.child.view`, its prefix follows this one's. */
  registerBlueprint(blueprint: Blueprint, options: BlueprintRegisterOptions = {}): void {
    if (blueprint === this) throw new Error('Cannot register a blueprint on itself');
    this._blueprints.push([blueprint, options]);
  }

  /** Called by `app.registerBlueprint`: replays everything onto the app. */
  register(app: Phial, options: BlueprintRegisterOptions): void {
    const namePrefix = options.namePrefix ?? '';
    const selfName = options.name ?? this.name;
    const name = `${namePrefix}.${selfName}`.replace(/^\.+/, '');
    const existing = app.blueprints[name];
    if (existing !== undefined) {
      const desc = existing === this ? 'this' : 'a different';
      const at = selfName !== name ? ` '${name}'` : '';
      throw new Error(
        `The name '${selfName}' is already registered for ${desc} blueprint${at}. Use 'name' to provide a unique name.`,
      );
    }
    const firstBpRegistration = !Object.values(app.blueprints).includes(this);
    app.blueprints[name] = this;
    this._gotRegisteredOnce = true;
    const state = this.makeSetupState(app, options, firstBpRegistration);
    if (this.hasStaticFolder) {
      const bp = this;
      state.addUrlRule(
        `${this.staticUrlPath ?? '/static'}/<path:filename>`,
        { endpoint: 'static' },
        function sendStatic(req: Request<{ filename: string }>) {
          return bp.sendStaticFile(req.params.filename);
        } as ViewFunction<never>,
      );
    }
    this.mergeInto(app, name);
    for (const deferred of this.deferredFunctions) deferred(state);

    for (const [child, childOpts] of this._blueprints) {
      const o: BlueprintRegisterOptions = { ...childOpts };
      const childSub = childOpts.subdomain ?? child.subdomain;
      if (state.subdomain !== null && childSub !== null) o.subdomain = `${childSub}.${state.subdomain}`;
      else if (childSub !== null) o.subdomain = childSub;
      else if (state.subdomain !== null) o.subdomain = state.subdomain;
      const childPrefix = childOpts.urlPrefix ?? child.urlPrefix;
      if (state.urlPrefix !== null && childPrefix !== null) {
        o.urlPrefix = `${state.urlPrefix.replace(/\/+$/, '')}/${childPrefix.replace(/^\/+/, '')}`;
      } else if (childPrefix !== null) o.urlPrefix = childPrefix;
      else if (state.urlPrefix !== null) o.urlPrefix = state.urlPrefix;
      o.namePrefix = name;
      child.register(app, o);
    }
  }

  /** Copies this blueprint's scoped hooks and handlers into the app under `name`. */
  private mergeInto(app: Phial, name: string): void {
    const key = (k: Scope): string => (k === null ? name : `${name}.${k}`);
    for (const [k, byCode] of this.errorHandlerSpec) {
      const copy: ErrorHandlerMap = new Map();
      for (const [code, byClass] of byCode) copy.set(code, new Map(byClass));
      app.errorHandlerSpec.set(key(k), copy);
    }
    for (const [ep, fn] of Object.entries(this.viewFunctions)) app.viewFunctions[ep] = fn;
    const extend = <T>(from: Map<Scope, T[]>, to: Map<Scope, T[]>) => {
      for (const [k, fns] of from) for (const fn of fns) pushTo(to, key(k), fn);
    };
    extend(this.beforeRequestFuncs, app.beforeRequestFuncs);
    extend(this.afterRequestFuncs, app.afterRequestFuncs);
    extend(this.teardownRequestFuncs, app.teardownRequestFuncs);
    extend(this.urlDefaultFunctions, app.urlDefaultFunctions);
    extend(this.urlValuePreprocessors, app.urlValuePreprocessors);
    extend(this.contextProcessors, app.contextProcessors);
  }

  /** Records a rule; it is added to the app (prefixed, `name.endpoint`) on registration. */
  addUrlRule<R extends string>(
    rule: R,
    options?: UrlRuleOptions<RouteParams<R>> | null,
    view?: ViewFunction<RouteParams<R>> | null,
  ): this {
    this.checkSetup('addUrlRule');
    const opts = (options ?? {}) as UrlRuleOptions;
    const fn = (view ?? opts.view ?? null) as ViewFunction<never> | null;
    if (opts.endpoint?.includes('.')) throw new Error("'endpoint' may not contain a dot '.' character.");
    if (fn?.name?.includes('.')) throw new Error("'view' function name may not contain a dot '.' character.");
    this.record((state) => state.addUrlRule(rule, opts, fn));
    return this;
  }

  /** Binds a view to an endpoint of this blueprint (`name.endpoint` on the app). */
  endpoint<V extends ViewFunction<never>>(name: string, view: V): V {
    this.record((state) => {
      state.app.viewFunctions[`${state.namePrefix}.${state.name}.${name}`.replace(/^\.+/, '')] = view;
    });
    return view;
  }

  /** @internal template callables are app-wide: recorded onto the app. */
  protected addTemplateCallable(
    kind: 'filter' | 'test' | 'global',
    name: string,
    fn: TemplateCallable | unknown,
  ): void {
    this.recordOnce((state) => {
      const app = state.app;
      if (kind === 'filter') app.templateFilters.set(name, fn as TemplateCallable);
      else if (kind === 'test') app.templateTests.set(name, fn as TemplateCallable);
      else app.templateGlobals.set(name, fn);
    });
  }

  /** `templateFilter` on the app (Flask's `app_template_filter`). */
  appTemplateFilter<F extends TemplateCallable>(name: string | F, fn?: F): F {
    return this.templateFilter(name, fn);
  }
  /** `templateTest` on the app. */
  appTemplateTest<F extends TemplateCallable>(name: string | F, fn?: F): F {
    return this.templateTest(name, fn);
  }
  /** `templateGlobal` on the app. */
  appTemplateGlobal<F>(name: string | (F & TemplateCallable), value?: F): F {
    return this.templateGlobal(name, value);
  }

  /** Like `beforeRequest`, for every request of the app. */
  beforeAppRequest<F extends BeforeRequestFunction>(fn: F): F {
    this.recordOnce((s) => pushTo(s.app.beforeRequestFuncs, null, fn));
    return fn;
  }
  /** Like `afterRequest`, for every request of the app. */
  afterAppRequest<F extends AfterRequestFunction>(fn: F): F {
    this.recordOnce((s) => pushTo(s.app.afterRequestFuncs, null, fn));
    return fn;
  }
  /** Like `teardownRequest`, for every request of the app. */
  teardownAppRequest<F extends TeardownFunction>(fn: F): F {
    this.recordOnce((s) => pushTo(s.app.teardownRequestFuncs, null, fn));
    return fn;
  }
  /** Like `contextProcessor`, for every template of the app. */
  appContextProcessor<F extends TemplateContextProcessor>(fn: F): F {
    this.recordOnce((s) => pushTo(s.app.contextProcessors, null, fn));
    return fn;
  }
  /** Like `urlValuePreprocessor`, for every request of the app. */
  appUrlValuePreprocessor<F extends UrlValuePreprocessor>(fn: F): F {
    this.recordOnce((s) => pushTo(s.app.urlValuePreprocessors, null, fn));
    return fn;
  }
  /** Like `urlDefaults`, for every endpoint of the app. */
  appUrlDefaults<F extends UrlDefaultFunction>(fn: F): F {
    this.recordOnce((s) => pushTo(s.app.urlDefaultFunctions, null, fn));
    return fn;
  }
  /** Like `errorHandler`, for errors of the whole app. */
  appErrorHandler<
    C extends number,
    E extends import('../http/exceptions.js').HTTPException = HTTPExceptionFor<C>,
  >(code: C, fn: ErrorHandler<E>): ErrorHandler<E>;
  appErrorHandler<E>(cls: ErrorClass<E>, fn: ErrorHandler<E>): ErrorHandler<E>;
  appErrorHandler(key: number | ErrorClass, fn: ErrorHandler<never>): ErrorHandler<never> {
    excClassAndCode(key);
    this.recordOnce((s) => s.app.registerErrorHandler(key, fn));
    return fn;
  }

  /** Serves a file of this blueprint's static folder. */
  sendStaticFile(filename: string): Promise<Response> {
    const folder = this.staticFolder;
    if (folder === null) throw new Error("'staticFolder' must be set to serve static files.");
    return sendFromDirectory(folder, filename);
  }

  override toString(): string {
    return `<Blueprint '${this.name}'>`;
  }
}

export type { RouteOptions };
