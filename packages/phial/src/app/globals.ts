/**
 * Flask's context globals: `request`, `session`, `g`, `currentApp`. Each is a proxy that reads the
 * object of the current context (AsyncLocalStorage) on every access, and throws a clear error outside.
 */

import { contextStorage, type G, NO_APP_CONTEXT, NO_REQUEST_CONTEXT } from './context.js';
import type { Phial } from './phial.js';
import type { Request } from './request.js';
import type { Session, SessionData } from './sessions.js';

function makeProxy<T extends object>(resolve: () => object): T {
  const bound = new WeakMap<object, WeakMap<(...a: unknown[]) => unknown, unknown>>();
  return new Proxy(Object.create(null) as T, {
    get(_t, prop) {
      const target = resolve();
      const value = Reflect.get(target, prop, target);
      if (typeof value === 'function' && prop !== 'constructor') {
        // methods keep `this` on the real object (private fields, getters)
        let perTarget = bound.get(target);
        if (perTarget === undefined) {
          perTarget = new WeakMap();
          bound.set(target, perTarget);
        }
        let b = perTarget.get(value as (...a: unknown[]) => unknown);
        if (b === undefined) {
          b = (value as (...a: unknown[]) => unknown).bind(target);
          perTarget.set(value as (...a: unknown[]) => unknown, b);
        }
        return b;
      }
      return value;
    },
    set(_t, prop, value) {
      const target = resolve();
      return Reflect.set(target, prop, value, target);
    },
    has(_t, prop) {
      return Reflect.has(resolve(), prop);
    },
    deleteProperty(_t, prop) {
      return Reflect.deleteProperty(resolve(), prop);
    },
    ownKeys() {
      return Reflect.ownKeys(resolve());
    },
    getOwnPropertyDescriptor(_t, prop) {
      const d = Reflect.getOwnPropertyDescriptor(resolve(), prop);
      if (d) d.configurable = true;
      return d;
    },
    getPrototypeOf() {
      return Reflect.getPrototypeOf(resolve());
    },
  });
}

function currentRequest(): Request {
  const s = contextStorage.getStore();
  if (s === undefined || s.reqCtx === null) throw new Error(NO_REQUEST_CONTEXT);
  return s.reqCtx.request;
}

function currentSession(): Session {
  const s = contextStorage.getStore();
  if (s === undefined || s.reqCtx === null) throw new Error(NO_REQUEST_CONTEXT);
  return s.reqCtx.getSession();
}

function currentG(): G {
  const s = contextStorage.getStore();
  if (s === undefined) throw new Error(NO_APP_CONTEXT);
  return s.appCtx.g;
}

function currentAppObject(): Phial {
  const s = contextStorage.getStore();
  if (s === undefined) throw new Error(NO_APP_CONTEXT);
  return s.app;
}

/** The current request (same object as the view's `req`). */
export const request: Request = makeProxy<Request>(currentRequest);

/** The current session, typed by `interface SessionData`. */
export const session: Session<SessionData> = makeProxy<Session<SessionData>>(currentSession);

/** Storage for the current app context (one per request), typed by `interface AppGlobals`. */
export const g: G = makeProxy<G>(currentG);

/** The app handling the current request or app context. */
export const currentApp: Phial = makeProxy<Phial>(currentAppObject);
