/**
 * Validation as one pipeline step: dispatch calls `runValidated` instead of the view for a rule that carries
 * a `RouteValidation` (made once, when the route is registered). Routes without schemas carry none and pay
 * nothing. Order: params, query, headers, cookies, body (every issue is collected, as FastAPI does), then the
 * view, then the response schema.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { isPromiseLike } from '../app/maybe.js';
import type { Request, ValidatedValues } from '../app/request.js';
import { UnsupportedMediaType } from '../http/exceptions.js';
import { isJsonMimetype, Response } from '../http/response.js';
import { type LocatedIssue, RequestValidationError, ResponseValidationError } from './errors.js';
import { isStandardSchema, jsonSchemaOf } from './json-schema.js';
import { type Shape, shapeMulti, shapeOf, shapeSingle } from './shape.js';
import type { AnySchema, SchemaRouteOptions, ValidationLocation } from './types.js';

/** The app fields validation reads (kept structural: no import of the app class). */
export interface ValidationApp {
  readonly config: { readonly [key: string]: unknown };
  readonly json: { responseBody(value: unknown): string; response(value: unknown): Response };
}

/** Body media types a route accepts, by the short names of the `contentTypes` option. */
const FORM = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data';

const UNSHAPED: unique symbol = Symbol('unshaped');

/** An input schema with its lazily read JSON Schema shape. */
class Slot {
  readonly schema: AnySchema;
  private _shape: Shape | typeof UNSHAPED = UNSHAPED;
  constructor(schema: AnySchema) {
    this.schema = schema;
  }
  get shape(): Shape {
    if (this._shape === UNSHAPED) this._shape = shapeOf(jsonSchemaOf(this.schema, 'input'));
    return this._shape;
  }
}

/** The compiled validation of one route (stored on its rule). */
export class RouteValidation {
  readonly params: Slot | null;
  readonly query: Slot | null;
  readonly headers: Slot | null;
  readonly cookies: Slot | null;
  readonly body: Slot | null;
  /** Accepted body media types (null: JSON only). */
  readonly contentTypes: readonly string[] | null;
  /** A single response schema (any 2xx status), or status → schema. */
  readonly response: AnySchema | Map<number, AnySchema> | null;
  /** True when any input schema is set. */
  readonly hasInput: boolean;
  /** Status of plain object/array answers (null: 200). */
  readonly statusCode: number | null;

  constructor(o: SchemaRouteOptions & { contentTypes?: readonly string[] | null }) {
    const slot = (s: unknown, name: string): Slot | null => {
      if (s === undefined || s === null) return null;
      if (!isStandardSchema(s)) throw new TypeError(`The route option '${name}' must be a Standard Schema.`);
      return new Slot(s);
    };
    this.params = slot(o.params, 'params');
    this.query = slot(o.query, 'query');
    this.headers = slot(o.headers, 'headers');
    this.cookies = slot(o.cookies, 'cookies');
    this.body = slot(o.body, 'body');
    this.contentTypes = o.contentTypes ? o.contentTypes.map((t) => t.toLowerCase()) : null;
    this.hasInput = Boolean(this.params || this.query || this.headers || this.cookies || this.body);
    const sc = o.statusCode;
    if (sc !== undefined && sc !== null && (!Number.isInteger(sc) || sc < 100 || sc > 599)) {
      throw new TypeError(`The route option 'statusCode' must be an HTTP status code, got ${String(sc)}.`);
    }
    this.statusCode = sc ?? null;
    const r = o.response;
    if (r === undefined || r === null) this.response = null;
    else if (isStandardSchema(r)) this.response = r;
    else if (typeof r === 'object') {
      const map = new Map<number, AnySchema>();
      for (const [k, s] of Object.entries(r)) {
        if (s === null || s === undefined) continue;
        const code = Number(k);
        if (!Number.isInteger(code) || code < 100 || code > 599) {
          throw new TypeError(`The route option 'response' has a key that is not a status code: '${k}'.`);
        }
        if (!isStandardSchema(s))
          throw new TypeError(`The 'response' schema for ${k} must be a Standard Schema.`);
        map.set(code, s);
      }
      this.response = map.size ? map : null;
      if (
        sc !== undefined &&
        sc !== null &&
        !map.has(sc) &&
        [...map.keys()].some((c) => c >= 200 && c < 300)
      ) {
        // the view's answers would go out unchecked (and unfiltered) under a status the map does not cover
        throw new TypeError(
          `The route option 'statusCode' is ${sc}, but 'response' has no schema for ${sc} (it has ${[...map.keys()].join(', ')}): add a ${sc} entry, or give one schema for every 2xx status.`,
        );
      }
    } else
      throw new TypeError(
        "The route option 'response' must be a Standard Schema or a map of status → schema.",
      );
  }

