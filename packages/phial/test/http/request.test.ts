import { describe, expect, it } from 'vitest';
import { Request } from '../../src/app/request.js';
import { decodePath, parseAuthorization, type RawRequest } from '../../src/http/request.js';
import { Phial } from '../../src/index.js';

function raw(url: string, headers: Record<string, string> = {}, method = 'GET'): RawRequest {
  return {
    method,
    url,
    headers: { host: 'example.com', ...headers },
    socket: { remoteAddress: '10.0.0.1', encrypted: false },
    async *[Symbol.asyncIterator]() {},
  };
}

describe('Request', () => {
  it('exposes URL parts like Werkzeug', () => {
    const r = new Request(raw('/a%20b/c?x=1&x=2&y=%C3%A9'));
    expect(r.method).toBe('GET');
    expect(r.path).toBe('/a b/c');
    expect(r.queryString).toBe('x=1&x=2&y=%C3%A9');
    expect(r.fullPath).toBe('/a b/c?x=1&x=2&y=%C3%A9');
    expect(r.host).toBe('example.com');
    expect(r.scheme).toBe('http');
    expect(r.isSecure).toBe(false);
    expect(r.url).toBe('http://example.com/a%20b/c?x=1&x=2&y=%C3%A9');
    expect(r.baseUrl).toBe('http://example.com/a%20b/c');
    expect(r.hostUrl).toBe('http://example.com/');
    expect(r.urlRoot).toBe('http://example.com/');
    expect(r.remoteAddr).toBe('10.0.0.1');
    expect(r.args.getAll('x')).toEqual(['1', '2']);
    expect(r.args.get('y')).toBe('é');
    expect(new Request(raw('/p')).fullPath).toBe('/p?');
  });

  it('decodes broken percent escapes without throwing', () => {
    expect(decodePath('/%E0%A4%A')).toContain('/');
    expect(decodePath('/100%')).toBe('/100%');
    expect(decodePath('/%zz')).toBe('/%zz');
    expect(new Request(raw('/%ff')).path).toBe('/\ufffd');
  });

  it('headers, cookies, mimetype, content length, accept, user agent, authorization', () => {
    const r = new Request(
      raw('/', {
        'content-type': 'Application/JSON; charset=utf-8',
        'content-length': '12',
        cookie: 'a=1; b=hello%20world',
        accept: 'text/html;q=0.5, application/json',
        'user-agent': 'tester/1.0',
        authorization: `Basic ${Buffer.from('ann:s3:cret').toString('base64')}`,
      }),
    );
    expect(r.headers.get('Content-Type')).toBe('Application/JSON; charset=utf-8');
    expect(r.headers.has('COOKIE')).toBe(true);
    expect(r.mimetype).toBe('application/json');
    expect(r.mimetypeParams).toEqual({ charset: 'utf-8' });
    expect(r.isJson).toBe(true);
    expect(r.contentLength).toBe(12);
    expect(r.cookies).toEqual({ a: '1', b: 'hello world' });
    expect(r.accept.bestMatch(['text/html', 'application/json'])).toBe('application/json');
    expect(r.userAgent).toBe('tester/1.0');
    expect(r.authorization).toMatchObject({ type: 'basic', username: 'ann', password: 's3:cret' });
    expect(parseAuthorization('Bearer abc.def')).toMatchObject({ type: 'bearer', token: 'abc.def' });
    expect(parseAuthorization('')).toBeNull();
    expect(new Request(raw('/', { 'content-length': 'abc' })).contentLength).toBeNull();
  });

  it('json: 415 when not JSON, 400 when malformed, getJson force/silent', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.post('/j', (req) => ({ v: req.json }));
    app.post('/force', (req) => ({ v: req.getJson({ force: true }) }));
    app.post('/silent', (req) => ({ v: req.getJson({ silent: true }) }));
    const c = app.testClient();
    expect((await c.post('/j', { data: '{"a":1}', contentType: 'text/plain' })).status).toBe(415);
    const bad = await c.post('/j', { data: '{"a":', contentType: 'application/json' });
    expect(bad.status).toBe(400);
    expect((await c.post('/j', { data: '{"a":1}', contentType: 'application/vnd.api+json' })).json).toEqual({
      v: { a: 1 },
    });
    expect((await c.post('/force', { data: '[1]', contentType: 'text/plain' })).json).toEqual({ v: [1] });
    expect((await c.post('/silent', { data: 'nope', contentType: 'application/json' })).json).toEqual({
      v: null,
    });
    expect((await c.post('/silent', { data: '{}', contentType: 'text/plain' })).json).toEqual({ v: null });
  });

  it('values combine args and form; data keeps raw bytes', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.post('/v', (req) => ({ values: req.values.toObject({ flat: false }), data: req.getData(true) }));
    const r = await app.testClient().post('/v?a=1', { form: { a: '2', b: '3' } });
    expect(r.json).toEqual({ values: { a: ['1', '2'], b: ['3'] }, data: 'a=2&b=3' });
  });

  it('session on a request without context is an error', () => {
    expect(() => new Request(raw('/')).session).toThrow(/outside of request context/);
  });
});
