/**
 * One upgrade request from start to end, whatever the server: the normal pipeline runs (routing, hooks,
 * the WebSocket view's checks); an accepted upgrade then runs the handler inside the same request
 * context until the socket closes, and teardown runs after that.
 */
import { RequestContext, runWithContext } from '../../app/context.js';
import { type DispatchSetup, newRequest, runInContext, teardown } from '../../app/dispatch.js';
import type { Phial } from '../../app/phial.js';
import type { Request } from '../../app/request.js';
import type { RawRequest } from '../../http/request.js';
import type { Response } from '../../http/response.js';
import { trackLive } from '../live.js';
import { isAcceptResponse, markUpgrade, type UpgradeState, type WebSocketRoute } from './route.js';
import { ServerWebSocket, type Transport } from './socket.js';

/** The pipeline's answer to an upgrade request. */
export interface UpgradeResult {
  /** The final response (the accept marker when `accepted`). */
  response: Response;
  /** True when a WebSocket route accepted the upgrade: call `start` with a transport. */
  accepted: boolean;
  /** The route and chosen subprotocol (when accepted). */
  state: UpgradeState;
  ctx: RequestContext;
  /** `Set-Cookie` values the handshake response should carry (a session changed by a hook). */
  setCookies: string[];
}

/** Runs an upgrade request through the pipeline; errors that propagate (TESTING) reject after teardown. */
export async function runUpgrade<D>(
  app: Phial,
  raw: RawRequest,
  setup: DispatchSetup<D> | null,
  data?: D,
): Promise<UpgradeResult> {
  const req = newRequest(app, raw, setup, data);
  const state = markUpgrade(req);
  const ctx = new RequestContext(app, req);
  let response: Response;
  try {
    response = await runInContext(app, ctx);
  } catch (e) {
    await teardown(app, ctx, e);
    throw e;
  }
  const accepted = state.route !== null && isAcceptResponse(response);
  return { response, accepted, state, ctx, setCookies: response.headers.getSetCookie() };
}

/** Runs teardown for a refused upgrade once its response was written. */
export async function finishRefused(app: Phial, result: UpgradeResult): Promise<void> {
  await result.response._close();
  await teardown(app, result.ctx, result.ctx._error ?? null);
}

/**
 * Runs the handler on an accepted connection inside the request context. An error closes the socket
 * with 1011 and is logged once; a handler that returns while the socket is open and has no `message`
 * listener closes it with 1000. Teardown runs once the socket has closed.
 */
export function startSession(app: Phial, result: UpgradeResult, transport: Transport): ServerWebSocket {
  const route = result.state.route as WebSocketRoute;
  const ctx = result.ctx;
  const ws = new ServerWebSocket(transport, {
    maxBufferedAmount: route.maxBufferedAmount,
    idleTimeout: route.idleTimeout,
  });
  let error: unknown = null;
  // a server shutting down closes the socket with 1001 (going away) instead of waiting for it
  const untrack = trackLive(app, { goAway: () => ws.close(1001, 'Server shutting down') });
  void ws.whenClosed().then(untrack);
  const run = async () => {
    try {
      await (route.handler as (ws: ServerWebSocket, req: Request) => unknown)(ws, ctx.request);
      if (!ws.closed && !ws.hasMessageListeners) ws.close(1000);
    } catch (e) {
      error = e;
      // TESTING: the test client's socket hands the error to the test (as a view's error reaches it)
      if (app.propagateExceptions && transport.fail) transport.fail(e);
      else app.logger.error(`Exception in the WebSocket handler of ${ctx.request.path}`, e);
      if (!ws.closed) ws.close(1011, 'Internal error');
    }
    await ws.whenClosed();
    try {
      await teardown(app, ctx, error);
    } catch (e) {
      app.logger.error('Error in a teardown function', e);
    }
  };
  void runWithContext(ctx, run);
  return ws;
}
