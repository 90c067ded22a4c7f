/**
 * Access log lines in three formats: Werkzeug's (`phial run`'s, the default), Apache/gunicorn's `combined`,
 * and one JSON object per line for log shippers, with the request ID the app saw (`request.id`), the bytes
 * sent and the time taken, named as nginx names them.
 */
import type { Phial } from '../app/phial.js';
import { clientAddress } from '../http/request.js';
import { type RequestIdSource, requestIdOf } from '../http/request-id.js';
import type { AccessEntry } from './http1/state.js';

/** The formats `phial serve --access-log-format` offers. */
export type AccessLogFormat = 'text' | 'combined' | 'json';

/** The formats, for validating a user's choice. */
export const ACCESS_LOG_FORMATS: readonly AccessLogFormat[] = ['text', 'combined', 'json'];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** Werkzeug's log date: `24/Nov/2026 06:40:00` (local time). */
export function logDate(d: Date = new Date()): string {
  return `${p2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

/** The common log format's date: `[24/Nov/2026:06:40:00 +0000]` (local time with its offset). */
function clfDate(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `[${p2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${sign}${p2(Math.floor(a / 60))}${p2(a % 60)}]`;
}

/** What a server knows of a finished exchange; `accessEntry` adds what the app's config decides. */
export type AccessFacts = Omit<AccessEntry, 'remoteAddress' | 'headers' | 'requestId'>;

/**
 * The entry every server gives its access log: `facts`, plus the client address (the one `PROXY_FIX` trusts,
 * else `peer`), the request's headers, and its ID, made only when a format reads it (the same as `request.id`).
 */
export function accessEntry(
  app: Phial,
  raw: RequestIdSource,
  peer: string | undefined,
  facts: AccessFacts,
): AccessEntry {
  return {
    ...facts,
    remoteAddress: clientAddress(raw, peer, app.config.PROXY_FIX),
    headers: raw.headers,
    get requestId() {
      return requestIdOf(raw, app.config.REQUEST_ID_HEADER);
    },
  };
}

/** What an access line needs of a finished request (either server's `AccessEntry` has it). */
export interface AccessLineEntry {
  method: string;
  url: string;
  httpVersion: string;
  remoteAddress: string | undefined;
  status: number;
}

/** A client-sent value inside a quoted log field: control characters and `"` as `\xNN` (no forged lines). */
function quoted(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
  return value.replace(/[\x00-\x1f\x7f"\\]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** One access line: `127.0.0.1 - - [24/Nov/2026 06:40:00] "GET / HTTP/1.1" 200 -`. */
export function accessLine(entry: AccessLineEntry, date = new Date()): string {
  const addr = entry.remoteAddress ?? '-';
  return `${addr} - - [${logDate(date)}] "${entry.method} ${quoted(entry.url)} HTTP/${entry.httpVersion}" ${entry.status} -`;
}

function header(entry: AccessEntry, name: string): string | undefined {
  const v = entry.headers?.[name];
  return v === undefined ? undefined : typeof v === 'string' ? v : v.join(', ');
}

/** The body's bytes (what CLF's `%b` counts), or undefined when unknown. */
function bodyBytes(entry: AccessEntry): number | undefined {
  if (entry.bytesSent === undefined) return undefined;
  return entry.headBytes === undefined ? entry.bytesSent : Math.max(0, entry.bytesSent - entry.headBytes);
}

/**
 * Apache's and gunicorn's `combined` format: `127.0.0.1 - - [24/Nov/2026:06:40:00 +0000] "GET / HTTP/1.1" 200
 * 1234 "https://ref/" "curl/8.5"`; the size is the body's bytes (`-` when none).
 */
export function combinedLine(entry: AccessEntry, date = new Date()): string {
  const addr = entry.remoteAddress ?? '-';
  const body = bodyBytes(entry);
  const referer = header(entry, 'referer');
  const agent = header(entry, 'user-agent');
  return `${addr} - - ${clfDate(date)} "${entry.method} ${quoted(entry.url)} HTTP/${entry.httpVersion}" ${entry.status} ${body ? body : '-'} "${referer === undefined ? '-' : quoted(referer)}" "${agent === undefined ? '-' : quoted(agent)}"`;
}

/**
 * One JSON object: `time` (ISO 8601, UTC), `remote_addr`, `method`, `path` (as requested, query included),
 * `protocol`, `status`, `bytes_sent` (head included), `body_bytes_sent`, `duration_ms` (from the request's
 * head being read to the response's last byte handed to the socket), `referer`, `user_agent`, `request_id`
 * (the same as `request.id`). Unknown values are null.
 */
export function jsonLine(entry: AccessEntry, date = new Date()): string {
  return JSON.stringify({
    time: date.toISOString(),
    remote_addr: entry.remoteAddress ?? null,
    method: entry.method,
    path: entry.url,
    protocol: `HTTP/${entry.httpVersion}`,
    status: entry.status,
    bytes_sent: entry.bytesSent ?? null,
    body_bytes_sent: bodyBytes(entry) ?? null,
    duration_ms: entry.durationMs === undefined ? null : Math.round(entry.durationMs * 1000) / 1000,
    referer: header(entry, 'referer') ?? null,
    user_agent: header(entry, 'user-agent') ?? null,
    request_id: entry.requestId ?? null,
  });
}

/** The line writer for a format. */
export function accessLogFormatter(format: AccessLogFormat = 'text'): (entry: AccessEntry) => string {
  switch (format) {
    case 'combined':
      return (e) => combinedLine(e);
    case 'json':
      return (e) => jsonLine(e);
    case 'text':
      return (e) => accessLine(e);
    default:
      throw new TypeError(
        `Unknown access log format '${String(format)}': use ${ACCESS_LOG_FORMATS.map((f) => `'${f}'`).join(', ')}.`,
      );
  }
}
