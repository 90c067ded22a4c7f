/**
 * The request pipeline (Flask's `wsgi_app` / `full_dispatch_request`), see ARCHITECTURE.md. Read top-down:
 *
 *   dispatchRaw            a raw request in, a Response out; teardown attached to the response's close
 *   runPipeline            inside the request context: match the rule, then
 *   fullDispatchRequest    urlValuePreprocessors + beforeRequest hooks (a value ends the request), then
 *   dispatchRequest        the routing error, automatic OPTIONS, or: read the body, call the view
 *   finalizeRequest        makeResponse → afterThisRequest/afterRequest → session save → requestFinished
 *   handleUserException    errors to the registered handlers; handleException: 500 (or propagate)
 *   teardown               teardown hooks, after the adapter wrote the response
 *
 * Every step accepts sync or async hooks; while all of them are sync the whole pipeline is.
 */
import { announcesBody, releaseBody } from '../http/body/index.js';
import {
  BadRequest,
  BadRequestKeyError,
  type HTTPException,
  InternalServerError,
  isHTTPException,
  RequestRedirect,
} from '../http/exceptions.js';
import type { RawRequest } from '../http/request.js';
import { Response } from '../http/response.js';
import type { ValidationPlan } from '../validation/attach.js';
import { runValidated } from '../validation/route.js';
import { AppContext, contextStorage, RequestContext, runWithContext3 } from './context.js';
import { attempt, chain, isPromiseLike, type MaybePromise } from './maybe.js';
import type { Phial } from './phial.js';
import { endpointBlueprints, Request } from './request.js';
import { type ErrorHandlerMap, matchesByInstanceof, type Scope } from './scaffold.js';
import { isNullSession } from './sessions.js';
import * as signals from './signals.js';
import { hookChannel, type RouteTrace, routeChannel, trace, type ViewTrace, viewChannel } from './tracing.js';
import type { ErrorClass, ErrorHandler } from './types.js';

/** The rule fields the pipeline reads (routing's `Rule` has them). */
interface MatchedRule {
  endpoint: string;
  provideAutomaticOptions?: boolean;
  validation?: ValidationPlan;
}

/** Called with the new Request and the adapter's data before anything runs (scheme, abort wiring...). */
export type DispatchSetup<D> = (req: Request, data: D) => void;

/**
 * Dispatches a raw request through the app and returns the Response (sync when every step was sync).
 * Teardown is attached to the response's close (the adapter closes it once written). When an error
 * propagates (TESTING/DEBUG), teardown runs with it and the error is rethrown.
 */
export function dispatchRaw<D>(
  app: Phial,
  raw: RawRequest,
  setup?: DispatchSetup<D> | null,
  data?: D,
): MaybePromise<Response> {
  const req = newRequest(app, raw, setup, data);
  const ctx = new RequestContext(app, req);
  const withTeardown = needsTeardown(app);
  let out: MaybePromise<Response>;
  try {
    out = runInContext(app, ctx);
  } catch (e) {
    if (withTeardown) return chain(teardown(app, ctx, e), () => Promise.reject(e));
    throw e;
  }
  if (!withTeardown) return out;
  const attach = (res: Response): Response => {
    res.callOnClose(() => teardown(app, ctx, ctx._error ?? null));
    return res;
  };
  if (isPromiseLike(out)) {
    return Promise.resolve(out).then(attach, (e) => chain(teardown(app, ctx, e), () => Promise.reject(e)));
  }
  return attach(out);
}

/**
 * The app's Request for a raw request, as every way in makes it (`dispatchRaw`, WebSocket upgrades): the
 * adapter's `setup`, then `PROXY_FIX`.
 */
export function newRequest<D>(
  app: Phial,
  raw: RawRequest,
  setup?: DispatchSetup<D> | null,
  data?: D,
): Request {
  const req = new Request(raw);
  if (setup) setup(req, data as D);
  const proxies = app.config.PROXY_FIX;
  if (proxies) req.applyProxyFix(proxies);
  return req;
}

