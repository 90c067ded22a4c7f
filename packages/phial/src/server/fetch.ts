/**
 * The Fetch API adapter: `app.fetch(request)` → `Promise<Response>` (Web objects) over the same
 * pipeline, for Bun, Deno, Workers and tests.
 */

import type { Phial } from '../app/phial.js';
import { isHTTPException } from '../http/exceptions.js';
import type { RawRequest } from '../http/request.js';
import { type Response, toAsyncIterable } from '../http/response.js';
import { safeHeaderValue } from '../http/security.js';

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const encoder = new TextEncoder();
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

/** Converts a Phial Response to a Web Response (streams stay streams; HEAD and null-body statuses get none). */
export function toWebResponse(response: Response, method: string): globalThis.Response {
  const headers = new globalThis.Headers();
  for (const [k, v] of response.headers.items()) headers.append(k, v);
  const status = response.status;
  const noBody = method === 'HEAD' || NULL_BODY_STATUS.has(status);
  const body = response._body;
  const init: ResponseInit = { status, statusText: safeHeaderValue(response.statusText), headers };
  if (noBody || body === null) {
    response._close();
    return new globalThis.Response(null, init);
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    if (!headers.has('content-length')) {
      headers.set(
        'content-length',
        String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength),
      );
    }
    response._close();
    return new globalThis.Response(body as ConstructorParameters<typeof globalThis.Response>[0], init);
  }
  const it = toAsyncIterable(body)[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await it.next();
        if (done) {
          controller.close();
          await response._close();
          return;
        }
        controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value);
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
export async function handleFetch(app: Phial, request: globalThis.Request): Promise<globalThis.Response> {
  const { raw, url } = rawFromWebRequest(request);
  const scheme = url.protocol.replace(/:$/, '');
  let res: Response;
  try {
    res = await app._dispatch(raw, (req) => {
      req._scheme = scheme;
      req._attachAbort = (ac: AbortController) => {
        if (request.signal.aborted) ac.abort(request.signal.reason);
        else request.signal.addEventListener('abort', () => ac.abort(request.signal.reason), { once: true });
      };
    });
  } catch (e) {
    if (isHTTPException(e)) return toWebResponse(e.getResponse(), request.method);
    app.logger.error('Exception while handling a request', e);
    const body = app.debug
      ? `Internal Server Error\n\n${e instanceof Error ? (e.stack ?? String(e)) : String(e)}\n`
      : 'Internal Server Error';
    return new globalThis.Response(body, {
      status: 500,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  try {
    return toWebResponse(res, request.method);
  } catch (e) {
    // e.g. a status outside 200-599, which Web Responses cannot carry
    app.logger.error('Could not convert the response for the Fetch API', e);
    return new globalThis.Response('Internal Server Error', { status: 500 });
  }
}
