import { describe, expect, it } from 'vitest';
import { parseCookies, serializeCookie } from '../../src/http/cookies.js';
import { Response } from '../../src/http/response.js';
import { safeLocation } from '../../src/http/security.js';

describe('Response', () => {
  it('defaults to text/html; charset=utf-8 and 200', () => {
    const r = new Response('hi');
    expect(r.status).toBe(200);
    expect(r.statusText).toBe('OK');
    expect(r.contentType).toBe('text/html; charset=utf-8');
    expect(r.mimetype).toBe('text/html');
    expect(r.text).toBe('hi');
    expect(Array.from(r.data)).toEqual([104, 105]);
    expect(r.contentLength).toBe(2);
  });

  it('mimetype adds a charset for text types, contentType is taken as is', () => {
    expect(new Response('', { mimetype: 'text/plain' }).contentType).toBe('text/plain; charset=utf-8');
    expect(new Response('', { mimetype: 'application/json' }).contentType).toBe('application/json');
    expect(new Response('', { contentType: 'text/csv' }).contentType).toBe('text/csv');
    const r = new Response('{"a":1}', { mimetype: 'application/json', status: 201 });
    expect(r.json).toEqual({ a: 1 });
    expect(r.statusText).toBe('Created');
    expect(() => {
      r.status = 42;
    }).toThrow(TypeError);
  });

  it('setCookie and deleteCookie write Set-Cookie headers', () => {
    const r = new Response('');
    r.setCookie('a', 'x y', {
      maxAge: 60,
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
      domain: 'example.com',
    });
    r.deleteCookie('b', { path: '/p' });
    const [a, b] = r.headers.getSetCookie();
    expect(a).toMatch(
      /^a=x%20y; Max-Age=60; Domain=example.com; Path=\/; Expires=.+ GMT; HttpOnly; Secure; SameSite=Lax$/,
    );
    expect(b).toMatch(/^b=; Max-Age=0; Path=\/p; Expires=Thu, 01 Jan 1970 00:00:00 GMT$/);
  });

  it('location is made safe', () => {
    const r = new Response('');
    r.location = '/a b\r\nX: y';
    expect(r.location).toBe('/a%20b%0D%0AX:%20y');
    expect(safeLocation('/ünï?q=1#f')).toBe('/%C3%BCn%C3%AF?q=1#f');
  });

  it('buffers streamed bodies', async () => {
    const r = new Response(
      (async function* () {
        yield 'a';
        yield new Uint8Array([98]);
      })(),
    );
    expect(r.isStreamed).toBe(true);
    expect(() => r.data).toThrow(/stream/);
    expect(new TextDecoder().decode(await r.buffer())).toBe('ab');
    expect(r.text).toBe('ab');
  });
});

describe('cookies', () => {
  it('serialize with Path=/ by default and parse percent-decoded', () => {
    expect(serializeCookie('n', 'v')).toBe('n=v; Path=/');
    expect(serializeCookie('n', 'v', { path: null })).toBe('n=v');
    expect(parseCookies('a=1; b=%E2%9C%93; c="q"')).toEqual({ a: '1', b: '✓', c: 'q' }); // unquoted, as Werkzeug does
    expect(parseCookies(undefined)).toEqual({});
  });
});
