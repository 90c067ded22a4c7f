/**
 * Which `Host` may reach the debugger (Werkzeug 3.0.3's answer to DNS rebinding): a page on an attacker's
 * domain that rebinds its name to 127.0.0.1 sends its own name as `Host`, so only loopback addresses,
 * `localhost`, `*.localhost` and the app's `TRUSTED_HOSTS` are let in.
 */
import { isIP } from 'node:net';
import { hostIsTrusted } from '../app/phial.js';

/** The host name of a `Host` value, lower-cased, without port or IPv6 brackets; null when malformed. */
export function hostName(host: string | undefined): string | null {
  if (!host) return null;
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end === -1) return null;
    const rest = h.slice(end + 1);
    if (rest !== '' && !/^:\d+$/.test(rest)) return null;
    return h.slice(1, end);
  }
  const colon = h.indexOf(':');
  if (colon !== -1) {
    if (!/^\d+$/.test(h.slice(colon + 1))) return null;
    h = h.slice(0, colon);
  }
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h === '' || !/^[a-z0-9.-]+$/.test(h)) return null;
  return h;
}

/** True for loopback addresses (127.0.0.0/8, ::1, ::ffff:127.x.x.x). */
export function isLoopback(name: string): boolean {
  const kind = isIP(name);
  if (kind === 4) return name.startsWith('127.');
  if (kind === 6)
    return name === '::1' || /^::ffff:127\./.test(name) || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(name);
  return false;
}

/** True when a request with this `Host` may use the debugger. */
export function debuggerHostTrusted(
  host: string | undefined,
  trusted: readonly string[] | null | undefined,
): boolean {
  const name = hostName(host);
  if (name === null) return false;
  if (name === 'localhost' || name.endsWith('.localhost') || isLoopback(name)) return true;
  return trusted ? hostIsTrusted(host as string, trusted) : false;
}
