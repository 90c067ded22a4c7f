/** Testing helpers: the test client and request contexts without a server (`phial/testing`). */
import { contextStorage, RequestContext } from '../app/context.js';
import { matchRequest, teardown } from '../app/dispatch.js';
import type { Phial } from '../app/phial.js';
import { Request } from '../app/request.js';
import { releaseBody } from '../http/body/index.js';
import { buildRequest, type TestRequestOptions } from './builder.js';
import { TestClient, type TestClientOptions } from './client.js';

export { type BuiltRequest, buildRequest, type TestHeaders, type TestRequestOptions } from './builder.js';
// Types only: the CLI runner (with node:repl, which loads node:domain and slows every EventEmitter) is imported
// lazily by `app.testCliRunner()`, never when the app starts.
export type { CliInvokeOptions, CliResult, TestCliRunner } from './cli-runner.js';
export {
  type ClientRequestOptions,
  type SetTestCookieOptions,
  type StreamRequestOptions,
  TestClient,
  type TestClientOptions,
  type TestCookie,
  TestResponse,
} from './client.js';
export { parseEventStream, type ReceivedEvent, StreamingTestResponse } from './stream.js';
export { TestWebSocket, type TestWebSocketOptions, WebSocketClosed, WebSocketRefused } from './websocket.js';

/** `app.testClient()`. */
export function createTestClient(app: Phial, options?: TestClientOptions): TestClient {
  return new TestClient(app, options);
}

/**
 * `app.testRequestContext(path, options, fn)`: a request context for `path` (matched, body read),
 * `fn` runs inside it, teardown runs after; resolves to `fn`'s return value.
 */
export async function runTestRequestContext<T>(
  app: Phial,
  path: string,
  options: TestRequestOptions,
  fn: (req: Request) => T | Promise<T>,
): Promise<T> {
  const sn = app.config.SERVER_NAME;
  const built = await buildRequest(path, options, { host: sn ? String(sn) : 'localhost' });
  const req = new Request(built.raw);
  req._scheme = built.scheme;
  const ctx = new RequestContext(app, req);
  return contextStorage.run(ctx, async () => {
    matchRequest(app, ctx);
    let error: unknown = null;
    try {
      // a body is loaded up front (with the route's limits), so `fn` reads req.form/json synchronously
      await req.loadBody();
      return await fn(req);
    } catch (e) {
      error = e;
      throw e;
    } finally {
      await releaseBody(req._body);
      await teardown(app, ctx, error);
    }
  });
}
