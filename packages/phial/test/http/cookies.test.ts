import { describe, expect, it } from 'vitest';
import { cookieDomain, cookiePath, parseCookies, serializeCookie } from '../../src/http/cookies.js';

describe('cookie serialization', () => {
  it('keeps ordinary paths and encodes the rest like Werkzeug', () => {
    for (const p of ['/', '/a/b', '/a-b_c.d~e', '/%7Euser', "/x!$&'()*+,:=@y"]) expect(cookiePath(p)).toBe(p);
    expect(cookiePath('/é')).toBe('/%C3%A9');
    expect(cookiePath('/a b')).toBe('/a%20b');
    expect(cookiePath('/p\r\nX: 1')).toBe('/p%0D%0AX:%201');
    expect(cookiePath('/p; Domain=evil')).toBe('/p%3B%20Domain=evil');
    expect(cookiePath('/a\u0000b')).toBe('/a%00b');
  });

  it('cuts a domain at a control character, drops a port, IDNA-encodes, else omits it', () => {
    expect(cookieDomain('example.com')).toBe('example.com');
    // Werkzeug drops leading dots and allows underscores (Flask sends `Domain=my_host.local`)
    expect(cookieDomain('.Example.COM')).toBe('Example.COM');
    expect(cookieDomain('example.com:8080')).toBe('example.com');
    expect(cookieDomain('exämple.com')).toBe('xn--exmple-cua.com');
    expect(cookieDomain('example.com\r\nInjected: yes')).toBe('example.com');
    expect(cookieDomain('example.com; Secure')).toBe('example.com');
    expect(cookieDomain('\r\nexample.com')).toBeUndefined();
    expect(cookieDomain('ex_ample.com')).toBe('ex_ample.com');
    expect(cookieDomain('ex ample.com')).toBe('ex');
    expect(cookieDomain('a..b')).toBeUndefined();
    expect(cookieDomain('')).toBeUndefined();
  });

  it('serializeCookie never throws for user text in value, path or domain', () => {
    expect(serializeCookie('c', 'v\r\nX: 1')).toBe('c=v%0D%0AX%3A%201; Path=/');
    expect(serializeCookie('c', 'v', { path: '/é\r\n' })).toBe('c=v; Path=/%C3%A9%0D%0A');
    expect(serializeCookie('c', 'v', { domain: 'example.com\nX: 1' })).toBe(
      'c=v; Domain=example.com; Path=/',
    );
    expect(serializeCookie('c', 'v', { domain: '\n' })).toBe('c=v; Path=/');
    expect(serializeCookie('c', 'v', { path: null })).toBe('c=v');
    for (const header of [
      serializeCookie('c', '\u0000\r\n;,', { path: '/\r\n', domain: 'a.b\r\n' }),
      serializeCookie('c', 'x', { path: '/"\\<>' }),
    ])
      expect(header).not.toMatch(/[\r\n\0]/);
  });

  it('a name that is not a cookie token is a clear TypeError (a developer mistake)', () => {
    expect(() => serializeCookie('bad name\r\n', 'v')).toThrow(TypeError);
  });

  it('parses and percent-decodes request cookies', () => {
    expect(parseCookies('a=1; b=x%0D%0Ay; c=%E2%98%83')).toEqual({ a: '1', b: 'x\r\ny', c: '☃' });
    expect(parseCookies(null)).toEqual({});
  });
});
