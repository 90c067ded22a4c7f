/**
 * The wire rules: what a response looks like on the wire, decided here once for every adapter (Phial's
 * HTTP/1.1 server, node:http, `app.fetch` and the test client), so that one app answers the same way
 * whichever of them serves it (RFC 9110 §6.4.1, §8.6, §15; RFC 9112 §6).
 *
 * - No content follows the head of a 1xx, 204, 205 or 304 response, nor of any answer to HEAD.
 * - `Content-Length`: never on 1xx/204; always `0` on 205; the app's own value (if any) on 304 and HEAD
 *   (it describes the representation a GET would get; a HEAD of a string/bytes body gets that body's
 *   length, like node); the real byte length for a string/bytes body (a wrong value from the app would
 *   desynchronize a keep-alive connection); the app's value, else none, for a stream.
 * - A stream without a length is chunked (HTTP/1.1) or ends with the connection (HTTP/1.0).
 *   `Transfer-Encoding` is the server's to set: an app's own is never sent.
 * - Header values and reason phrases are written as latin1 bytes, with no control characters (CR/LF
 *   cannot split a head); characters above U+00FF are sent as their UTF-8 bytes (`safeHeaderValue`).
 * - The reason phrase is the app's (cleaned) or the standard one, `UNKNOWN` for unknown codes (Werkzeug).
 */
import { STATUS_CODES } from 'node:http';
import type { ResponseBody } from './response.js';
import { safeHeaderValue } from './security.js';

/** True for the statuses whose responses never carry content: 1xx, 204, 205 and 304. */
export function isNullBodyStatus(status: number): boolean {
  return status < 200 || status === 204 || status === 205 || status === 304;
}

/** True when content follows the head: never for HEAD, nor for a null-body status. */
export function sendsBody(status: number, method: string): boolean {
  return !(status < 200 || status === 204 || status === 205 || status === 304) && method !== 'HEAD';
}

/** The byte length of a string/bytes/null body, or -1 for a stream. */
export function fixedBodyLength(body: ResponseBody): number {
  if (body === null) return 0;
  if (typeof body === 'string') return body.length === 0 ? 0 : Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return -1;
}

const DIGITS = /^\d{1,15}$/;

/** The app's `Content-Length` value as a number, or -1 when absent or not a plain decimal. */
export function parseContentLength(value: string | null | undefined): number {
  if (value === null || value === undefined) return -1;
  const v = value.trim();
  return DIGITS.test(v) ? Number(v) : -1;
}

/**
 * The `Content-Length` a response carries on the wire, or -1 for none. `bodyLength` is the byte length
 * of a string/bytes body (-1 for a stream), `appLength` the app's own header value (-1 when none). Every
 * adapter writes this value in place of the app's header.
 */
export function wireContentLength(
  status: number,
  method: string,
  bodyLength: number,
  appLength: number,
): number {
  if (status < 200 || status === 204) return -1;
  if (status === 205) return 0;
  if (status === 304) return appLength;
  if (method === 'HEAD') return appLength >= 0 ? appLength : bodyLength;
  if (bodyLength >= 0) return bodyLength;
  return appLength;
}

/** The reason phrase of a status line: the app's own (made safe) or the standard one (`UNKNOWN` if none). */
export function wireReason(status: number, statusText: string | undefined): string {
  if (statusText !== undefined) return safeHeaderValue(statusText);
  return STATUS_CODES[status] ?? 'UNKNOWN';
}

/** A header value as it goes on the wire (latin1 bytes, no control characters). */
export const wireHeaderValue: (value: string) => string = safeHeaderValue;
