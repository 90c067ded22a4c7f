/**
 * The wire rules as a table (http/wire.ts): the one decision every adapter takes for a response's body
 * and Content-Length. The matrix checks the same rules end to end through every adapter.
 */
import { describe, expect, it } from 'vitest';
import {
  fixedBodyLength,
  isNullBodyStatus,
  parseContentLength,
  sendsBody,
  wireContentLength,
  wireReason,
} from '../../src/http/wire.js';

describe('wire rules', () => {
  it('no content for HEAD, 1xx, 204, 205 and 304', () => {
    for (const s of [100, 101, 103, 204, 205, 304]) {
      expect(isNullBodyStatus(s)).toBe(true);
      expect(sendsBody(s, 'GET')).toBe(false);
    }
    for (const s of [200, 201, 206, 301, 400, 404, 500, 599, 999]) {
      expect(isNullBodyStatus(s)).toBe(false);
      expect(sendsBody(s, 'GET')).toBe(true);
      expect(sendsBody(s, 'HEAD')).toBe(false);
    }
  });

  // [status, method, body length (-1: stream), the app's length (-1: none), on the wire (-1: none)]
  const table: [number, string, number, number, number][] = [
    [200, 'GET', 5, -1, 5],
    [200, 'GET', 11, 3, 11], // a wrong length from the app: the body's
    [200, 'GET', -1, -1, -1], // a stream: chunked
    [200, 'GET', -1, 10, 10], // a stream with a declared length
    [200, 'HEAD', 5, -1, 5], // HEAD: what GET would send
    [200, 'HEAD', 0, 1400, 1400], // HEAD of sendFile: the file's length
    [200, 'HEAD', -1, -1, -1],
    [204, 'GET', 9, 9, -1], // never on 204
    [101, 'GET', 0, -1, -1],
    [205, 'GET', 9, -1, 0], // 205: always 0
    [205, 'GET', -1, 20, 0],
    [304, 'GET', 9, -1, -1], // 304: the app's, never the (unsent) body's
    [304, 'GET', 0, 16, 16],
    [304, 'HEAD', 0, 16, 16],
  ];
  it.each(table)('%i %s, body %i, app %i → %i', (status, method, body, app, wire) => {
    expect(wireContentLength(status, method, body, app)).toBe(wire);
  });

  it("reads the app's Content-Length only when it is a plain decimal", () => {
    expect(parseContentLength('42')).toBe(42);
    expect(parseContentLength(' 7 ')).toBe(7);
    expect(parseContentLength(null)).toBe(-1);
    for (const bad of ['', '-1', '1e3', '0x10', '1,2', '12abc', '1234567890123456']) {
      expect(parseContentLength(bad)).toBe(-1);
    }
  });

  it('measures string, bytes and null bodies in bytes; a stream has no length', () => {
    expect(fixedBodyLength('héllo')).toBe(6);
    expect(fixedBodyLength(new Uint8Array(3))).toBe(3);
    expect(fixedBodyLength(null)).toBe(0);
    expect(fixedBodyLength(new ReadableStream())).toBe(-1);
  });

  it('reason phrases: the standard one, UNKNOWN, or the app’s made safe', () => {
    expect(wireReason(404, undefined)).toBe('Not Found');
    expect(wireReason(599, undefined)).toBe('UNKNOWN');
    expect(wireReason(200, 'Fine\r\nX-Evil: 1')).toBe('Fine X-Evil: 1');
    expect(wireReason(200, 'Ünïcode €')).toBe(Buffer.from('Ünïcode €', 'utf8').toString('latin1'));
  });
});