  /** The response schema for a status (a single schema covers every 2xx status). */
  responseSchema(status: number): AnySchema | undefined {
    const r = this.response;
    if (r === null) return undefined;
    if (r instanceof Map) return r.get(status);
    return status >= 200 && status < 300 ? r : undefined;
  }
}

/** Makes the validation of a route from its options, or undefined when it declares no schema. */
export function compileValidation(
  options: SchemaRouteOptions & { contentTypes?: readonly string[] | null },
): RouteValidation | undefined {
  if (
    options.body == null &&
    options.query == null &&
    options.params == null &&
    options.headers == null &&
    options.cookies == null &&
    options.response == null &&
    options.statusCode == null
  ) {
    return undefined;
  }
  return new RouteValidation(options);
}

type Result = StandardSchemaV1.Result<unknown>;
type Pending = {
  location: ValidationLocation;
  result: Result | Promise<Result>;
  assign: (v: unknown) => void;
};

function validate(schema: AnySchema, value: unknown): Result | Promise<Result> {
  return schema['~standard'].validate(value) as Result | Promise<Result>;
}

function bodyValue(req: Request<unknown>, slot: Slot, accepted: readonly string[] | null): unknown {
  const mt = req.mimetype;
  if (mt === '') {
    // no content type: a body with bytes is a client error, no body is an absent value (the schema decides)
    if (req.data.byteLength === 0) return undefined;
    throw new UnsupportedMediaType('The request body has no Content-Type.');
  }
  if (accepted === null) {
    // JSON only unless the route lists form types: a cross-site HTML form can post urlencoded or multipart
    // without a CORS preflight, JSON it cannot (FastAPI refuses non-JSON bodies for the same reason)
    if (!isJsonMimetype(mt)) {
      throw new UnsupportedMediaType(
        `The request Content-Type must be application/json, not '${mt}' (a route takes forms when its contentTypes option lists them).`,
      );
    }
  } else if (!accepted.includes(mt)) {
    throw new UnsupportedMediaType(`The request Content-Type must be one of: ${accepted.join(', ')}.`);
  }
  if (isJsonMimetype(mt)) return req.data.byteLength === 0 ? undefined : req.json;
  if (mt === FORM || mt === MULTIPART) {
    const form = req.form;
    const files = req.files;
    const out = shapeMulti(form.keys(), (k) => form.getAll(k), slot.shape);
    return shapeMulti(files.keys(), (k) => files.getAll(k), slot.shape, out);
  }
  throw new UnsupportedMediaType(
    `The request Content-Type '${mt}' is not supported: send application/json, ${FORM} or ${MULTIPART}.`,
  );
}

function headersObject(req: Request<unknown>): [string, string][] {
  const out: [string, string][] = [];
  const h = req.raw.headers;
  for (const k in h) {
    const v = h[k];
    if (v !== undefined) out.push([k.toLowerCase(), typeof v === 'string' ? v : v.join(', ')]);
  }
  return out;
}

/** Validates the inputs; assigns `req.params`/`query`/`headersData`/`cookiesData`/`body` or throws 422. */
export function validateInput(req: Request<unknown>, v: RouteValidation): void | Promise<void> {
  const pending: Pending[] = [];
  const r: ValidatedValues = {};
  req._validated = r;
  if (v.params !== null) {
    pending.push({
      location: 'path',
      result: validate(v.params.schema, { ...(req.params as object) }),
      assign: (x) => {
        req.params = x;
      },
    });
  }
  if (v.query !== null) {
    const args = req.args;
    const value = shapeMulti(args.keys(), (k) => args.getAll(k), v.query.shape);
    pending.push({
      location: 'query',
      result: validate(v.query.schema, value),
      assign: (x) => (r.query = x),
    });
  }
  if (v.headers !== null) {
    const value = shapeSingle(headersObject(req), v.headers.shape);
    pending.push({
      location: 'header',
      result: validate(v.headers.schema, value),
      assign: (x) => (r.headersData = x),
    });
  }
  if (v.cookies !== null) {
    const value = shapeSingle(Object.entries(req.cookies), v.cookies.shape);
    pending.push({
      location: 'cookie',
      result: validate(v.cookies.schema, value),
      assign: (x) => (r.cookiesData = x),
    });
  }
  if (v.body !== null) {
    const value = bodyValue(req, v.body, v.contentTypes);
    pending.push({ location: 'body', result: validate(v.body.schema, value), assign: (x) => (r.body = x) });
  }
  let async = false;
  for (const p of pending) if (isPromiseLike(p.result)) async = true;
  if (!async)
    return settle(
      pending,
      pending.map((p) => p.result as Result),
    );
  return Promise.all(pending.map((p) => p.result)).then((results) => settle(pending, results));
}

