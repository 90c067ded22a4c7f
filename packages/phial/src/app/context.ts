/**
 * Application and request contexts (Flask's `ctx.py`), and the mechanism that makes the global
 * proxies (`request`, `g`, ...) follow async code: two overlapping requests never see each other's objects.
 *
 * The contract is AsyncLocalStorage's: the context survives every boundary AsyncLocalStorage survives
 * (awaits, timers, `setImmediate`, event emitters, node callbacks), on Node, Bun and Deno. That is the
 * default mechanism. `PHIAL_CONTEXT=promise-hooks` opts into an older, narrower mechanism (Node only): the
 * context sits in a variable while a request runs synchronously and follows promises through V8 promise
 * hooks, so timers and event-emitter callbacks run outside it (`copyCurrentRequestContext(fn)` carries it
 * there). It avoids AsyncLocalStorage's async_hooks cost on Node 20/22; see docs/application.md for the
 * measured difference.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import type * as V8 from 'node:v8';
import type { Response } from '../http/response.js';
import type { Phial } from './phial.js';
import type { Request } from './request.js';
import { NullSession, type Session } from './sessions.js';

/**
 * The type of `g`. Augment it to type your attributes:
 * `declare module 'phial' { interface AppGlobals { user?: User } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by users
export interface AppGlobals {}

/** Flask's `_AppCtxGlobals`: a namespace object with a few dict-like helpers. */
export class AppCtxGlobals {
  /** The value of `name`, or `defaultValue` (typed by `AppGlobals` for its keys). */
  get<K extends keyof AppGlobals>(name: K): AppGlobals[K] | undefined;
  get<K extends keyof AppGlobals>(
    name: K,
    defaultValue: NonNullable<AppGlobals[K]>,
  ): NonNullable<AppGlobals[K]>;
  get<T>(name: string, defaultValue: T): T;
  get<T = unknown>(name: string): T | undefined;
  get(name: string, defaultValue?: unknown): unknown {
    return Object.hasOwn(this, name) ? (this as Record<string, unknown>)[name] : defaultValue;
  }
  /** Removes `name` and returns its value (or `defaultValue`). */
  pop<K extends keyof AppGlobals>(name: K): AppGlobals[K] | undefined;
  pop<K extends keyof AppGlobals>(
    name: K,
    defaultValue: NonNullable<AppGlobals[K]>,
  ): NonNullable<AppGlobals[K]>;
  pop<T>(name: string, defaultValue: T): T;
  pop<T = unknown>(name: string): T | undefined;
  pop<T = unknown>(name: string, defaultValue?: T): T | undefined {
    if (!Object.hasOwn(this, name)) return defaultValue;
    const v = (this as Record<string, unknown>)[name] as T;
    delete (this as Record<string, unknown>)[name];
    return v;
  }
  /** Returns `name`, setting it to `defaultValue` first when missing. */
  setDefault<T>(name: string, defaultValue: T): T {
    if (!Object.hasOwn(this, name)) (this as Record<string, unknown>)[name] = defaultValue;
    return (this as Record<string, unknown>)[name] as T;
  }
  /** True when `name` is set. */
  has(name: string): boolean {
    return Object.hasOwn(this, name);
  }
}

/** `g`: per app context storage, typed by `AppGlobals`. */
export type G = AppGlobals & AppCtxGlobals & Record<string, unknown>;

/** The application context: which app is current, and its `g`. */
export class AppContext {
  readonly app: Phial;
  /** @internal */
  readonly appCtx: AppContext;
  /** @internal */
  readonly reqCtx: RequestContext | null = null;
  private _g: G | null = null;
  /** @internal URL adapter for building URLs without a request */
  _urlAdapter: unknown = undefined;

  constructor(app: Phial) {
    this.app = app;
    this.appCtx = this;
  }

  /** The context's `g`, created on first use. */
  get g(): G {
    if (this._g === null) this._g = new AppCtxGlobals() as G;
    return this._g;
  }
  set g(value: G) {
    this._g = value;
  }
}

