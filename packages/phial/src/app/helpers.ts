/**
 * Flask's helper functions: `abort`, `redirect`, `urlFor`, `jsonify`, `makeResponse`,
 * `afterThisRequest`, `streamWithContext`. They use the current context where Flask does.
 */

import { Headers, type HeadersInit } from '../http/datastructures/headers.js';
import { exceptionForCode, HTTPException } from '../http/exceptions.js';
import { Response } from '../http/response.js';
import { escapeHtml, safeLocation } from '../http/security.js';
import { contextStorage, currentAppContext, requireAppContext, requireRequestContext } from './context.js';
import type { UrlForValues } from './phial.js';
import { iterateInContext, toResponse } from './response-value.js';

export { copyCurrentRequestContext, hasAppContext, hasRequestContext } from './context.js';

/**
 * Stops the request with an HTTP error: `abort(404)`, `abort(403, 'No access')`, or `abort(response)`
 * to send a ready response. Throws the HTTPException (an unknown code is a developer error).
 */
export function abort(status: number | Response, description?: string): never {
  if (status instanceof Response) throw new HTTPException(null, status);
  const cls = exceptionForCode(status);
  if (cls === undefined) throw new Error(`no exception for ${status}`);
  throw new (cls as unknown as new (description?: string | null) => HTTPException)(description ?? null);
}

/**
 * A redirect response (302 by default) with a short HTML body. The Location is made safe: CR/LF,
 * spaces and non-ASCII are percent-encoded, so a user-supplied target cannot split the header.
 */
export function redirect(location: string, status = 302): Response {
  const loc = safeLocation(String(location));
  const html = `<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href="${escapeHtml(loc)}">${escapeHtml(String(location))}</a>. If not, click the link.\n`;
  const res = new Response(html, { status, contentType: 'text/html; charset=utf-8' });
  res.headers.set('Location', loc);
  return res;
}

/**
 * Builds a URL for an endpoint with the current app: `urlFor('user', { id: 1 })`. Extra values go to
 * the query string; `_external`, `_anchor`, `_method`, `_scheme`; `.name` means the current blueprint.
 */
export function urlFor(endpoint: string, values?: UrlForValues): string {
  return requireAppContext().app.urlFor(endpoint, values);
}

function jsonText(value: unknown): Response {
  const app = currentAppContext()?.app;
  if (app) return app.json.response(value);
  return new Response(`${JSON.stringify(value)}\n`, { contentType: 'application/json' });
}

/** A JSON response (`application/json`) of `value`; several arguments become an array, as in Flask. */
export function jsonify(...args: unknown[]): Response {
  if (args.length === 0) return jsonText(null);
  return jsonText(args.length === 1 ? args[0] : args);
}

function isHeadersLike(v: unknown): v is HeadersInit {
  return (
    v instanceof Headers ||
    Array.isArray(v) ||
    (typeof globalThis.Headers === 'function' && v instanceof globalThis.Headers) ||
    (v !== null && typeof v === 'object')
  );
}

function applyStatus(res: Response, status: number | string): void {
  if (typeof status === 'number') {
    res.status = status;
    return;
  }
  const m = /^\s*(\d{3})(?:\s+(.*))?$/.exec(status);
  if (!m) throw new TypeError(`Invalid status: ${JSON.stringify(status)}`);
  res.status = Number(m[1]);
  if (m[2]) res.statusText = m[2];
}

/**
 * Flask's `make_response`: converts a view value into a Response, optionally setting status and
 * headers — `makeResponse(body, 201, { 'X-A': '1' })`, or `makeResponse(body, headers)`.
 */
export function makeResponse(
  body?: unknown,
  statusOrHeaders?: number | string | HeadersInit | null,
  headers?: HeadersInit | null,
): Response {
  const ctx = contextStorage.getStore();
  let res: Response;
  if (body === undefined) res = new Response('');
  else if (ctx) res = toResponse(body, ctx.app.json, ctx);
  else res = toResponse(body, { response: (v) => jsonText(v) }, undefined);
  let hdrs = headers ?? null;
  if (statusOrHeaders !== undefined && statusOrHeaders !== null) {
    if (typeof statusOrHeaders === 'number' || typeof statusOrHeaders === 'string')
      applyStatus(res, statusOrHeaders);
    else if (isHeadersLike(statusOrHeaders)) hdrs = statusOrHeaders;
  }
  if (hdrs) {
    for (const [k, v] of new Headers(hdrs).items()) res.headers.set(k, v);
  }
  return res;
}

/** Runs `fn(response)` after this request's view (before the afterRequest hooks). Returns `fn`. */
export function afterThisRequest<
  // biome-ignore lint/suspicious/noConfusingVoidType: hooks that return nothing are allowed
  F extends (res: Response) => Response | undefined | void | Promise<Response | undefined | void>,
>(fn: F): F {
  const ctx = requireRequestContext();
  if (ctx._afterThisRequest === null) ctx._afterThisRequest = [];
  ctx._afterThisRequest.push(fn);
  return fn;
}

/** Keeps the current request context while a stream is consumed later (Flask's `stream_with_context`). */
export function streamWithContext<T extends string | Uint8Array>(
  iterable: AsyncIterable<T> | Iterable<T>,
): AsyncIterable<T> {
  const ctx = contextStorage.getStore();
  if (ctx === undefined || ctx.reqCtx === null) {
    throw new Error('Working outside of request context.');
  }
  return iterateInContext(iterable, ctx);
}