/** The pipeline inside the contexts, for an existing request context. Resolves to the final Response. */
export function runInContext(app: Phial, ctx: RequestContext, skipMatch = false): MaybePromise<Response> {
  return runWithContext3(ctx, runPipeline, app, ctx, skipMatch);
}

function runPipeline(app: Phial, ctx: RequestContext, skipMatch: boolean): MaybePromise<Response> {
  if (SIGNALS.appcontextPushed.hasReceivers) emit('appcontextPushed', app);
  if (!skipMatch) {
    if (routeChannel.hasSubscribers) matchTraced(app, ctx);
    else matchRequest(app, ctx);
  }
  return dispatchWithErrors(app, ctx);
}

/** fullDispatchRequest, with what escapes the error handlers going to handleException. */
function dispatchWithErrors(app: Phial, ctx: RequestContext): MaybePromise<Response> {
  let res: MaybePromise<Response>;
  try {
    res = fullDispatchRequest(app, ctx);
  } catch (e) {
    return handleException(app, ctx, e);
  }
  if (isPromiseLike(res)) return Promise.resolve(res).then(undefined, (e) => handleException(app, ctx, e));
  return res;
}

/** Flask's `full_dispatch_request`. */
function fullDispatchRequest(app: Phial, ctx: RequestContext): MaybePromise<Response> {
  let rv: unknown;
  try {
    if (SIGNALS.requestStarted.hasReceivers) emit('requestStarted', app);
    rv = preprocessRequest(app, ctx);
    if (isPromiseLike(rv)) {
      return Promise.resolve(rv)
        .then((v) => (v !== undefined && v !== null ? v : dispatchRequest(app, ctx)))
        .then(undefined, (e) => handleUserException(app, ctx, e))
        .then((v) => finalizeRequest(app, ctx, v, false));
    }
    if (rv === undefined || rv === null) rv = dispatchRequest(app, ctx);
  } catch (e) {
    return chain(handleUserException(app, ctx, e), (v) => finalizeRequest(app, ctx, v, false));
  }
  if (isPromiseLike(rv)) {
    return Promise.resolve(rv)
      .then(undefined, (e) => handleUserException(app, ctx, e))
      .then((v) => finalizeRequest(app, ctx, v, false));
  }
  return finalizeRequest(app, ctx, rv, false);
}

/** Binds the URL adapter and matches the request; a routing error is kept for later (after beforeRequest). */
export function matchRequest(app: Phial, ctx: RequestContext): void {
  const req = ctx.request;
  try {
    const adapter = app._adapterFor(req);
    ctx.urlAdapter = adapter;
    const { rule, params } = adapter.match(req.path, req.method, req.queryString);
    req.urlRule = rule;
    req.endpoint = (rule as MatchedRule).endpoint;
    req.params = params;
  } catch (e) {
    req.params = {};
    req.routingException = e instanceof Error ? e : new BadRequest(String(e));
  }
}

/** matchRequest under the `phial.route` tracing channel (app/tracing.ts). */
function matchTraced(app: Phial, ctx: RequestContext): void {
  const req = ctx.request;
  const t: RouteTrace = { request: req, method: req.method, path: req.path };
  routeChannel.traceSync(() => {
    matchRequest(app, ctx);
    if (req.routingException !== null) t.error = req.routingException;
    else {
      t.endpoint = req.endpoint ?? undefined;
      t.rule = (req.urlRule as { rule?: string } | null)?.rule;
      t.params = req.params as Record<string, unknown>;
    }
  }, t);
}

