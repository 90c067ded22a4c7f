/** Types shared by the app layer: views, hooks, return values. */
import type { HTTPException, InternalServerError } from '../http/exceptions.js';
import type { Response } from '../http/response.js';
import type { Request } from './request.js';

/**
 * A JSON object a view may return: an object literal or a `type` alias of one. Interface and class
 * instance types have no index signature, so a `Map`, a `Promise` or an arbitrary class instance is
 * rejected at compile time (they fail at run time); spread an interface-typed value (`{ ...user }`) or
 * give its class a `toJSON()` to return it.
 */
export type JSONObject = { readonly [key: string]: unknown };

/** A JSON array a view may return (arrays are always JSON, never a stream). */
export type JSONArray = readonly unknown[];

/** A chunk of a streamed body. */
export type BodyChunk = string | Uint8Array;

/**
 * What a view (or a `beforeRequest` hook, or an error handler) may return: the table in API.md
 * "Views and return values". A string is HTML, a plain object or array is JSON (so is a value with
 * `toJSON()`), bytes are the body, a Phial or Web Response (or an HTTPException) is used as is, and an
 * async iterable, a generator (an iterator) or a ReadableStream of strings/bytes is streamed.
 * `undefined`, `null`, numbers, booleans, `Promise<void>`, `Map`s and class instances are rejected here
 * because they are TypeErrors (500) at run time.
 */
export type ResponseReturnValue =
  | string
  | Uint8Array
  | Response
  | globalThis.Response
  | HTTPException
  | JSONArray
  | JSONObject
  | { toJSON(key?: string): unknown }
  | AsyncIterable<BodyChunk>
  | IterableIterator<BodyChunk>
  | ReadableStream<BodyChunk>;

/** A view function: receives the request, returns a value (or a promise of one). */
export type ViewFunction<P = Record<string, unknown>> = (
  req: Request<P>,
) => ResponseReturnValue | Promise<ResponseReturnValue>;

/** A view function object may carry Flask's view attributes (class-based views set them). */
export interface ViewAttributes {
  /** Methods used when the rule does not name any. */
  methods?: Iterable<string> | null;
  /** Methods always added. */
  requiredMethods?: Iterable<string> | null;
  /** Whether OPTIONS is answered automatically. */
  provideAutomaticOptions?: boolean;
}

/** A `beforeRequest` hook: returning anything but undefined/null ends the request with that value. */
export type BeforeRequestFunction = (
  req: Request,
  // biome-ignore lint/suspicious/noConfusingVoidType: hooks that return nothing are allowed
) => ResponseReturnValue | undefined | null | void | Promise<ResponseReturnValue | undefined | null | void>;

/** An `afterRequest` hook: receives the response and returns it (or another); returning nothing keeps it. */
export type AfterRequestFunction = (
  response: Response,
  req: Request,
  // biome-ignore lint/suspicious/noConfusingVoidType: hooks that return nothing are allowed
) => Response | undefined | void | Promise<Response | undefined | void>;

/** A teardown hook: runs after the response, with the unhandled error if there was one. */
export type TeardownFunction = (error: unknown) => unknown;

/** An error handler: receives the error, returns a response value. */
export type ErrorHandler<E = unknown> = (
  error: E,
  req: Request,
) => ResponseReturnValue | Promise<ResponseReturnValue>;

/**
 * What a handler registered for status `C` receives: a 500 handler always gets an `InternalServerError`
 * (an unhandled error arrives wrapped in one, with `originalException`), any other code an `HTTPException`.
 */
export type HTTPExceptionFor<C extends number> = number extends C
  ? HTTPException
  : C extends 500
    ? InternalServerError
    : HTTPException;

/** Receives the endpoint and the URL values; may change the values (the view sees them). */
export type UrlValuePreprocessor = (endpoint: string | null, values: Record<string, unknown> | null) => void;

/** Fills values for `urlFor` (mutates `values`). */
export type UrlDefaultFunction = (endpoint: string, values: Record<string, unknown>) => void;

/** Returns variables added to every template's context. */
export type TemplateContextProcessor = () => Record<string, unknown> | Promise<Record<string, unknown>>;

/** Returns variables for `phial shell`. */
export type ShellContextProcessor = () => Record<string, unknown>;

/** A template filter, test or global function. */
export type TemplateCallable = (...args: never[]) => unknown;

/** A class of errors (Error subclasses, HTTPException subclasses). */
export type ErrorClass<E = unknown> = abstract new (...args: never[]) => E;
