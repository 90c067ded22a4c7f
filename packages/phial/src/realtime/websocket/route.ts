/**
 * WebSocket routes as ordinary URL rules: `app.websocket(rule, handler)` adds a GET rule whose view
 * accepts the upgrade (after routing, converters, `urlValuePreprocessor`s and `beforeRequest` hooks have
 * run, exactly as for a page). A plain GET to it gets 426 Upgrade Required. The server side (`ws`) is
 * loaded only when an upgrade arrives.
 */

import type { Request } from '../../app/request.js';
import { Forbidden, NotImplemented } from '../../http/exceptions.js';
import { Response } from '../../http/response.js';
import type { ServerWebSocket } from './socket.js';

/** Options of `app.websocket` (besides the rule options `endpoint`, `defaults`, `host`, `subdomain`, `strictSlashes`). */
export interface WebSocketOptions {
  /** Subprotocols the route speaks, in order of preference; the first one the client offers is chosen. */
  subprotocols?: readonly string[];
  /** Largest message accepted, in bytes (default 1 MiB); a larger one closes the socket with 1009. */
  maxPayload?: number;
  /**
   * `Origin` values allowed to connect besides the app's own (`'*'` allows any). By default only
   * same-origin browser upgrades are accepted (cross-site WebSocket hijacking gets 403); clients that send
   * no `Origin` (non-browser) are accepted.
   */
  origins?: readonly string[];
  /** Seconds without a message or pong before a ping is sent; a peer silent for two periods is dropped. Default 60; 0 turns it off. */
  idleTimeout?: number;
  /** Bytes queued for a client that does not read before it is dropped. Default 4 MiB. */
  maxBufferedAmount?: number;
  endpoint?: string;
  defaults?: Record<string, unknown> | null;
  host?: string | null;
  subdomain?: string | null;
  strictSlashes?: boolean;
}

/** A WebSocket handler: runs inside the upgrade request's context (`request`, `session`, `g` work). */
export type WebSocketHandler<P = Record<string, unknown>> = (ws: ServerWebSocket, req: Request<P>) => unknown;

/** What a WebSocket view carries. */
export interface WebSocketRoute {
  handler: WebSocketHandler<never>;
  subprotocols: readonly string[];
  maxPayload: number;
  origins: readonly string[];
  idleTimeout: number;
  maxBufferedAmount: number;
}

/** The state of one upgrade while the pipeline runs (set by the server adapter or the test client). */
export interface UpgradeState {
  /** Set by the view once the upgrade is accepted. */
  route: WebSocketRoute | null;
  /** The chosen subprotocol, or null. */
  protocol: string | null;
}

const upgrades = new WeakMap<Request, UpgradeState>();
const kRoute = Symbol('phial.websocket');
/** The marker response of an accepted upgrade (the pipeline's afterRequest hooks and session save see it). */
const kAccept = Symbol('phial.websocket.accept');

/** @internal marks `req` as an upgrade the caller can complete. */
export function markUpgrade(req: Request): UpgradeState {
  const st: UpgradeState = { route: null, protocol: null };
  upgrades.set(req, st);
  return st;
}

/** True when `response` says "accept the upgrade". */
export function isAcceptResponse(response: Response): boolean {
  return (response as unknown as Record<symbol, unknown>)[kAccept] === true;
}

/** The route a view belongs to, when it is a WebSocket view. */
export function webSocketRouteOf(view: unknown): WebSocketRoute | undefined {
  return typeof view === 'function' ? (view as unknown as Record<symbol, WebSocketRoute>)[kRoute] : undefined;
}

const KEY = /^[+/0-9A-Za-z]{22}==$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function header(req: Request, name: string): string | null {
  return req.headers.get(name);
}

function badHandshake(message: string): Response {
  const r = new Response(`Bad WebSocket handshake: ${message}\n`, {
    status: 400,
    contentType: 'text/plain; charset=utf-8',
  });
  r.headers.set('Sec-WebSocket-Version', '13');
  return r;
}

