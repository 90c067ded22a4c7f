import { describe, expect, it } from 'vitest';
import { NotFound, RequestRedirect } from '../../../src/http/exceptions.js';
import { catchError, makeMap } from './helpers.js';

describe('host matching', () => {
  const m = makeMap(
    [
      ['/', { endpoint: 'index', host: 'www.<domain>' }],
      ['/', { endpoint: 'files', host: 'files.<domain>' }],
      ['/foo/', { endpoint: 'x', host: 'www.<domain>', defaults: { page: 1 } }],
      ['/<int:page>', { endpoint: 'x', host: 'files.<domain>' }],
    ],
    { hostMatching: true },
  );

  it('matches the host pattern and passes its values', () => {
    const a = m.bind({ host: 'www.example.com' });
    expect(a.match('/', 'GET')).toMatchObject({
      rule: { endpoint: 'index' },
      params: { domain: 'example.com' },
    });
    expect(a.match('/foo/', 'GET').params).toEqual({ domain: 'example.com', page: 1 });
    const f = m.bind({ host: 'files.example.com' });
    expect(f.match('/', 'GET').rule.endpoint).toBe('files');
    expect(f.match('/2', 'GET').params).toEqual({ domain: 'example.com', page: 2 });
  });

  it('redirects on the same host, and to another host for canonical defaults', () => {
    const a = m.bind({ host: 'www.example.com' });
    expect(catchError(() => a.match('/foo', 'GET'), RequestRedirect).newUrl).toBe(
      'http://www.example.com/foo/',
    );
    const f = m.bind({ host: 'files.example.com' });
    expect(catchError(() => f.match('/1', 'GET'), RequestRedirect).newUrl).toBe(
      'http://www.example.com/foo/',
    );
  });

  it('does not match unknown hosts; host case does not matter', () => {
    catchError(() => m.bind({ host: 'ftp.example.com' }).match('/', 'GET'), NotFound);
    expect(m.bind({ host: 'WWW.Example.COM' }).match('/', 'GET').params).toEqual({ domain: 'example.com' });
  });

  it('builds relative URLs on the current host and absolute ones for other hosts', () => {
    const s = makeMap(
      [
        ['/', { endpoint: 'index', host: 'www.domain.com' }],
        ['/', { endpoint: 'foo', host: 'my.domain.com' }],
      ],
      { hostMatching: true },
    );
    const www = s.bind({ host: 'www.domain.com' });
    expect(www.match('/', 'GET').rule.endpoint).toBe('index');
    expect(www.build('index')).toBe('/');
    expect(www.build('foo')).toBe('http://my.domain.com/');
    const my = s.bind({ host: 'my.domain.com' });
    expect(my.match('/', 'GET').rule.endpoint).toBe('foo');
    expect(my.build('foo')).toBe('/');
    expect(my.build('index')).toBe('http://www.domain.com/');
  });

  it('builds host values through converters, preferring the current host', () => {
    const a = m.bind({ host: 'www.example.com' });
    expect(a.build('index', { domain: 'example.com' })).toBe('/');
    expect(a.build('index', { domain: 'example.org' })).toBe('http://www.example.org/');
    expect(a.build('files', { domain: 'example.com' })).toBe('http://files.example.com/');
  });

  it('keeps static and dynamic host rules apart', () => {
    const s = makeMap(
      [
        ['/x', { endpoint: 'fixed', host: 'a.test' }],
        ['/x', { endpoint: 'any', host: '<sub>.b.test' }],
      ],
      { hostMatching: true },
    );
    expect(s.bind({ host: 'a.test' }).match('/x', 'GET').rule.endpoint).toBe('fixed');
    expect(s.bind({ host: 'q.b.test' }).match('/x', 'GET')).toMatchObject({
      rule: { endpoint: 'any' },
      params: { sub: 'q' },
    });
    catchError(() => s.bind({ host: 'c.test' }).match('/x', 'GET'), NotFound);
  });
});