/** urlValuePreprocessors then beforeRequest hooks; a value ends the request. */
function preprocessRequest(app: Phial, ctx: RequestContext): unknown {
  const req = ctx.request;
  const pre = app.urlValuePreprocessors;
  const before = app.beforeRequestFuncs;
  if (pre.size === 0 && before.size === 0) return undefined;
  const scopes = beforeScopes(req);
  if (pre.size !== 0) {
    for (const s of scopes) {
      const fns = pre.get(s);
      if (fns) for (const fn of fns) fn(req.endpoint, req.params as Record<string, unknown>);
    }
  }
  if (before.size === 0) return undefined;
  // one scope with hooks (the usual case): its list as is, nothing to copy
  let only: ((req: Request) => unknown)[] | undefined;
  let funcs: ((req: Request) => unknown)[] | undefined;
  for (let i = 0; i < scopes.length; i++) {
    const fns = before.get(scopes[i] as Scope) as ((req: Request) => unknown)[] | undefined;
    if (fns === undefined || fns.length === 0) continue;
    if (only === undefined) only = fns;
    else funcs = (funcs ?? only).concat(fns);
  }
  const list = funcs ?? only;
  if (list === undefined) return undefined;
  if (hookChannel.hasSubscribers) {
    return trace(hookChannel, { request: req, hook: 'beforeRequest' }, () => runBeforeHooks(list, req, 0));
  }
  return runBeforeHooks(list, req, 0);
}

function runBeforeHooks(funcs: ((req: Request) => unknown)[], req: Request, i: number): unknown {
  for (; i < funcs.length; i++) {
    const rv = (funcs[i] as (req: Request) => unknown)(req);
    if (isPromiseLike(rv)) {
      const next = i + 1;
      return Promise.resolve(rv).then((v) =>
        v !== undefined && v !== null ? v : runBeforeHooks(funcs, req, next),
      );
    }
    if (rv !== undefined && rv !== null) return rv;
  }
  return undefined;
}

/**
 * Raises the routing error, answers automatic OPTIONS, or reads the body and calls the view. The body is
 * read here, after routing and the beforeRequest hooks let the request through: a 404/405/308 or a hook's
 * early answer never reads a byte of it.
 */
function dispatchRequest(app: Phial, ctx: RequestContext): unknown {
  const req = ctx.request;
  if (req.routingException !== null) throw req.routingException;
  const rule = req.urlRule as MatchedRule;
  if (req.method === 'OPTIONS' && rule.provideAutomaticOptions) return app.makeDefaultOptionsResponse(req);
  const view = app.viewFunctions[rule.endpoint] as ((req: Request) => unknown) | undefined;
  if (view === undefined) {
    throw new Error(`No view function is registered for the endpoint '${rule.endpoint}'.`);
  }
  if (req._body === null && announcesBody(req.raw.headers)) {
    const load = req.loadBody();
    // all of it had arrived: loaded already, the view runs now (no promise hop)
    if (req._body === null) return load.then(() => callView(app, req, rule, view));
  }
  return callView(app, req, rule, view);
}

/** The view (through the route's schemas when it declares some: only such rules carry a plan). */
function callView(app: Phial, req: Request, rule: MatchedRule, view: (req: Request) => unknown): unknown {
  if (viewChannel.hasSubscribers) {
    const t: ViewTrace = {
      request: req,
      endpoint: rule.endpoint,
      rule: (rule as { rule?: string }).rule ?? '',
    };
    if (rule.validation !== undefined) {
      const plan = rule.validation;
      return trace(viewChannel, t, () => runValidated(app, req as never, view as never, plan));
    }
    return trace(viewChannel, t, () => view(req));
  }
  if (rule.validation !== undefined) return runValidated(app, req as never, view as never, rule.validation);
  return view(req);
}

/** makeResponse + processResponse + requestFinished. Errors while finishing an error response are logged. */
function finalizeRequest(
  app: Phial,
  ctx: RequestContext,
  rv: unknown,
  fromErrorHandler: boolean,
): MaybePromise<Response> {
  const response = app._toResponse(rv, ctx);
  if (!fromErrorHandler) {
    const out = processResponse(app, ctx, response);
    if (isPromiseLike(out)) return Promise.resolve(out).then((res) => finished(app, ctx, res));
    return finished(app, ctx, out);
  }
  return attempt(
    () => chain(processResponse(app, ctx, response), (res) => finished(app, ctx, res)),
    (e) => {
      app.logger.error('Request finalizing failed with an error while handling an error', e);
      return response;
    },
  );
}

