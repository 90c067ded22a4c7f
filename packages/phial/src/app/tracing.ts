/**
 * Phial's tracing channels (node:diagnostics_channel `tracingChannel`, as Fastify and h3 publish theirs):
 * an APM or a test subscribes to see routing, the hooks and the view of every request, with the request
 * in the message. Each step checks `hasSubscribers` first: nothing is built while nobody listens.
 *
 * - `phial.route`: matching the URL. Context `{ request, method, path }`; on `end` also `endpoint`, `rule`
 *   (the rule text), `params`, or `error` (the routing error that will be raised: 404, 405, 308).
 * - `phial.hook`: the `beforeRequest` or `afterRequest` hooks of one request. Context `{ request, hook }`
 *   (`'beforeRequest'` | `'afterRequest'`).
 * - `phial.view`: the view. Context `{ request, endpoint, rule }`; `result` or `error` when it is done.
 *
 * Sync steps publish `start`/`end` (`error` on a throw); a step that returns a promise also publishes
 * `asyncStart`/`asyncEnd` when it settles, as `tracePromise` does.
 */
import { type TracingChannel, tracingChannel } from 'node:diagnostics_channel';
import type { Request } from './request.js';

/** The context object of `phial.route`. */
export interface RouteTrace {
  request: Request;
  method: string;
  path: string;
  endpoint?: string;
  rule?: string;
  params?: Record<string, unknown>;
  error?: unknown;
}

/** The context object of `phial.hook`. */
export interface HookTrace {
  request: Request;
  hook: 'beforeRequest' | 'afterRequest';
  result?: unknown;
  error?: unknown;
}

/** The context object of `phial.view`. */
export interface ViewTrace {
  request: Request;
  endpoint: string;
  rule: string;
  result?: unknown;
  error?: unknown;
}

/** Routing (`phial.route`). */
export const routeChannel: TracingChannel<RouteTrace> = tracingChannel('phial.route');
/** The beforeRequest / afterRequest hooks (`phial.hook`). */
export const hookChannel: TracingChannel<HookTrace> = tracingChannel('phial.hook');
/** The view (`phial.view`). */
export const viewChannel: TracingChannel<ViewTrace> = tracingChannel('phial.view');

/** True when `tc` has a subscriber (a runtime without `hasSubscribers` on tracing channels reports none). */
export function traced(tc: TracingChannel<object>): boolean {
  return tc.hasSubscribers === true;
}

/**
 * Runs `fn` under `tc` with `ctx`: start/end around the call, error on a throw; a returned promise gets
 * asyncStart/asyncEnd (and error) when it settles, and `ctx.result` its value.
 */
export function trace<C extends { result?: unknown; error?: unknown }, T>(
  tc: TracingChannel<C>,
  ctx: C,
  fn: () => T,
): T {
  const rv = tc.traceSync(fn, ctx);
  if (rv === null || typeof rv !== 'object' || typeof (rv as { then?: unknown }).then !== 'function') {
    ctx.result = rv;
    return rv;
  }
  return Promise.resolve(rv).then(
    (v) => {
      ctx.result = v;
      tc.asyncStart.publish(ctx);
      tc.asyncEnd.publish(ctx);
      return v;
    },
    (e: unknown) => {
      ctx.error = e;
      tc.error.publish(ctx);
      tc.asyncStart.publish(ctx);
      tc.asyncEnd.publish(ctx);
      throw e;
    },
  ) as T;
}
