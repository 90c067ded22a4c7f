/**
 * The debugger PIN (Werkzeug's `get_pin_and_cookie_name`): stable for one app on one machine for one user,
 * so restarts keep the browser's authentication, and not derivable from what a visitor can see. Werkzeug
 * hashes public bits (user, module, app name, file) with private ones (MAC address, machine id); Phial adds a
 * random secret kept in a file only the user can read, so knowing the machine id is not enough.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, networkInterfaces, tmpdir, userInfo } from 'node:os';
import path from 'node:path';

/** How long a PIN cookie stays valid (Werkzeug's PIN_TIME: a week), in seconds. */
export const PIN_TIME = 60 * 60 * 24 * 7;

/** The PIN, the name of its cookie, and the key that signs the cookie. */
export interface PinInfo {
  /** `123-456-789`, or null when `PHIAL_DEBUGGER_PIN=off` (no PIN: the console is open to trusted hosts). */
  pin: string | null;
  cookieName: string;
  /** Private key for the cookie's HMAC (never sent). */
  key: Buffer;
}

function readFirst(files: string[]): string {
  for (const f of files) {
    try {
      const v = readFileSync(f, 'utf8').trim();
      if (v) return v;
    } catch {
      // try the next one
    }
  }
  return '';
}

function macAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) if (!i.internal && i.mac && i.mac !== '00:00:00:00:00:00') return i.mac;
  }
  return '';
}

function username(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? '';
  }
}

/** The folder holding the private secret (`$XDG_CONFIG_HOME/phial`, else `~/.config/phial`). */
export function secretFile(): string {
  const base = process.env.XDG_CONFIG_HOME || path.join(homedir() || tmpdir(), '.config');
  return path.join(base, 'phial', 'debugger-secret');
}

let processSecret: string | null = null;

/** A random secret made once per user and kept in a 0600 file; per process when that file cannot be written. */
function privateSecret(file = secretFile()): string {
  try {
    const v = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(v)) return v;
  } catch {
    // not made yet
  }
  const fresh = randomBytes(32).toString('hex');
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${fresh}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return fresh;
  } catch {
    // another process made it first, or the folder is read-only
    try {
      const v = readFileSync(file, 'utf8').trim();
      if (/^[0-9a-f]{64}$/.test(v)) return v;
    } catch {
      // fall through
    }
  }
  processSecret ??= fresh;
  return processSecret;
}

/** Groups digits as Werkzeug does: 9 digits → `123-456-789`. */
export function formatPin(num: string): string {
  for (const size of [5, 4, 3]) {
    if (num.length % size === 0) {
      const parts: string[] = [];
      for (let i = 0; i < num.length; i += size) parts.push(num.slice(i, i + size));
      return parts.join('-');
    }
  }
  return num;
}

/**
 * The PIN for an app (`name` and `rootPath` identify it). `PHIAL_DEBUGGER_PIN` sets it (digits, dashes
 * allowed) or turns it off (`off`), like `WERKZEUG_DEBUG_PIN`.
 */
export function pinFor(appName: string, rootPath: string, secretPath?: string): PinInfo {
  const h = createHash('sha256');
  for (const bit of [
    username(),
    appName,
    rootPath,
    macAddress(),
    readFirst(['/etc/machine-id', '/proc/sys/kernel/random/boot_id']),
    privateSecret(secretPath),
  ]) {
    if (bit) h.update(bit).update('\0');
  }
  const base = h.copy().update('cookiesalt').digest();
  const cookieName = `__phd${base.toString('hex').slice(0, 20)}`;
  const key = h.copy().update('keysalt').digest();
  const env = process.env.PHIAL_DEBUGGER_PIN;
  if (env === 'off') return { pin: null, cookieName, key };
  if (env && /^[\d-]+$/.test(env) && /\d/.test(env)) {
    return { pin: env.includes('-') ? env : formatPin(env), cookieName, key };
  }
  const digits = BigInt(`0x${h.update('pinsalt').digest('hex')}`)
    .toString()
    .padStart(9, '0')
    .slice(0, 9);
  return { pin: formatPin(digits), cookieName, key };
}

function pinHash(info: PinInfo): string {
  return createHmac('sha256', info.key)
    .update(info.pin ?? '')
    .digest('base64url');
}

/** The cookie value proving the PIN was entered: `timestamp|hmac(pin)`. */
export function pinCookieValue(info: PinInfo, now = Date.now()): string {
  return `${Math.floor(now / 1000)}|${pinHash(info)}`;
}

/**
 * Werkzeug's `check_pin_trust`: true for a valid, unexpired cookie; null for a cookie made for another
 * PIN (counted as a failure); false otherwise.
 */
export function checkPinCookie(info: PinInfo, value: string | undefined, now = Date.now()): boolean | null {
  if (info.pin === null) return true;
  if (!value) return false;
  const bar = value.indexOf('|');
  if (bar === -1) return false;
  const ts = Number(value.slice(0, bar));
  if (!Number.isInteger(ts)) return false;
  const got = Buffer.from(value.slice(bar + 1));
  const want = Buffer.from(pinHash(info));
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
  return now / 1000 - PIN_TIME < ts;
}

/** True when `entered` is the PIN (dashes and spaces ignored). */
export function pinMatches(info: PinInfo, entered: string): boolean {
  if (info.pin === null) return true;
  const a = Buffer.from(entered.replace(/[\s-]/g, ''));
  const b = Buffer.from(info.pin.replace(/-/g, ''));
  return a.length === b.length && timingSafeEqual(a, b);
}
