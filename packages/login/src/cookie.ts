/**
 * The remember-me cookie: `user id | expiry | HMAC-SHA512(secret, "id|expiry")`. Signed with the app's
 * secret (any of `SECRET_KEY_FALLBACKS` verifies, so keys can rotate) and carrying its own expiry, so a
 * copied cookie stops working when it expires even if a browser keeps it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

type Key = string | Uint8Array;

function digest(payload: string, key: Key): string {
  return createHmac('sha512', key).update(payload, 'utf8').digest('hex');
}

/** A cookie value for `userId`, valid until `expires` (seconds since the epoch). */
export function encodeRememberCookie(userId: string, expires: number, key: Key): string {
  const payload = `${userId}|${Math.floor(expires)}`;
  return `${payload}|${digest(payload, key)}`;
}

/** The user id of a valid, unexpired cookie, else null (missing, malformed, tampered or expired). */
export function decodeRememberCookie(
  value: string,
  keys: readonly Key[],
  now = Date.now() / 1000,
): string | null {
  const last = value.lastIndexOf('|');
  const mid = last <= 0 ? -1 : value.lastIndexOf('|', last - 1);
  if (mid <= 0) return null;
  const payload = value.slice(0, last);
  const given = Buffer.from(value.slice(last + 1), 'utf8');
  const expires = Number(value.slice(mid + 1, last));
  if (!Number.isFinite(expires) || expires < now) return null;
  for (const key of keys) {
    const expected = Buffer.from(digest(payload, key), 'utf8');
    if (expected.length === given.length && timingSafeEqual(expected, given)) return value.slice(0, mid);
  }
  return null;
}
