/**
 * The app's open event streams and WebSockets. They never end by themselves, so a server shutting down
 * gracefully would wait for them until its timeout and then cut them: instead, closing a server made by
 * `app.listen()` (or `phial run` / `phial serve`) ends them at once, the way a client can resume: an event
 * stream ends cleanly (the browser's EventSource reconnects, to another worker or the restarted server)
 * and a WebSocket is closed with 1001 (going away).
 */
import type { Phial } from '../app/phial.js';

/** Something open that a shutting-down server asks to end. */
export interface LiveConnection {
  goAway(): void;
}

const registry = new WeakMap<Phial, Set<LiveConnection>>();

/** Registers `connection` under `app`; returns the function that unregisters it (once it closed). */
export function trackLive(app: Phial, connection: LiveConnection): () => void {
  let set = registry.get(app);
  if (set === undefined) {
    set = new Set();
    registry.set(app, set);
  }
  set.add(connection);
  const own = set;
  return () => {
    own.delete(connection);
  };
}

/**
 * Ends every open event stream of `app` and closes its WebSockets with 1001; returns how many there were.
 * Servers from `app.listen()` call it when they close; call it yourself before closing a server you made
 * around `app.handler`.
 */
export function closeRealtimeConnections(app: Phial): number {
  const set = registry.get(app);
  if (set === undefined || set.size === 0) return 0;
  const open = [...set];
  set.clear();
  for (const c of open) {
    try {
      c.goAway();
    } catch {
      // already closing
    }
  }
  return open.length;
}