describe('subdomains', () => {
  it('routes on the bound subdomain; rules without one use the default subdomain', () => {
    const m = makeMap([
      ['/', { endpoint: 'index' }],
      ['/', { endpoint: 'alt', subdomain: 'alt' }],
    ]);
    expect(
      m.bind({ host: 'example.invalid', serverName: 'example.invalid' }).match('/', 'GET').rule.endpoint,
    ).toBe('index');
    expect(
      m.bind({ host: 'alt.example.invalid', serverName: 'example.invalid' }).match('/', 'GET').rule.endpoint,
    ).toBe('alt');
    expect(m.bind({ host: 'x', subdomain: 'alt' }).match('/', 'GET').rule.endpoint).toBe('alt');
  });

  it('reads the subdomain relative to SERVER_NAME, case-insensitively, ignoring default ports', () => {
    const m = makeMap([['/', { endpoint: 'index', subdomain: 'foo' }]]);
    const a = m.bind({ host: 'FOO.EXAMPLE.COM', serverName: 'example.com' });
    expect(a.subdomain).toBe('foo');
    expect(a.match('/', 'GET').rule.endpoint).toBe('index');
    expect(m.bind({ host: 'foo.example.com', serverName: 'example.com:80' }).subdomain).toBe('foo');
    expect(
      m.bind({ host: 'foo.example.com', serverName: 'example.com:443', urlScheme: 'https' }).subdomain,
    ).toBe('foo');
    // a host outside SERVER_NAME gets the default subdomain
    const b = m.bind({ host: '127.0.0.1:5000', serverName: 'example.com' });
    expect(b.subdomain).toBe('');
    catchError(() => b.match('/', 'GET'), NotFound);
  });

  it('uses the map default subdomain', () => {
    const m = makeMap(
      [
        ['/', { endpoint: 'www' }],
        ['/', { endpoint: 'api', subdomain: 'api' }],
      ],
      {
        defaultSubdomain: 'www',
      },
    );
    expect(m.rules()[0]?.subdomain).toBe('www');
    expect(m.bind({ host: 'example.com' }).match('/', 'GET').rule.endpoint).toBe('www');
    expect(
      m.bind({ host: 'api.example.com', serverName: 'example.com' }).match('/', 'GET').rule.endpoint,
    ).toBe('api');
  });

  it('matches subdomains with converters', () => {
    const m = makeMap([['/stats', { endpoint: 'stats', subdomain: '<username>' }]]);
    const a = m.bind({ host: 'bob.example.com', serverName: 'example.com' });
    expect(a.match('/stats', 'GET').params).toEqual({ username: 'bob' });
    expect(a.build('stats', { username: 'bob' })).toBe('/stats');
    expect(a.build('stats', { username: 'amy' })).toBe('http://amy.example.com/stats');
  });

  it('external URLs use the rule subdomain with SERVER_NAME, not the request host', () => {
    const m = makeMap([['/', { endpoint: 'index', subdomain: 'wiki' }]]);
    const a = m.bind({ host: 'wiki.example.com', serverName: 'example.com' });
    expect(a.match('/', 'GET').rule.endpoint).toBe('index');
    expect(a.build('index', {}, { forceExternal: true })).toBe('http://wiki.example.com/');
    expect(a.build('index')).toBe('/');
    const b = m.bind({ host: 'admin.example.com', serverName: 'example.com' });
    expect(b.build('index')).toBe('http://wiki.example.com/');
  });

  it('subdomain matching off: subdomains are ignored', () => {
    const m = makeMap([['/', { endpoint: 'index', subdomain: 'x' }]], { subdomainMatching: false });
    expect(m.bind({ host: 'example.com', subdomain: 'y' }).match('/', 'GET').rule.endpoint).toBe('index');
    expect(m.bind({ host: 'example.com' }).build('index')).toBe('/');
  });

  it('the slash redirect keeps the subdomain host', () => {
    const m = makeMap([['/dir/', { endpoint: 'd', subdomain: 'api' }]]);
    const err = catchError(
      () => m.bind({ host: 'api.example.com', serverName: 'example.com' }).match('/dir', 'GET', 'a=1'),
      RequestRedirect,
    );
    expect(err.newUrl).toBe('http://api.example.com/dir/?a=1');
  });
});
