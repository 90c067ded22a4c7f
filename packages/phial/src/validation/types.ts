/**
 * Types of typed validation: the route options that take a Standard Schema, and the request type a view
 * sees when they are given (`req.body` typed from the body schema's output, and so on).
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Request } from '../app/request.js';
import type { JSONArray, JSONObject, ResponseReturnValue } from '../app/types.js';
import type { RouteParams } from '../http/routing/index.js';

/** Any Standard Schema (zod 4, valibot, arktype, ...): Phial only calls `~standard.validate`. */
export type AnySchema = StandardSchemaV1;

/** The output type of a schema (what the view receives once it validated). */
export type SchemaOutput<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : never;

/** The input type of a schema (what the client sends). */
export type SchemaInput<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : never;

/** `response`: one schema (for status 200, or the status the view answers with when only one is given), or status → schema. */
export type ResponseSchemas = AnySchema | { readonly [status: number]: AnySchema | null | undefined };

/** Where a value validated (the first item of each error's `loc`, as in FastAPI). */
export type ValidationLocation = 'body' | 'query' | 'path' | 'header' | 'cookie' | 'response';

/** The validation route options (input schemas and the response schema). */
export interface SchemaRouteOptions {
  /** Schema of the body (JSON, urlencoded or multipart; files arrive as `FileStorage`). Sets `req.body`. */
  body?: AnySchema;
  /** Schema of the query string (an object of strings, arrays for repeated keys). Sets `req.query`. */
  query?: AnySchema;
  /** Schema of the URL parameters (after converters). Replaces `req.params`. */
  params?: AnySchema;
  /** Schema of the headers (lower-case names, string values). Sets `req.headersData`. */
  headers?: AnySchema;
  /** Schema of the cookies. Sets `req.cookiesData`. */
  cookies?: AnySchema;
  /** Schema of the JSON response: one (status 200, or `statusCode`) or a map of status → schema. */
  response?: ResponseSchemas;
  /**
   * Status of the response when the view returns a plain object or array (FastAPI's `status_code`):
   * `{ statusCode: 201 }` and `return item` answer 201 (default 200). Documented in OpenAPI.
   */
  statusCode?: number;
}

/** A security requirement of OpenAPI: scheme name → scopes. */
export type SecurityRequirement = Readonly<Record<string, readonly string[]>>;

/** The documentation route options (OpenAPI; they change nothing at run time). */
export interface DocRouteOptions {
  /** One-line summary of the operation. */
  summary?: string;
  /** Longer description (Markdown). Defaults to the view's `description` or `doc` property. */
  description?: string;
  /** Tags grouping the operation (a blueprint's tags are added). */
  tags?: readonly string[];
  /** Unique id of the operation (default: the endpoint, dots as underscores). */
  operationId?: string;
  /** Marks the operation deprecated. */
  deprecated?: boolean;
  /** Security requirements (`[{ bearer: [] }]`; `[]` makes the route public when a default applies). */
  security?: readonly SecurityRequirement[];
  /** Merged into the generated OpenAPI operation object last (anything the options cannot say). */
  openapi?: Readonly<Record<string, unknown>>;
  /** Leaves the route out of the OpenAPI document. */
  includeInSchema?: boolean;
}

/** Route options whose schemas type the request (a subset of `RouteOptions`). */
export type TypedRouteOptions = SchemaRouteOptions & DocRouteOptions;

type FieldOf<O, K extends keyof SchemaRouteOptions, Name extends string> = O extends {
  readonly [P in K]: infer S extends AnySchema;
}
  ? { [P in Name]: SchemaOutput<S> }
  : unknown;

/** `req.params` of a route: the params schema's output when given, else typed from the rule text. */
export type ValidatedParams<R extends string, O> = O extends { readonly params: infer S extends AnySchema }
  ? SchemaOutput<S>
  : RouteParams<R>;

/**
 * The request a view receives when its route declares schemas: `Request` plus `body`, `query`,
 * `headersData`, `cookiesData` for each schema given, typed from the schema's output.
 */
export type ValidatedRequest<R extends string, O> = Request<ValidatedParams<R, O>> &
  FieldOf<O, 'body', 'body'> &
  FieldOf<O, 'query', 'query'> &
  FieldOf<O, 'headers', 'headersData'> &
  FieldOf<O, 'cookies', 'cookiesData'>;

/** What a view may return besides a plain object or array: these pass the response schema unchecked. */
type OtherReturnValue = Exclude<ResponseReturnValue, JSONArray | JSONObject>;

/** The status a plain return value answers with: the `statusCode` option, else 200. */
type StatusOf<O> = O extends { readonly statusCode: infer C extends number } ? C : 200;

/** The response schema a plain return value is checked against, or never when the route has none for its status. */
type ResponseSchemaOf<O> = O extends { readonly response: infer S }
  ? S extends AnySchema
    ? S
    : S extends { readonly [status: number]: unknown }
      ? number extends StatusOf<O>
        ? never
        : StatusOf<O> extends keyof S
          ? S[StatusOf<O>] extends infer T extends AnySchema
            ? T
            : never
          : never
      : never
  : never;

/**
 * What a view of a route with options `O` returns. With a response schema for the status it answers, a
 * plain object or array must be the schema's input (checked when you write the view, as the schema checks
 * it when the view runs); a `Response`, a string, a stream... pass as they are, as at run time.
 */
export type RouteReturnValue<O> = [ResponseSchemaOf<O>] extends [never]
  ? ResponseReturnValue
  : OtherReturnValue | SchemaInput<ResponseSchemaOf<O>>;

/** A view of a route with options `O` (its request typed from the rule `R` and the schemas). */
export type RouteView<R extends string, O> = (
  req: ValidatedRequest<R, O>,
) => RouteReturnValue<O> | Promise<RouteReturnValue<O>>;
