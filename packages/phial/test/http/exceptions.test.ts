import { describe, expect, it } from 'vitest';
import {
  BadRequest,
  exceptionForCode,
  HTTPException,
  InternalServerError,
  isHTTPException,
  MethodNotAllowed,
  NotFound,
  RangeNotSatisfiable,
  RequestedRangeNotSatisfiable,
  RequestRedirect,
  TooManyRequests,
  Unauthorized,
} from '../../src/http/exceptions.js';

describe('HTTP exceptions', () => {
  it('have Werkzeug codes, names and descriptions', () => {
    const cases: [number, string][] = [
      [400, 'Bad Request'],
      [401, 'Unauthorized'],
      [403, 'Forbidden'],
      [404, 'Not Found'],
      [405, 'Method Not Allowed'],
      [406, 'Not Acceptable'],
      [408, 'Request Timeout'],
      [409, 'Conflict'],
      [410, 'Gone'],
      [411, 'Length Required'],
      [412, 'Precondition Failed'],
      [413, 'Request Entity Too Large'],
      [414, 'Request URI Too Long'],
      [415, 'Unsupported Media Type'],
      [416, 'Requested Range Not Satisfiable'],
      [417, 'Expectation Failed'],
      [418, "I'm a teapot"],
      [421, 'Misdirected Request'],
      [422, 'Unprocessable Entity'],
      [423, 'Locked'],
      [424, 'Failed Dependency'],
      [428, 'Precondition Required'],
      [429, 'Too Many Requests'],
      [431, 'Request Header Fields Too Large'],
      [451, 'Unavailable For Legal Reasons'],
      [500, 'Internal Server Error'],
      [501, 'Not Implemented'],
      [502, 'Bad Gateway'],
      [503, 'Service Unavailable'],
      [504, 'Gateway Timeout'],
      [505, 'HTTP Version Not Supported'],
    ];
    for (const [code, name] of cases) {
      const cls = exceptionForCode(code);
      expect(cls, String(code)).toBeDefined();
      const e = new (cls as unknown as new () => HTTPException)();
      expect(e.code).toBe(code);
      expect(e.name).toBe(name);
      expect(e.description.length).toBeGreaterThan(10);
      expect(e).toBeInstanceOf(Error);
      expect(isHTTPException(e)).toBe(true);
    }
    expect(exceptionForCode(200)).toBeUndefined();
    expect(isHTTPException(new Error('x'))).toBe(false);
    expect(RequestedRangeNotSatisfiable).toBe(RangeNotSatisfiable);
  });

  it('subclasses for codes without their own class take the full reason-phrase table', () => {
    class PaymentRequired extends HTTPException {
      static override code = 402;
      static override description = 'Pay first.';
    }
    const e = new PaymentRequired();
    expect(e.code).toBe(402);
    expect(e.name).toBe('Payment Required');
    expect(e.message).toBe('402 Payment Required: Pay first.');
    expect(String(e)).toBe('402 Payment Required: Pay first.');
    expect(e.getResponse().text).toContain('<title>402 Payment Required</title>');
    const named: [number, string][] = [
      [407, 'Proxy Authentication Required'],
      [425, 'Too Early'],
      [426, 'Upgrade Required'],
      [507, 'Insufficient Storage'],
      [511, 'Network Authentication Failed'],
    ];
    for (const [code, name] of named) {
      const cls = class extends HTTPException {
        static override code = code;
      };
      expect(new cls().name, String(code)).toBe(name);
    }
    // A code no table knows keeps Werkzeug's fallback.
    class Odd extends HTTPException {
      static override code = 499;
    }
    expect(new Odd().name).toBe('Unknown Error');
  });

  it('render a short escaped HTML page', () => {
    const e = new NotFound('No <such> page');
    const res = e.getResponse();
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.text).toBe(
      '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>No &lt;such&gt; page</p>\n',
    );
    expect(new BadRequest().description).toBe(
      'The browser (or proxy) sent a request that this server could not understand.',
    );
    expect(String(new NotFound('x'))).toBe('404 Not Found: x');
  });

  it('MethodNotAllowed sets Allow; RequestRedirect sets Location; others their headers', () => {
    const m = new MethodNotAllowed(['GET', 'POST']);
    expect(m.validMethods).toEqual(['GET', 'POST']);
    expect(m.getResponse().headers.get('allow')).toBe('GET, POST');
    const r = new RequestRedirect('http://localhost/a/');
    expect(r.code).toBe(308);
    const rr = r.getResponse();
    expect(rr.status).toBe(308);
    expect(rr.headers.get('location')).toBe('http://localhost/a/');
    expect(new RangeNotSatisfiable(100).getResponse().headers.get('content-range')).toBe('bytes */100');
    expect(new TooManyRequests(null, undefined, 30).getResponse().headers.get('retry-after')).toBe('30');
    expect(
      new Unauthorized(null, undefined, 'Basic realm="x"').getResponse().headers.get('www-authenticate'),
    ).toBe('Basic realm="x"');
    const boom = new Error('b');
    expect(new InternalServerError(null, undefined, boom).originalException).toBe(boom);
  });
});
