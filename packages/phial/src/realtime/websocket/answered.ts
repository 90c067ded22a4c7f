/**
 * How an upgrade request's answer reaches the access log: the server registers a callback for the request,
 * the upgrade code calls it with the status it answered (101 once the handshake is done, or the refusal's).
 */
import type { IncomingMessage } from 'node:http';

const listeners = new WeakMap<IncomingMessage, (status: number) => void>();

/** Calls `fn` once with the status the upgrade of `req` was answered with. */
export function onUpgradeAnswered(req: IncomingMessage, fn: (status: number) => void): void {
  listeners.set(req, fn);
}

/** The upgrade of `req` was answered with `status`. */
export function upgradeAnswered(req: IncomingMessage, status: number): void {
  const fn = listeners.get(req);
  if (fn === undefined) return;
  listeners.delete(req);
  try {
    fn(status);
  } catch {
    // a logger must not break the connection
  }
}