/** The response is final: requestFinished, and large uploads' temporary files go once it is sent. */
function finished(app: Phial, ctx: RequestContext, res: Response): Response {
  if (SIGNALS.requestFinished.hasReceivers) emit('requestFinished', app, { response: res });
  const body = ctx.request._body;
  if (body?.spooled) res.callOnClose(() => releaseBody(body));
  return res;
}

/** afterThisRequest callbacks, afterRequest hooks (inner scope first, last registered first), session save. */
export function processResponse(app: Phial, ctx: RequestContext, response: Response): MaybePromise<Response> {
  const req = ctx.request;
  let funcs: ((res: Response, req: Request) => unknown)[] | null = null;
  if (ctx._afterThisRequest !== null) funcs = [...(ctx._afterThisRequest as ((res: Response) => unknown)[])];
  const after = app.afterRequestFuncs;
  if (after.size !== 0) {
    funcs ??= [];
    for (const s of afterScopes(req)) {
      const fns = after.get(s);
      if (fns)
        for (let i = fns.length - 1; i >= 0; i--)
          funcs.push(fns[i] as (res: Response, req: Request) => unknown);
    }
  }
  if (funcs === null) return saveSession(app, ctx, response);
  const hooks = funcs;
  const out = hookChannel.hasSubscribers
    ? trace(hookChannel, { request: req, hook: 'afterRequest' }, () => runAfterHooks(hooks, response, req, 0))
    : runAfterHooks(funcs, response, req, 0);
  if (isPromiseLike(out)) return Promise.resolve(out).then((res) => saveSession(app, ctx, res));
  return saveSession(app, ctx, out);
}

function runAfterHooks(
  funcs: ((res: Response, req: Request) => unknown)[],
  res: Response,
  req: Request,
  i: number,
): MaybePromise<Response> {
  for (; i < funcs.length; i++) {
    const rv = (funcs[i] as (res: Response, req: Request) => unknown)(res, req);
    if (isPromiseLike(rv)) {
      const next = i + 1;
      return Promise.resolve(rv).then((v) =>
        runAfterHooks(funcs, v instanceof Response ? v : res, req, next),
      );
    }
    if (rv instanceof Response) res = rv;
    else if (rv !== undefined && rv !== null) {
      throw new TypeError(
        'An afterRequest function must return a Response (or nothing to keep the response).',
      );
    }
  }
  return res;
}

function saveSession(app: Phial, ctx: RequestContext, res: Response): Response {
  const session = ctx._session;
  if (session !== null && !isNullSession(session)) app.sessionInterface.saveSession(app, session, res);
  return res;
}

/** Flask's `handle_user_exception`: HTTP errors become their response unless handled; others need a handler. */
export function handleUserException(app: Phial, ctx: RequestContext, e: unknown): unknown {
  const req = ctx.request;
  if (isHTTPException(e) && !trapHttpException(app, e)) {
    if (e instanceof RequestRedirect) return e;
    const handler = findErrorHandler(app, e, req.blueprints);
    if (handler === undefined) return e;
    return (handler as ErrorHandler<unknown>)(e, req);
  }
  const handler = findErrorHandler(app, e, req.blueprints);
  if (handler === undefined) throw e;
  return (handler as ErrorHandler<unknown>)(e, req);
}

function trapHttpException(app: Phial, e: HTTPException): boolean {
  const config = app.config;
  if (config.TRAP_HTTP_EXCEPTIONS) return true;
  const trapBad = config.TRAP_BAD_REQUEST_ERRORS;
  if (trapBad === null || trapBad === undefined) {
    return Boolean(config.DEBUG) && e instanceof BadRequestKeyError;
  }
  return Boolean(trapBad) && e instanceof BadRequest;
}