function settle(pending: Pending[], results: Result[]): void {
  let issues: LocatedIssue[] | null = null;
  for (let i = 0; i < pending.length; i++) {
    const p = pending[i] as Pending;
    const res = results[i] as Result;
    if (res.issues) {
      issues ??= [];
      for (const issue of res.issues) issues.push({ ...issue, location: p.location });
    } else if (issues === null) p.assign(res.value);
  }
  if (issues !== null) throw new RequestValidationError(issues);
}

function isPlainJson(rv: unknown): rv is object {
  if (typeof rv !== 'object' || rv === null) return false;
  if (Array.isArray(rv)) return true;
  const proto = Object.getPrototypeOf(rv);
  return proto === Object.prototype || proto === null;
}

function checkResult(res: Result, status: number, req: Request<unknown>): unknown {
  if (res.issues) throw new ResponseValidationError(res.issues, status, req.endpoint);
  return res.value;
}

/** A JSON response of `value` with the route's status. */
function jsonResponse(app: ValidationApp, value: unknown, status: number): Response {
  const res = app.json.response(value);
  if (status !== 200) res.status = status;
  return res;
}

/**
 * Validates what the view answered against the response schema of its status. A plain object or array
 * (status `statusCode`, else 200) and a Phial `Response` with a JSON body are checked; the schema's output
 * is what is sent (so a schema that strips unknown keys keeps them out of the response). Other values pass
 * as they are.
 */
export function validateResponse(
  app: ValidationApp,
  req: Request<unknown>,
  v: RouteValidation,
  rv: unknown,
): unknown {
  if (rv instanceof Response) {
    const status = rv.status;
    const schema = v.responseSchema(status);
    if (schema === undefined || rv.isStreamed || !isJsonMimetype(rv.mimetype)) return rv;
    // the value `jsonify`/`makeResponse` serialized (a Date is still a Date), else the body parsed back
    let value: unknown = rv._jsonSource;
    if (value === undefined) {
      const text = rv.text;
      value = text === '' ? undefined : JSON.parse(text);
    }
    const apply = (out: unknown): Response => {
      rv.setData(app.json.responseBody(out));
      return rv;
    };
    const res = validate(schema, value);
    if (isPromiseLike(res)) return Promise.resolve(res).then((x) => apply(checkResult(x, status, req)));
    return apply(checkResult(res, status, req));
  }
  if (!isPlainJson(rv)) return rv;
  const status = v.statusCode ?? 200;
  const schema = v.responseSchema(status);
  if (schema === undefined) return status === 200 ? rv : jsonResponse(app, rv, status);
  const res = validate(schema, rv);
  if (isPromiseLike(res)) {
    return Promise.resolve(res).then((x) => jsonResponse(app, checkResult(x, status, req), status));
  }
  const out = checkResult(res, status, req);
  return status === 200 ? out : jsonResponse(app, out, status);
}

/** The pipeline step: inputs, view, response. Sync while the schemas and the view are. */
export function runValidated(
  app: ValidationApp,
  req: Request<unknown>,
  view: (req: Request<unknown>) => unknown,
  plan: RouteValidation | Map<string, RouteValidation>,
): unknown {
  const v = plan instanceof Map ? plan.get(req.method) : plan;
  if (v === undefined) return view(req);
  const after = (): unknown => {
    const rv = view(req);
    if (v.response === null && v.statusCode === null) return rv;
    if (isPromiseLike(rv)) return Promise.resolve(rv).then((x) => validateResponse(app, req, v, x));
    return validateResponse(app, req, v, rv);
  };
  if (!v.hasInput) return after();
  const checked = validateInput(req, v);
  return isPromiseLike(checked) ? Promise.resolve(checked).then(after) : after();
}