/** The request context: the request, its session, and per-request callbacks. */
export class RequestContext {
  readonly app: Phial;
  readonly request: Request;
  /** @internal created on first use (most requests never touch `g`) */
  private _appCtx: AppContext | null;
  /** @internal */
  readonly reqCtx: RequestContext;
  /** @internal opened lazily */
  _session: Session | null = null;
  /** @internal functions from afterThisRequest */
  _afterThisRequest: // biome-ignore lint/suspicious/noConfusingVoidType: hooks that return nothing are allowed
  ((res: Response) => Response | undefined | void | Promise<Response | undefined | void>)[] | null = null;
  /** @internal the MapAdapter bound to this request */
  urlAdapter: unknown = null;
  /** @internal the unhandled error of this request, passed to teardown */
  _error: unknown = null;
  /** @internal flashed messages loaded once */
  flashes: unknown = undefined;

  constructor(app: Phial, request: Request, appCtx?: AppContext) {
    this.app = app;
    this.request = request;
    this._appCtx = appCtx ?? null;
    this.reqCtx = this;
    request._ctx = this;
  }

  /** The app context of this request. */
  get appCtx(): AppContext {
    if (this._appCtx === null) this._appCtx = new AppContext(this.app);
    return this._appCtx;
  }

  /** The session, opened through `app.sessionInterface` on first use (a NullSession without a secret key). */
  getSession(): Session {
    let s = this._session;
    if (s === null) {
      const app = this.app;
      s = app.sessionInterface.openSession(app, this.request) ?? new NullSession();
      this._session = s;
    }
    return s;
  }

  /** True when the session was opened during this request. */
  get sessionOpened(): boolean {
    return this._session !== null;
  }

  /** The app context's `g`. */
  get g(): G {
    return this.appCtx.g;
  }
}

/** What the storage holds: an app context, or a request context (which knows its app context). */
export type AnyContext = AppContext | RequestContext;

const kContext = Symbol('phial.context');
type Tagged = { [kContext]?: AnyContext };

/** The context of the code running now, in promise-hooks mode (synchronously, or in a promise reaction). */
let current: AnyContext | undefined;
/** What `current` was before the running promise reaction (reactions never nest). */
let saved: AnyContext | undefined;
/** The opt-in mechanism is on (`PHIAL_CONTEXT=promise-hooks`); decided on first use. */
let promiseHooksMode = false;
let decided = false;
const als = new AsyncLocalStorage<AnyContext>();

/** The mechanism in use: `'als'` (AsyncLocalStorage, the default) or `'promise-hooks'` (opt-in). */
export function contextMechanism(): 'als' | 'promise-hooks' {
  if (!decided) decideMechanism();
  return promiseHooksMode ? 'promise-hooks' : 'als';
}

/** Reads `PHIAL_CONTEXT` once; installs the promise hooks when asked for and available. */
function decideMechanism(): void {
  decided = true;
  let wanted: string | undefined;
  try {
    wanted = process.env.PHIAL_CONTEXT;
  } catch {
    return; // Deno without --allow-env: the variable is simply unset
  }
  if (wanted !== 'promise-hooks' && wanted !== 'hooks') return;
  // node:v8 is loaded only here (opt-in): Workers and other runtimes without it never ask for it
  const v8 = process.getBuiltinModule?.('node:v8') as typeof V8 | undefined;
  const hooks = (v8 as { promiseHooks?: typeof V8.promiseHooks } | undefined)?.promiseHooks;
  if (hooks === undefined || typeof hooks.createHook !== 'function') return; // Bun, Deno: ALS
  try {
    hooks.createHook({
      init(promise: Promise<unknown>) {
        if (current !== undefined) (promise as Tagged)[kContext] = current;
      },
      before(promise: Promise<unknown>) {
        saved = current;
        current = (promise as Tagged)[kContext];
      },
      after() {
        current = saved;
        saved = undefined;
      },
    });
    promiseHooksMode = true;
  } catch {
    promiseHooksMode = false;
  }
}