/** Flask's `handle_exception`: propagate (testing/debug) or log once and answer 500 (through a 500 handler). */
export function handleException(app: Phial, ctx: RequestContext, e: unknown): MaybePromise<Response> {
  emit('gotRequestException', app, { exception: e });
  ctx._error = e;
  if (shouldPropagate(app)) {
    // no response will close: large uploads' temporary files go now
    void releaseBody(ctx.request._body);
    throw e;
  }
  const req = ctx.request;
  app.logger.error(`Exception on ${req.path} [${req.method}]`, e);
  const serverError = new InternalServerError(null, undefined, e);
  const handler = findErrorHandler(app, serverError, req.blueprints);
  const rv = handler === undefined ? serverError : (handler as ErrorHandler<unknown>)(serverError, req);
  return chain(rv, (v) => finalizeRequest(app, ctx, v, true));
}

/** True when an unhandled error propagates to the caller (TESTING/DEBUG, or PROPAGATE_EXCEPTIONS). */
export function shouldPropagate(app: Phial): boolean {
  const p = app.config.PROPAGATE_EXCEPTIONS;
  if (p !== null && p !== undefined) return Boolean(p);
  return Boolean(app.config.TESTING) || Boolean(app.config.DEBUG);
}

/** Flask's `_find_error_handler`: blueprint scopes first, then the app; by code first, then class-only handlers. */
export function findErrorHandler(
  app: Phial,
  e: unknown,
  blueprints: readonly string[],
): ErrorHandler<never> | undefined {
  const spec = app.errorHandlerSpec;
  if (spec.size === 0) return undefined;
  const codes: (number | null)[] = isHTTPException(e) ? [e.code, null] : [null];
  for (const code of codes) {
    for (const scope of [...blueprints, null]) {
      const map: ErrorHandlerMap | undefined = spec.get(scope);
      const byClass = map?.get(code);
      if (byClass === undefined) continue;
      // classes matched by Symbol.hasInstance (zod 4's ZodError) first: their instances' prototype chain
      // skips them, so the walk below would reach a handler for a base class (Error) before them
      for (const [cls, handler] of byClass) if (matchesByInstanceof(cls) && e instanceof cls) return handler;
      for (const cls of errorClasses(e)) {
        const handler = byClass.get(cls);
        if (handler !== undefined) return handler;
      }
    }
  }
  return undefined;
}

/** Walks the prototype chain of an error: its class, then its base classes (Python's MRO). */
function* errorClasses(e: unknown): Generator<ErrorClass> {
  if (e === null || (typeof e !== 'object' && typeof e !== 'function')) return;
  let proto = Object.getPrototypeOf(e);
  while (proto !== null && proto !== Object.prototype) {
    const ctor = proto.constructor as ErrorClass | undefined;
    if (typeof ctor === 'function') yield ctor;
    proto = Object.getPrototypeOf(proto);
  }
}

/** Runs the teardown hooks and pops the app context (signals included). Errors are logged. */
export function teardown(app: Phial, ctx: RequestContext | AppContext, error: unknown): MaybePromise<void> {
  const run = (): MaybePromise<void> => {
    let p = undefined as MaybePromise<void>;
    if (ctx instanceof RequestContext) {
      const req = ctx.request;
      const tr = app.teardownRequestFuncs;
      if (tr.size !== 0) {
        for (const s of afterScopes(req)) {
          const fns = tr.get(s);
          if (fns)
            for (let i = fns.length - 1; i >= 0; i--)
              p = callTeardown(app, p, fns[i] as (e: unknown) => unknown, error);
        }
      }
      p = chain(p, () => emit('requestTearingDown', app, { exc: error }));
    }
    const ta = app.teardownAppcontextFuncs;
    for (let i = ta.length - 1; i >= 0; i--)
      p = callTeardown(app, p, ta[i] as (e: unknown) => unknown, error);
    return chain(p, () => {
      emit('appcontextTearingDown', app, { exc: error });
      emit('appcontextPopped', app);
    });
  };
  return contextStorage.run(ctx, run);
}

