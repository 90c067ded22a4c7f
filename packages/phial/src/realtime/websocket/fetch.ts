/**
 * WebSocket routes through `app.fetch` on runtimes that upgrade from a Fetch handler: Deno
 * (`Deno.upgradeWebSocket`) and Bun (`server.upgrade`, with `bunWebSocket` given to `Bun.serve`). The
 * pipeline decides exactly as on Node; only the socket differs.
 */
import type { Phial } from '../../app/phial.js';
import { rawFromWebRequest, toWebResponse } from '../../server/fetch.js';
import type { BunConnection, BunSocket } from './bun.js';
import { finishRefused, runUpgrade, startSession, type UpgradeResult } from './session.js';
import type { Transport, TransportSink } from './socket.js';

declare const Deno:
  | {
      upgradeWebSocket(
        request: globalThis.Request,
        options?: { protocol?: string; idleTimeout?: number },
      ): { socket: globalThis.WebSocket; response: globalThis.Response };
    }
  | undefined;

/** The part of Bun's `Server` an upgrade needs. */
interface BunServer {
  upgrade(request: globalThis.Request, options?: { data?: unknown; headers?: [string, string][] }): boolean;
}

const encoder = new TextEncoder();

/** Byte length of a message (strings counted as UTF-8 only when they might be too long). */
function sizeOf(data: string | Uint8Array, limit: number): number {
  if (typeof data !== 'string') return data.byteLength;
  return data.length * 3 <= limit ? data.length : encoder.encode(data).byteLength;
}

/** A WHATWG WebSocket (Deno's server side) as a Transport. */
class WebStandardTransport implements Transport {
  constructor(
    private readonly ws: globalThis.WebSocket,
    private readonly maxPayload: number,
    /** The negotiated subprotocol (Deno's server-side socket reports '' for it). */
    readonly protocol: string,
  ) {}
  get bufferedAmount(): number {
    return this.ws.bufferedAmount ?? 0;
  }
  send(data: string | Uint8Array, cb: (err?: Error) => void): void {
    try {
      this.ws.send(data);
      cb();
    } catch (e) {
      cb(e instanceof Error ? e : new Error(String(e)));
    }
  }
  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
  terminate(): void {
    this.ws.close(1001, 'Going away');
  }
  attach(sink: TransportSink): void {
    const ws = this.ws;
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (e: MessageEvent) => {
      const d = e.data as string | ArrayBuffer;
      const data = typeof d === 'string' ? d : new Uint8Array(d);
      if (sizeOf(data, this.maxPayload) > this.maxPayload) {
        ws.close(1009, 'Message too big');
        return;
      }
      sink.alive();
      sink.message(data);
    };
    ws.onclose = (e: { code: number; reason: string }) => sink.close(e.code, e.reason);
    ws.onerror = () => sink.error(new Error('WebSocket error'));
  }
}

/** A Bun ServerWebSocket as a Transport (Bun calls back into `bunWebSocket`). */
class BunTransport implements Transport {
  sink: TransportSink | null = null;
  constructor(
    private readonly ws: BunSocket,
    readonly protocol: string,
  ) {}
  get bufferedAmount(): number {
    return this.ws.getBufferedAmount?.() ?? 0;
  }
  send(data: string | Uint8Array, cb: (err?: Error) => void): void {
    const n = this.ws.send(data);
    cb(n === 0 ? new Error('The WebSocket message was dropped.') : undefined);
  }
  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
  terminate(): void {
    this.ws.terminate();
  }
  attach(sink: TransportSink): void {
    this.sink = sink;
  }
}

function bunConnection(app: Phial, result: UpgradeResult, maxPayload: number): BunConnection {
  let transport: BunTransport | null = null;
  return {
    open(ws) {
      transport = new BunTransport(ws, result.state.protocol ?? '');
      startSession(app, result, transport);
    },
    message(data) {
      if (transport === null) return;
      if (sizeOf(data, maxPayload) > maxPayload) {
        transport.close(1009, 'Message too big');
        return;
      }
      transport.sink?.alive();
      transport.sink?.message(data);
    },
    close(code, reason) {
      transport?.sink?.close(code, reason);
    },
  };
}

/** True when `request` asks for a WebSocket. */
export function isWebSocketUpgrade(request: globalThis.Request): boolean {
  const up = request.headers.get('upgrade');
  return up !== null && up.toLowerCase() === 'websocket';
}

/**
 * Handles a WebSocket upgrade arriving through `app.fetch`. Resolves to the response to return (Bun: undefined
 * once it took the connection), or null when this runtime cannot upgrade from a Fetch handler.
 */
export async function fetchUpgrade(
  app: Phial,
  request: globalThis.Request,
  server: unknown,
): Promise<globalThis.Response | undefined | null> {
  const bun =
    server !== null && typeof server === 'object' && typeof (server as BunServer).upgrade === 'function'
      ? (server as BunServer)
      : null;
  const deno = typeof Deno !== 'undefined' && typeof Deno.upgradeWebSocket === 'function' ? Deno : null;
  if (bun === null && deno === null) return null;
  const { raw, url } = rawFromWebRequest(request);
  const scheme = url.protocol.replace(/:$/, '');
  const result = await runUpgrade(app, raw, (req) => {
    req._scheme = scheme;
  });
  const route = result.state.route;
  if (!result.accepted || route === null) {
    const out = toWebResponse(result.response, request.method);
    await finishRefused(app, result);
    return out;
  }
  if (bun !== null) {
    const headers: [string, string][] = result.setCookies.map((c) => ['Set-Cookie', c]);
    if (result.state.protocol) headers.push(['Sec-WebSocket-Protocol', result.state.protocol]);
    const ok = bun.upgrade(request, { data: bunConnection(app, result, route.maxPayload), headers });
    if (!ok) {
      await finishRefused(app, result);
      return new globalThis.Response('WebSocket upgrade failed', { status: 400 });
    }
    return undefined;
  }
  let upgraded: ReturnType<NonNullable<typeof deno>['upgradeWebSocket']>;
  try {
    upgraded = (deno as NonNullable<typeof deno>).upgradeWebSocket(request, {
      ...(result.state.protocol ? { protocol: result.state.protocol } : {}),
      ...(route.idleTimeout > 0 ? { idleTimeout: route.idleTimeout } : {}),
    });
  } catch (e) {
    // Deno refuses what it cannot parse its way (a protocol list written `v1,v2` without the space): a
    // clean 400, logged once, and the route's teardown still runs
    app.logger.warn('Deno refused the WebSocket upgrade', e);
    await finishRefused(app, result);
    return new globalThis.Response('WebSocket upgrade failed', { status: 400 });
  }
  const { socket, response } = upgraded;
  socket.addEventListener(
    'open',
    () =>
      startSession(
        app,
        result,
        new WebStandardTransport(socket, route.maxPayload, result.state.protocol ?? ''),
      ),
    { once: true },
  );
  return response;
}
