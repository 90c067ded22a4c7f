/**
 * The two validation errors: a request that does not match its schemas (422, FastAPI's `detail` list) and a
 * response that does not match its schema (a server bug: 500, the response is never sent).
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { UnprocessableEntity } from '../http/exceptions.js';
import { Response } from '../http/response.js';
import type { ValidationLocation } from './types.js';

/** One entry of the 422 body's `detail` list (FastAPI's shape). */
export interface ValidationDetail {
  /** Where: the location then the path inside the value (`['body', 'items', 0, 'price']`). */
  loc: (string | number)[];
  /** The schema library's message. */
  msg: string;
  /** A machine-readable kind: the library's issue code (`invalid_type`, `too_small`, ...) or `value_error`. */
  type: string;
}

/** A Standard Schema issue with the location it was found in. */
export interface LocatedIssue extends StandardSchemaV1.Issue {
  readonly location: ValidationLocation;
}

function pathKey(seg: PropertyKey | StandardSchemaV1.PathSegment): string | number {
  const key = typeof seg === 'object' && seg !== null ? seg.key : seg;
  return typeof key === 'number' ? key : String(key);
}

function issueType(issue: StandardSchemaV1.Issue): string {
  const i = issue as { code?: unknown; type?: unknown; kind?: unknown };
  if (typeof i.code === 'string' && i.code) return i.code;
  if (typeof i.type === 'string' && i.type) return i.type;
  return 'value_error';
}

/** The keys an issue about unknown keys names (zod's `unrecognized_keys`), or null. */
function unknownKeys(issue: StandardSchemaV1.Issue): readonly string[] | null {
  const keys = (issue as { keys?: unknown }).keys;
  return issueType(issue) === 'unrecognized_keys' && Array.isArray(keys) && keys.length > 0
    ? (keys as unknown[]).map(String)
    : null;
}

/**
 * FastAPI's `detail` entries for located issues. An issue naming several unknown keys (a strict object) gives
 * one entry per key, with the key in `loc`, as FastAPI's `extra_forbidden` does: a client can point at the field.
 */
export function toDetails(issues: readonly LocatedIssue[]): ValidationDetail[] {
  const out: ValidationDetail[] = [];
  for (const issue of issues) {
    const loc = [issue.location, ...(issue.path ?? []).map(pathKey)];
    const type = issueType(issue);
    const keys = unknownKeys(issue);
    if (keys === null) out.push({ loc, msg: issue.message, type });
    else for (const key of keys) out.push({ loc: [...loc, key], msg: `Unrecognized key: "${key}"`, type });
  }
  return out;
}

/**
 * The request did not match a route's schemas. Answers 422 with `{ "detail": [{ loc, msg, type }] }`;
 * `app.errorHandler(RequestValidationError, fn)` (or `errorHandler(422, fn)`) can answer differently.
 */
export class RequestValidationError extends UnprocessableEntity {
  /** Every issue found, each with the location it came from. */
  readonly issues: readonly LocatedIssue[];
  /** The location of the first issue (`body`, `query`, `path`, `header` or `cookie`). */
  readonly location: ValidationLocation;

  constructor(issues: readonly LocatedIssue[]) {
    super('The request did not match the schema of the route.');
    this.name = 'RequestValidationError';
    this.issues = issues;
    this.location = issues[0]?.location ?? 'body';
  }

  /** FastAPI's `detail` list. */
  get detail(): ValidationDetail[] {
    return toDetails(this.issues);
  }

  /** The 422 JSON response. */
  override getResponse(): Response {
    if (this.response) return this.response;
    return new Response(JSON.stringify({ detail: this.detail }), {
      status: 422,
      contentType: 'application/json',
    });
  }
}

/**
 * A view answered a value its `response` schema rejects: a bug on the server. It is not an HTTP error: it
 * goes to the app's 500 handling (logged, or raised in tests) and the value is never sent.
 */
export class ResponseValidationError extends Error {
  /** The schema's issues. */
  readonly issues: readonly StandardSchemaV1.Issue[];
  /** The status the view answered with. */
  readonly status: number;

  constructor(issues: readonly StandardSchemaV1.Issue[], status: number, endpoint: string | null) {
    const first = issues[0];
    const where = first?.path?.length ? ` at ${first.path.map(pathKey).join('.')}` : '';
    super(
      `The response of '${endpoint ?? '?'}' (status ${status}) does not match its schema: ${first?.message ?? 'invalid'}${where} (${issues.length} issue${issues.length === 1 ? '' : 's'}).`,
    );
    this.name = 'ResponseValidationError';
    this.issues = issues;
    this.status = status;
  }
}
