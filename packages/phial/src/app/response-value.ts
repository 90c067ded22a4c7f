/**
 * Return value → Response (Flask's `make_response` on the app): the table in API.md "Views and return
 * values". Streams are wrapped so that they are consumed inside the request context.
 */
import { isHTTPException } from '../http/exceptions.js';
import { isPushBody } from '../http/push.js';
import { Response, toAsyncIterable } from '../http/response.js';
import { type AnyContext, contextStorage } from './context.js';

/** The part of a JSON provider this module needs (BODY's `DefaultJSONProvider` fits). */
export interface JsonResponder {
  response(value: unknown): Response;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

/** True for a plain object (`{}`/`Object.create(null)`), the JSON case. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Marks an iterable made by `iterateInContext` (it is never wrapped twice). */
const kBound = Symbol('phial.boundToContext');

/** Wraps an async iterable so each step runs in `ctx` (the request context stays current while streaming). */
export function iterateInContext<T>(
  source: AsyncIterable<T> | Iterable<T>,
  ctx: AnyContext | undefined,
): AsyncIterable<T> {
  const bound: AsyncIterable<T> & { [kBound]: true } = {
    [kBound]: true,
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const it: AsyncIterator<T> | Iterator<T> =
        typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] === 'function'
          ? (source as AsyncIterable<T>)[Symbol.asyncIterator]()
          : (source as Iterable<T>)[Symbol.iterator]();
      const run = <R>(fn: () => R): R => (ctx === undefined ? fn() : contextStorage.run(ctx, fn));
      return {
        next: () => Promise.resolve(run(() => it.next())),
        return: (value?: unknown) =>
          Promise.resolve(
            it.return
              ? run(() => (it.return as (v?: unknown) => IteratorResult<T>)(value))
              : { done: true as const, value: value as T },
          ),
        throw: (err?: unknown) =>
          it.throw
            ? Promise.resolve(run(() => (it.throw as (e?: unknown) => IteratorResult<T>)(err)))
            : Promise.reject(err),
      };
    },
  };
  return bound;
}

/**
 * Makes a response's streamed body (a generator, async iterable or ReadableStream given to `new Response`)
 * run inside `ctx` as it is consumed, like a streamed body returned by a view. Strings and bytes are left
 * alone; a body bound already stays as is.
 */
export function bindBodyToContext(res: Response, ctx: AnyContext | undefined): Response {
  const b = res._body;
  if (ctx === undefined || b === null || typeof b !== 'object' || b instanceof Uint8Array) return res;
  if ((b as { [kBound]?: boolean })[kBound] === true) return res;
  // a pushed body (eventStream) runs its producer in its request context itself; wrapping it would hide
  // its push method and cost a promise per event
  if (isPushBody(b)) return res;
  res._body = iterateInContext(toAsyncIterable(b as AsyncIterable<Uint8Array | string>), ctx);
  return res;
}

/** Converts a Web `Response` to a Phial Response (the body stays a stream, consumed inside `ctx`). */
export function fromWebResponse(web: globalThis.Response, ctx?: AnyContext): Response {
  const body = web.body as ReadableStream<Uint8Array> | null;
  const res = new Response(body === null ? null : iterateInContext(toAsyncIterable(body), ctx), {
    status: web.status,
    statusText: web.statusText,
    headers: [],
  });
  res.headers.delete('content-type');
  for (const [k, v] of web.headers) res.headers.append(k, v);
  return res;
}

/**
 * Turns what a view returned into a Response. Throws TypeError for undefined/null/number/boolean and
 * other values with no meaning, naming the endpoint.
 */
export function toResponse(
  rv: unknown,
  json: JsonResponder,
  ctx: AnyContext | undefined,
  endpoint?: string | null,
): Response {
  if (typeof rv === 'string') return new Response(rv);
  if (rv instanceof Response) return bindBodyToContext(rv, ctx);
  if (rv === undefined || rv === null) {
    throw new TypeError(
      `The view function${endpoint ? ` for '${endpoint}'` : ''} did not return a valid response. The function either returned ${rv === null ? 'null' : 'undefined'} or ended without a return statement.`,
    );
  }
  if (typeof rv !== 'object' && typeof rv !== 'function') {
    throw new TypeError(
      `The view function${endpoint ? ` for '${endpoint}'` : ''} did not return a valid response. The return type must be a string, object, array, Uint8Array, Response, async iterable or ReadableStream, but it was a ${typeof rv}.`,
    );
  }
  if (Array.isArray(rv)) return json.response(rv);
  if (typeof (rv as Record<PropertyKey, unknown>)[Symbol.asyncIterator] === 'function') {
    // before the plain-object test: `{ [Symbol.asyncIterator]() {...} }` is a stream, not JSON
    return new Response(iterateInContext(rv as AsyncIterable<Uint8Array | string>, ctx));
  }
  if (isPlainObject(rv)) return json.response(rv);
  if (rv instanceof Uint8Array) return new Response(rv);
  if (typeof globalThis.Response === 'function' && rv instanceof globalThis.Response)
    return fromWebResponse(rv, ctx);
  if (isHTTPException(rv)) return rv.getResponse();
  if (typeof ReadableStream !== 'undefined' && rv instanceof ReadableStream) {
    return new Response(iterateInContext(toAsyncIterable(rv as ReadableStream<Uint8Array | string>), ctx));
  }
  // (async iterables were taken above, before the plain-object test)
  const obj = rv as Record<PropertyKey, unknown>;
  if (typeof obj[Symbol.iterator] === 'function' && typeof obj.next === 'function') {
    // a sync generator / iterator (Flask's generator views)
    return new Response(iterateInContext(rv as Iterable<Uint8Array | string>, ctx));
  }
  if (typeof obj.toJSON === 'function') return json.response(rv);
  throw new TypeError(
    `The view function${endpoint ? ` for '${endpoint}'` : ''} did not return a valid response. The return type must be a string, object, array, Uint8Array, Response, async iterable or ReadableStream, but it was a ${describe(rv)}.`,
  );
}