/** The current context (request or app), or undefined. */
export function getCurrentContext(): AnyContext | undefined {
  return promiseHooksMode ? current : als.getStore();
}

/** Runs `fn(...args)` with `ctx` current; everything it starts (awaits, timers, callbacks) keeps `ctx`. */
export function runWithContext<A extends unknown[], R>(
  ctx: AnyContext,
  fn: (...args: A) => R,
  ...args: A
): R {
  if (!decided) decideMechanism();
  if (!promiseHooksMode) return als.run(ctx, fn, ...args);
  const prev = current;
  current = ctx;
  try {
    return fn(...args);
  } finally {
    current = prev;
  }
}

/** @internal `runWithContext` for exactly three arguments: the request hot path, with no rest array. */
export function runWithContext3<A, B, C, R>(
  ctx: AnyContext,
  fn: (a: A, b: B, c: C) => R,
  a: A,
  b: B,
  c: C,
): R {
  if (!decided) decideMechanism();
  if (!promiseHooksMode) return als.run(ctx, fn, a, b, c);
  const prev = current;
  current = ctx;
  try {
    return fn(a, b, c);
  } finally {
    current = prev;
  }
}

/**
 * AsyncLocalStorage built on async context frames (Node 24's default) rather than async_hooks. The async_hooks
 * implementation keeps a per-storage `kResourceStore` key on its instances; the frame-based one has none.
 */
const framesAls = !('kResourceStore' in als);

/**
 * @internal `fn` bound to the current context, for a callback that runs many times (a socket's message
 * listener). On async context frames, `als.run` allocates a new frame per call (about 0.3 µs) while a bound
 * AsyncResource re-enters the frame captured once (about 0.13 µs, and every other storage's value comes
 * along); on async_hooks, `als.run` is the cheaper of the two (0.03 µs against 0.14 µs).
 */
export function bindToCurrentContext<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  if (!decided) decideMechanism();
  const ctx = getCurrentContext();
  if (ctx === undefined) return fn;
  if (!promiseHooksMode && framesAls) return AsyncResource.bind(fn);
  return (...args: A) => runWithContext(ctx, fn, ...args);
}

/** @internal the storage API the rest of Phial uses (`run`, `getStore`), over the mechanism above. */
export const contextStorage = {
  run: runWithContext,
  getStore: getCurrentContext,
};

/** The current request context, or undefined. */
export function currentRequestContext(): RequestContext | undefined {
  const s = getCurrentContext();
  return s === undefined ? undefined : (s.reqCtx ?? undefined);
}

/** The current app context, or undefined. */
export function currentAppContext(): AppContext | undefined {
  return getCurrentContext()?.appCtx;
}

/** Message of the error raised when a request global is used outside a request. */
export const NO_REQUEST_CONTEXT = 'Working outside of request context.';
/** Message of the error raised when an app global is used outside an app context. */
export const NO_APP_CONTEXT = 'Working outside of application context.';

/** The current request context or a clear error. */
export function requireRequestContext(): RequestContext {
  const ctx = currentRequestContext();
  if (ctx === undefined) throw new Error(NO_REQUEST_CONTEXT);
  return ctx;
}

/** The current app context or a clear error. */
export function requireAppContext(): AppContext {
  const ctx = currentAppContext();
  if (ctx === undefined) throw new Error(NO_APP_CONTEXT);
  return ctx;
}

/** True inside a request (Flask's `has_request_context`). */
export function hasRequestContext(): boolean {
  return currentRequestContext() !== undefined;
}

/** True inside an app context (Flask's `has_app_context`). */
export function hasAppContext(): boolean {
  return contextStorage.getStore() !== undefined;
}

/** Wraps `fn` so that it runs in the current context wherever it is called later (Flask's `copy_current_request_context`). */
export function copyCurrentRequestContext<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const ctx = contextStorage.getStore();
  if (ctx === undefined || ctx.reqCtx === null) throw new Error(NO_REQUEST_CONTEXT);
  return (...args: A) => contextStorage.run(ctx, fn, ...args);
}
