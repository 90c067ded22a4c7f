/**
 * Class-based views (Flask's `View` and `MethodView`): group the handling of one URL in a class, register
 * it with `app.addUrlRule(rule, { view: UserApi.asView('users') })`.
 */
import { MethodNotAllowed } from '../http/exceptions.js';
import type { Request } from './request.js';
import type { ResponseReturnValue, ViewAttributes, ViewFunction } from './types.js';

/** What a view method returns. */
export type ViewResult = ResponseReturnValue | Promise<ResponseReturnValue>;

/** Wraps a view function (login checks, caching...); `View.decorators` apply in order, first innermost. */
export type ViewDecorator = (view: ViewFunction) => ViewFunction;

/** The function `asView` returns: a view carrying its class and Flask's view attributes. */
export interface ClassViewFunction<V extends View = View> extends ViewFunction, ViewAttributes {
  /** The class this view dispatches to. */
  readonly viewClass: ViewClass<V>;
  /** Methods the route allows by default (from the class). */
  methods?: string[] | null;
}

/** A View subclass constructor. */
export type ViewClass<V extends View = View> = (new (...args: never[]) => V) & ViewClassStatics;

/**
 * Base of class-based views: subclass it and implement `dispatchRequest(req)`. By default a new instance
 * is made for every request (`initEveryRequest`), so instance state never leaks between requests.
 */
export abstract class View<P = Record<string, unknown>> {
  /** Methods the route allows when the rule does not name them (Flask's `methods`). */
  declare static methods?: string[] | null;
  /** Whether OPTIONS is answered automatically (undefined: the app's setting). */
  declare static provideAutomaticOptions?: boolean;
  /** Applied to the view function `asView` makes, in order (the first one is innermost). */
  static decorators: ViewDecorator[] = [];
  /** Make a fresh instance per request (true, Flask's default) or share one made at `asView` time. */
  static initEveryRequest = true;

  /** Handles a request; its return value is the response, as for a view function. */
  abstract dispatchRequest(req: Request<P>): ViewResult;

  /**
   * Turns the class into a view function named `name` (the default endpoint). `classArgs` go to the
   * constructor: per request, or once when `initEveryRequest` is false.
   */
  static asView<C extends new (...args: never[]) => View<never>>(
    this: C & ViewClassStatics,
    name: string,
    ...classArgs: ConstructorParameters<C>
  ): ClassViewFunction<InstanceType<C>> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass asView was called on
    return makeView(this, name, classArgs);
  }
}

/** The static side every View class has. */
export interface ViewClassStatics {
  methods?: string[] | null;
  decorators: ViewDecorator[];
  initEveryRequest: boolean;
  provideAutomaticOptions?: boolean;
}

function makeView<C extends new (...args: never[]) => View<never>>(
  cls: C & ViewClassStatics,
  name: string,
  classArgs: ConstructorParameters<C>,
): ClassViewFunction<InstanceType<C>> {
  let view: ViewFunction<never>;
  if (cls.initEveryRequest) {
    view = (req: Request<never>) => new cls(...classArgs).dispatchRequest(req);
  } else {
    const instance = new cls(...classArgs);
    view = (req: Request<never>) => instance.dispatchRequest(req);
  }
  Object.defineProperty(view, 'name', { value: name, configurable: true });
  for (const decorate of cls.decorators) {
    view = decorate(view as ViewFunction) as ViewFunction<never>;
    Object.defineProperty(view, 'name', { value: name, configurable: true });
  }
  const methods = cls.methods;
  Object.defineProperty(view, 'viewClass', { value: cls, enumerable: true });
  const out = view as unknown as ClassViewFunction<InstanceType<C>>;
  out.methods = methods ? [...methods] : null;
  if (cls.provideAutomaticOptions !== undefined) out.provideAutomaticOptions = cls.provideAutomaticOptions;
  return out;
}

/** The HTTP methods a MethodView may implement, in the order `methods` lists them. */
export const HTTP_METHOD_FUNCS = [
  'get',
  'head',
  'post',
  'put',
  'patch',
  'delete',
  'options',
  'trace',
] as const;

/**
 * Dispatches to the method named after the request's method: define `get(req)`, `post(req)`, `put`,
 * `patch`, `delete`, `options`, `head` (HEAD falls back to `get`) on the subclass. `methods` is derived from
 * the handlers the class defines, unless the class sets it.
 */
export class MethodView<P = Record<string, unknown>> extends View<P> {
  dispatchRequest(req: Request<P>): ViewResult {
    const method = (req.method || 'GET').toLowerCase();
    const self = this as unknown as Record<string, unknown>;
    let handler = HTTP_METHOD_FUNCS.includes(method as (typeof HTTP_METHOD_FUNCS)[number])
      ? self[method]
      : undefined;
    if (handler === undefined && method === 'head') handler = self.get;
    if (typeof handler !== 'function') {
      const allowed = (this.constructor as { methods?: string[] | null }).methods ?? [];
      throw new MethodNotAllowed(allowed);
    }
    return (handler as (r: Request<P>) => ViewResult).call(this, req);
  }
}

/** The handlers a MethodView class defines, as upper-case method names (undefined when none). */
function derivedMethods(cls: { prototype: unknown }): string[] | undefined {
  const proto = cls.prototype as Record<string, unknown>;
  const out: string[] = [];
  for (const m of HTTP_METHOD_FUNCS) if (typeof proto[m] === 'function') out.push(m.toUpperCase());
  return out.length ? out : undefined;
}

// `methods` on MethodView subclasses is computed from their handlers unless a class sets its own.
Object.defineProperty(MethodView, 'methods', {
  configurable: true,
  get(this: { prototype: unknown }): string[] | undefined {
    return derivedMethods(this);
  },
  set(this: object, value: string[] | null | undefined) {
    Object.defineProperty(this, 'methods', { value, writable: true, configurable: true, enumerable: true });
  },
});
