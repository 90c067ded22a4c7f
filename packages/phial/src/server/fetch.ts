/**
 * The Fetch API adapter: `app.fetch(request)` → `Promise<Response>` (Web objects) over the same
 * pipeline, for Bun, Deno, Workers and tests.
 */

import type { Phial } from '../app/phial.js';
import { isHTTPException } from '../http/exceptions.js';
import type { RawRequest } from '../http/request.js';
import { type Response, toAsyncIterable } from '../http/response.js';
import {
  fixedBodyLength,
  parseContentLength,
  sendsBody,
  wireContentLength,
  wireReason,
} from '../http/wire.js';
import { hasWebSocketRoutes } from '../realtime/websocket/route.js';
import { fallbackResponse } from './fallback.js';

const encoder = new TextEncoder();
const noop = (): void => {};

/** Closes a response whose body is not sent: a stream is ended unread (generator `finally` blocks run). */
function closeUnsent(response: Response): Promise<void> | undefined {
  const body = response._body;
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) return response._close();
  const it = toAsyncIterable(body)[Symbol.asyncIterator]();
  return Promise.resolve(it.return?.()).then(
    () => response._close(),
    () => response._close(),
  );
}
const EMPTY_BODY: AsyncIterable<Uint8Array> = { async *[Symbol.asyncIterator]() {} };

/** Builds the RawRequest the pipeline reads from a Web Request. */
export function rawFromWebRequest(request: globalThis.Request): { raw: RawRequest; url: URL } {
  const url = new URL(request.url);
  const headers: Record<string, string | string[] | undefined> = Object.create(null);
  for (const [k, v] of request.headers) {
    if (k === 'set-cookie') continue;
    headers[k] = v;
  }
  if (headers.host === undefined) headers.host = url.host;
  const body = request.body;
  // A Web Request does not expose the length of its body: a body of unknown length is "chunked".
  if (
    body !== null &&
    headers['content-length'] === undefined &&
    headers['transfer-encoding'] === undefined
  ) {
    headers['transfer-encoding'] = 'chunked';
  }
  const raw: RawRequest = {
    method: request.method,
    url: `${url.pathname}${url.search}`,
    headers,
    socket: { remoteAddress: undefined, encrypted: url.protocol === 'https:' },
    [Symbol.asyncIterator]: () =>
      (body === null ? EMPTY_BODY : (toAsyncIterable(body) as AsyncIterable<Uint8Array>))[
        Symbol.asyncIterator
      ](),
  };
  return { raw, url };
}

/**
 * Converts a Phial Response to a Web Response under the wire rules (http/wire.ts): no body for HEAD and
 * the null-body statuses, Content-Length as every adapter writes it, no Transfer-Encoding from the app.
 * Streams stay streams.
 */
export function toWebResponse(response: Response, method: string): globalThis.Response {
  const headers = new globalThis.Headers();
  let appLength: string | null = null;
  const rh = response.headers;
  for (let i = 0; i < rh._keys.length; i++) {
    const k = rh._keys[i] as string;
    if (k === 'content-length') appLength = rh._values[i] as string;
    else if (k !== 'transfer-encoding') headers.append(rh._names[i] as string, rh._values[i] as string);
  }
  const status = response.status;
  const body = response._body;
  const bodyLength = fixedBodyLength(body);
  const length = wireContentLength(status, method, bodyLength, parseContentLength(appLength));
  if (length >= 0) headers.set('content-length', String(length));
  const init: ResponseInit = { status, statusText: wireReason(status, response._statusText), headers };
  if (body === null || !sendsBody(status, method)) {
    const p = closeUnsent(response);
    if (p !== undefined) p.catch(noop);
    return new globalThis.Response(null, init);
  }
  if (bodyLength >= 0) {
    response._close();
    // a string body would get a `text/plain` Content-Type from the Web Response when the app set none
    const bytes = typeof body === 'string' && !headers.has('content-type') ? encoder.encode(body) : body;
    return new globalThis.Response(bytes as ConstructorParameters<typeof globalThis.Response>[0], init);
  }
  const it = toAsyncIterable(body as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  // a declared length is what the client reads: never more (the wire rules)
  let left = length;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await it.next();
        if (done) {
          controller.close();
          await response._close();
          return;
        }
        let chunk = typeof value === 'string' ? encoder.encode(value) : value;
        if (left >= 0) {
          if (chunk.byteLength >= left) {
            if (chunk.byteLength > left) chunk = chunk.subarray(0, left);
            if (chunk.byteLength > 0) controller.enqueue(chunk);
            left = 0;
            controller.close();
            await it.return?.();
            await response._close();
            return;
          }
          left -= chunk.byteLength;
        }
        controller.enqueue(chunk);
      } catch (e) {
        controller.error(e);
        await response._close();
      }
    },
    async cancel() {
      await it.return?.();
      await response._close();
    },
  });
  return new globalThis.Response(stream, init);
}

/** `app.fetch`: dispatches a Web Request; errors that escape the app become a 500 (logged). */
export async function handleFetch(
  app: Phial,
  request: globalThis.Request,
  server?: unknown,
): Promise<globalThis.Response> {
  // a WebSocket upgrade (Deno; Bun passes its server): the realtime module decides, loaded only then
  if (request.headers.get('upgrade')?.toLowerCase() === 'websocket' && hasWebSocketRoutes(app)) {
    const upgraded = await (await import('../realtime/websocket/fetch.js')).fetchUpgrade(
      app,
      request,
      server,
    );
    // Bun took the connection: its fetch handler returns nothing
    if (upgraded !== null) return upgraded as globalThis.Response;
  }
  const { raw, url } = rawFromWebRequest(request);
  const scheme = url.protocol.replace(/:$/, '');
  let res: Response;
  try {
    res = await app.wsgiApp(raw, (req) => {
      req._scheme = scheme;
      req._attachAbort = (ac: AbortController) => {
        if (request.signal.aborted) ac.abort(request.signal.reason);
        else request.signal.addEventListener('abort', () => ac.abort(request.signal.reason), { once: true });
      };
    });
  } catch (e) {
    if (!isHTTPException(e)) app.logger.error('Exception while handling a request', e);
    // the same answer the servers give
    return toWebResponse(fallbackResponse(app, e), request.method);
  }
  try {
    return toWebResponse(res, request.method);
  } catch (e) {
    // e.g. a status outside 200-599, which Web Responses cannot carry
    app.logger.error('Could not convert the response for the Fetch API', e);
    res._close()?.catch(noop);
    return toWebResponse(fallbackResponse(app, e), request.method);
  }
}