function callTeardown(
  app: Phial,
  prev: MaybePromise<void>,
  fn: (e: unknown) => unknown,
  error: unknown,
): MaybePromise<void> {
  return chain(prev, () =>
    attempt<void>(
      () => chain(fn(error), () => undefined),
      (e) => {
        app.logger.error('Error in a teardown function', e);
      },
    ),
  );
}

/** True when a request needs a teardown step (hooks or signal receivers). */
export function needsTeardown(app: Phial): boolean {
  return (
    app.teardownRequestFuncs.size !== 0 ||
    app.teardownAppcontextFuncs.length !== 0 ||
    SIGNALS.requestTearingDown.hasReceivers ||
    SIGNALS.appcontextTearingDown.hasReceivers ||
    SIGNALS.appcontextPopped.hasReceivers
  );
}

type SignalName =
  | 'requestStarted'
  | 'requestFinished'
  | 'requestTearingDown'
  | 'gotRequestException'
  | 'appcontextTearingDown'
  | 'appcontextPushed'
  | 'appcontextPopped';

interface AnySignal {
  readonly hasReceivers: boolean;
  send(sender: unknown, extra: Record<string, unknown>): unknown;
}

// A plain object (not the module namespace): property reads on it stay monomorphic and cheap.
const SIGNALS: Record<SignalName, AnySignal> = {
  requestStarted: signals.requestStarted as unknown as AnySignal,
  requestFinished: signals.requestFinished as unknown as AnySignal,
  requestTearingDown: signals.requestTearingDown as unknown as AnySignal,
  gotRequestException: signals.gotRequestException as unknown as AnySignal,
  appcontextTearingDown: signals.appcontextTearingDown as unknown as AnySignal,
  appcontextPushed: signals.appcontextPushed as unknown as AnySignal,
  appcontextPopped: signals.appcontextPopped as unknown as AnySignal,
};

/** @internal sends a signal when it has receivers (an unused signal costs one property read). */
export function emit(name: SignalName, sender: unknown, extra?: Record<string, unknown>): void {
  const sig = SIGNALS[name];
  if (sig.hasReceivers) sig.send(sender, extra ?? {});
}

/** Scopes for before hooks: app first, then outer → inner blueprint. */
const APP_SCOPE: readonly Scope[] = Object.freeze([null]);
/** Scope lists by endpoint, computed once (endpoints are the app's rules; bounded anyway). */
const beforeScopeCache = new Map<string, readonly Scope[]>();
const afterScopeCache = new Map<string, readonly Scope[]>();

function cachedScopes(
  cache: Map<string, readonly Scope[]>,
  endpoint: string,
  make: (bps: readonly string[]) => Scope[],
): readonly Scope[] {
  let out = cache.get(endpoint);
  if (out === undefined) {
    out = Object.freeze(make(endpointBlueprints(endpoint)));
    if (cache.size >= 4096) cache.clear();
    cache.set(endpoint, out);
  }
  return out;
}

function makeBeforeScopes(bps: readonly string[]): Scope[] {
  const out: Scope[] = [null];
  for (let i = bps.length - 1; i >= 0; i--) out.push(bps[i] as string);
  return out;
}

function makeAfterScopes(bps: readonly string[]): Scope[] {
  return [...bps, null];
}

function beforeScopes(req: Request): readonly Scope[] {
  const ep = req.endpoint;
  if (ep === null || ep.indexOf('.') === -1) return APP_SCOPE;
  return cachedScopes(beforeScopeCache, ep, makeBeforeScopes);
}

/** Scopes for after/teardown hooks: inner → outer blueprint, then app. */
function afterScopes(req: Request): readonly Scope[] {
  const ep = req.endpoint;
  if (ep === null || ep.indexOf('.') === -1) return APP_SCOPE;
  return cachedScopes(afterScopeCache, ep, makeAfterScopes);
}

export { AppContext, RequestContext };