/** The subprotocols a client offered (null when the header is malformed). */
export function offeredProtocols(value: string | null): string[] | null {
  if (value === null) return [];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const p = part.trim();
    if (!TOKEN.test(p) || out.includes(p)) return null;
    out.push(p);
  }
  return out;
}

/** True when `origin` is the request's own origin or listed in `allowed`. */
export function originAllowed(req: Request, origin: string | null, allowed: readonly string[]): boolean {
  if (origin === null) return true;
  if (allowed.includes('*')) return true;
  const o = origin.toLowerCase();
  if (o === `${req.scheme}://${req.host}`.toLowerCase()) return true;
  for (const a of allowed) if (a.toLowerCase() === o) return true;
  return false;
}

/** Checks a handshake; returns the refusal, or null when it is a valid WebSocket upgrade. */
export function checkHandshake(req: Request): Response | null {
  const upgrade = header(req, 'upgrade');
  if (upgrade === null || upgrade.toLowerCase() !== 'websocket')
    return badHandshake('Upgrade must be websocket');
  const key = header(req, 'sec-websocket-key');
  if (key === null) return badHandshake('missing Sec-WebSocket-Key');
  if (!KEY.test(key)) return badHandshake('Sec-WebSocket-Key must be 16 bytes in base64');
  const version = header(req, 'sec-websocket-version');
  if (version === null || version.trim() !== '13') return badHandshake('Sec-WebSocket-Version must be 13');
  return null;
}

function upgradeRequired(): Response {
  const r = new Response('This URL takes WebSocket connections.\n', {
    status: 426,
    contentType: 'text/plain; charset=utf-8',
  });
  r.headers.set('Upgrade', 'websocket');
  r.headers.set('Connection', 'Upgrade');
  r.headers.set('Sec-WebSocket-Version', '13');
  return r;
}

/** True when any of the app's views is a WebSocket route (servers then listen for upgrades). */
export function hasWebSocketRoutes(app: { viewFunctions: Record<string, unknown> }): boolean {
  for (const k in app.viewFunctions) if (webSocketRouteOf(app.viewFunctions[k]) !== undefined) return true;
  return false;
}

/** Builds the view registered for a WebSocket rule. */
export function makeWebSocketView(
  handler: WebSocketHandler<never>,
  options: WebSocketOptions,
): (req: Request) => Response {
  const route: WebSocketRoute = {
    handler,
    subprotocols: options.subprotocols ?? [],
    maxPayload: options.maxPayload ?? 1024 * 1024,
    origins: options.origins ?? [],
    idleTimeout: options.idleTimeout ?? 60,
    maxBufferedAmount: options.maxBufferedAmount ?? 4 * 1024 * 1024,
  };
  const view = (req: Request): Response => {
    const st = upgrades.get(req);
    if (st === undefined && req.method === 'GET' && header(req, 'upgrade')?.toLowerCase() === 'websocket') {
      // a real upgrade that no upgrade path took: this runtime or server cannot switch protocols here (a
      // Worker, a node:http server without app.handleUpgrade): 426 would ask the client to do what it did
      throw new NotImplemented(
        'This server cannot take WebSocket connections: the runtime has no upgrade API here, or the server does not pass upgrades to the app.',
      );
    }
    if (st === undefined || header(req, 'upgrade') === null || req.method !== 'GET') return upgradeRequired();
    const bad = checkHandshake(req);
    if (bad !== null) return bad;
    const offered = offeredProtocols(header(req, 'sec-websocket-protocol'));
    if (offered === null) return badHandshake('malformed Sec-WebSocket-Protocol');
    if (!originAllowed(req, header(req, 'origin'), route.origins)) {
      throw new Forbidden('Cross-origin WebSocket connections are not allowed here.');
    }
    st.protocol = route.subprotocols.find((p) => offered.includes(p)) ?? null;
    st.route = route;
    const accept = new Response(null, { status: 101 });
    (accept as unknown as Record<symbol, unknown>)[kAccept] = true;
    return accept;
  };
  Object.defineProperty(view, 'name', { value: handler.name });
  (view as unknown as Record<symbol, WebSocketRoute>)[kRoute] = route;
  return view;
}
