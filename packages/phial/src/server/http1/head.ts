/**
 * Pieces of a response head that are computed once: status lines by code, the `Date` line per second,
 * and the short answers to malformed requests.
 */
import { STATUS_CODES } from 'node:http';
import { wireReason } from '../../http/wire.js';

const statusLines: (string | undefined)[] = [];

/** `HTTP/1.1 200 OK\r\n` (cached per code; a custom reason phrase is cleaned and not cached). */
export function statusLine(status: number, text: string | undefined): string {
  if (text !== undefined) return `HTTP/1.1 ${status} ${wireReason(status, text)}\r\n`;
  let line = statusLines[status];
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${wireReason(status, undefined)}\r\n`;
    statusLines[status] = line;
  }
  return line;
}

let dateLine: string | null = null;

function clearDate(): void {
  dateLine = null;
}

/** `Date: ...\r\n`, computed once a second (like node: a cache cleared by one timer at the next second). */
export function dateHeader(): string {
  if (dateLine === null) {
    const now = Date.now();
    dateLine = `Date: ${new Date(now).toUTCString()}\r\n`;
    setTimeout(clearDate, 1000 - (now % 1000)).unref();
  }
  return dateLine;
}

const errorHeads = new Map<number, string>();

/** The whole answer to a request refused before the app saw it (always closes the connection). */
export function errorResponse(status: number): string {
  let r = errorHeads.get(status);
  if (r === undefined) {
    const text = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
    const body = `${text}\n`;
    r = `HTTP/1.1 ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
    errorHeads.set(status, r);
  }
  return r;
}
