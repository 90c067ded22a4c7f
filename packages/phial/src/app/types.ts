/** Types shared by the app layer: views, hooks, return values. */
import type { Request } from '../http/request.js';
import type { Response } from '../http/response.js';

/**
 * What a view (or a `beforeRequest` hook, or an error handler) may return. Phial turns it into a
 * Response: a string is HTML, a plain object or array is JSON, bytes are the body, a Phial or Web
 * Response is used as is, and an async iterable, generator or ReadableStream is streamed.
 * `undefined`, `null`, numbers and booleans are TypeErrors (500).
 */
export type ResponseReturnValue =
  | string
  | Uint8Array
  | Response
  | globalThis.Response
  | readonly unknown[]
  | AsyncIterable<string | Uint8Array>
  | Iterable<string | Uint8Array>
  | ReadableStream<string | Uint8Array>
  | { readonly [key: string]: unknown }
  | object;

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
