/**
 * Bun's side of WebSocket routes: Bun calls these handlers (given to `Bun.serve` next to `app.fetch`) for
 * every socket; each socket's `data` bridges to its Phial `ServerWebSocket` (set up in `fetch.ts`).
 */

/** The part of Bun's `ServerWebSocket` Phial uses. */
export interface BunSocket {
  readonly data: BunConnection;
  readonly readyState: number;
  send(data: string | Uint8Array): number;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping?(): void;
  getBufferedAmount?(): number;
}

/** What each Bun connection carries in `ws.data`: the bridge to its Phial socket. */
export interface BunConnection {
  open(ws: BunSocket): void;
  message(data: string | Uint8Array): void;
  close(code: number, reason: string): void;
}

/**
 * The `websocket` handlers to give `Bun.serve` next to `app.fetch`:
 * `Bun.serve({ fetch: app.fetch, websocket: bunWebSocket })`.
 */
export const bunWebSocket = {
  open(ws: BunSocket): void {
    ws.data.open(ws);
  },
  message(ws: BunSocket, message: string | Uint8Array): void {
    ws.data.message(typeof message === 'string' ? message : new Uint8Array(message));
  },
  close(ws: BunSocket, code: number, reason: string): void {
    ws.data.close(code, reason);
  },
};
