/**
 * Protecting views: `loginRequired(view)` wraps one view, `loginRequired(blueprint)` guards every view of a
 * blueprint (the `before_request` idiom Flask apps use for that), and `freshLoginRequired` also wants a login
 * made with the password in this session.
 */
import { Blueprint, currentApp, type Request } from 'phial';
import { getCurrentUser, getLoginManager, loginFresh } from './manager.js';

/** Methods that never need a login (CORS preflights), as Flask-Login's EXEMPT_METHODS. */
const EXEMPT_METHODS = new Set(['OPTIONS']);

/** The response for the current request when it needs a login, else undefined. */
function guard(fresh: boolean): unknown {
  if (currentApp.config.LOGIN_DISABLED) return undefined;
  const manager = getLoginManager();
  if (!getCurrentUser().isAuthenticated) return manager.unauthorized();
  if (fresh && !loginFresh()) return manager.needsRefresh();
  return undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: any params type (typed from the rule or a params schema)
type AnyRequest = Request<any>;

function protect(fresh: boolean) {
  // Generic over the request and the result, not over the whole view: a view written inline
  // (`app.post(rule, { body }, loginRequired((req) => ...))`) then gets its `req` type from the route, as an
  // unwrapped view does; `F extends View` would type `req` from the constraint and lose the schemas.
  function wrap<Req extends AnyRequest, R>(view: (req: Req) => R): (req: Req) => R;
  function wrap(target: Blueprint): Blueprint;
  function wrap(
    target: ((req: AnyRequest) => unknown) | Blueprint,
  ): ((req: AnyRequest) => unknown) | Blueprint {
    if (target instanceof Blueprint) {
      target.beforeRequest((req: Request) =>
        EXEMPT_METHODS.has(req.method) ? undefined : (guard(fresh) as undefined),
      );
      return target;
    }
    const view = target;
    const call = view as (this: unknown, req: AnyRequest, ...rest: unknown[]) => unknown;
    const wrapped = function (this: unknown, req: AnyRequest, ...rest: unknown[]) {
      if (EXEMPT_METHODS.has(req.method)) return call.call(this, req, ...rest);
      const refusal = guard(fresh);
      return refusal === undefined ? call.call(this, req, ...rest) : refusal;
    };
    // the endpoint defaults to the view's name, as functools.wraps keeps it in Flask
    Object.defineProperty(wrapped, 'name', { value: view.name });
    return wrapped;
  }
  return wrap;
}

/** Refuses anonymous users (redirect to the login view, or 401): a view wrapper or a blueprint guard. */
export const loginRequired = protect(false);
/** Like `loginRequired`, and also refuses a login restored from the remember cookie (needs a fresh one). */
export const freshLoginRequired = protect(true);
